"""The API channel's deliveries ("Redirect URL") as ticket events.

Usedesk posts one body per happening, told apart by its top-level keys:

| key       | happening                         | event              | idempotency key      |
| --------- | --------------------------------- | ------------------ | -------------------- |
| `ticket`  | a ticket was created              | `ticket.created`   | the ticket id        |
| `comment` | a reply, message or note was added| `ticket.commented` | the comment id       |
| `trigger` | a ticket changed (`data[]`)       | `ticket.changed`   | the change id        |
| `csi`     | the client rated the service      | `ticket.rated`     | the rating id        |
| `chat_id` | a chat message                    | none (acknowledged)|                      |

Every body carries ``secret``, the token of the channel that sent it. It is compared with
the connection's ``webhook_channel_token`` (or ``api_token``), and left out of the
event; it and the secret keys of the blocks a ticket lists (``custom_blocks``) are masked
in what is stored. Ids may come as numbers or strings. The entity key is the ticket, so the events
of one ticket run in order; the body is only a hint, and ``load_ticket`` reads the ticket
again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pontes.plugin import Connection, Event, InvalidPayload, Ticket, WebhookRequest

from ..actions.tickets import read_ticket
from ..connector import kit
from ..values import moment, whole_number
from .bodies import carried_secrets, delivery_body, digest, same_secret, without

SECRET = "secret"

EVENT_TYPES = {"ticket": "ticket.created", "comment": "ticket.commented",
               "trigger": "ticket.changed", "csi": "ticket.rated"}
"""The kind of a delivery (its top-level key) -> the event it is."""

KINDS = ("chat_id", "trigger", "comment", "csi", "ticket")
"""The top-level keys that tell a delivery's kind, in the order they are looked for (a
chat message carries ``ticket`` too)."""


def kind_of(body: dict[str, Any]) -> str:
    """The delivery's kind: the first of ``KINDS`` among its keys."""
    kind = next((key for key in KINDS if key in body), None)
    if kind is None:
        raise InvalidPayload("not an API channel delivery: none of ticket, comment, "
                             "trigger, csi or chat_id is in the body")
    return kind


def check_secret(request: WebhookRequest, body: dict[str, Any]) -> None:
    """Refuse (``InvalidPayload``) a delivery whose ``secret`` is missing or, when the
    connection's settings are known, is not its channel's token."""
    if body.get(SECRET) in (None, ""):
        raise InvalidPayload("the delivery carries no secret (Usedesk sends the API "
                             "channel's token as secret)")
    settings = request.settings
    if settings is not None and not same_secret(body[SECRET], settings.webhook_token()):
        raise InvalidPayload("the delivery's secret is not the token of the connection's "
                             "API channel (webhook_channel_token, or else api_token)")


def _object(body: dict[str, Any], kind: str) -> dict[str, Any]:
    value = body.get(kind)
    if not isinstance(value, dict):
        raise InvalidPayload(f"'{kind}' must be an object, got {type(value).__name__}")
    return value


def _number(item: dict[str, Any], field: str, kind: str) -> int:
    value = whole_number(item.get(field))
    if value is None or value <= 0:
        raise InvalidPayload(f"{kind}.{field} must be a positive whole number, "
                             f"got {item.get(field)!r}")
    return value


def _ids(kind: str, item: dict[str, Any], payload: dict[str, Any]) -> tuple[int, str]:
    """The ticket a delivery is about and the id that makes it one happening."""
    if kind == "ticket":
        ticket_id = _number(item, "id", kind)
        return ticket_id, f"{ticket_id}:created"
    ticket_id = _number(item, "ticket_id", kind)
    own = whole_number(item.get("id"))
    return ticket_id, str(own) if own else f"{ticket_id}:{digest(payload)}"


def _occurred(kind: str, item: dict[str, Any]) -> datetime | None:
    field = {"ticket": "published_at", "comment": "published_at", "trigger": "changed_at",
             "csi": "created_at"}[kind]
    return moment(item.get(field))


async def load_ticket(connection: Connection, event: Event) -> Ticket:
    """The event's ticket as Usedesk has it now, with its comments."""
    return await read_ticket(connection, event.record_id)


@kit.webhook_trigger("webhook", events=tuple(EVENT_TYPES.values()), load=load_ticket,
                     secrets=carried_secrets)
def parse_webhook(request: WebhookRequest) -> list[Event]:
    """Usedesk API channel deliveries: tickets created, comments added, tickets changed
    and ratings (JSON or form bodies, with the channel's secret).

    The event of one delivery; none for a chat message, which is acknowledged.
    """
    body = delivery_body(request)
    kind = kind_of(body)
    check_secret(request, body)
    if kind == "chat_id":
        return []
    item = _object(body, kind)
    payload = without(body, SECRET)
    ticket_id, happening = _ids(kind, item, payload)
    occurred = _occurred(kind, item)
    extra = {"occurred_at": occurred} if occurred else {}
    return [Event(
        type=EVENT_TYPES[kind],
        connection=request.connection,
        idempotency_key=f"usedesk:{kind}:{happening}",
        entity_key=f"usedesk:ticket:{ticket_id}",
        record_id=str(ticket_id),
        payload=payload,
        **extra,
    )]
