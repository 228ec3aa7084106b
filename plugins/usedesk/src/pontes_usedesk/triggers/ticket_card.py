"""The dynamic block: what Usedesk posts when an agent opens a ticket, as a
``ticket.card_opened`` event, answered with the block's HTML.

Usedesk posts JSON to the block's URL each time a ticket page opens (and again when the
agent clicks the block's refresh): ``ticket_id``, ``subject``, ``client_id``,
``channel_id``, ``client_data`` (``name``, ``emails[]``, ``phones[{type, phone}]``,
``addresses[]``...), ``channel_data`` (``type``, ``data``, ``id``), ``is_auto_load``, the
block's secret key when it has one, and the block's own parameters (``language``...). It
shows the HTML of an answer ``{"html": "..."}``, and waits 60 s for it.

The event is the card as the body describes it (``load_card`` needs no call to Usedesk).
Repeated posts of the same card are one event; the answer is built every time, from what
the CRM knows (``reply_with_context``), or is an empty block.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    Address,
    CardChannel,
    ClientContext,
    Connection,
    Contact,
    Event,
    InvalidPayload,
    Ticket,
    TicketCard,
    WebhookAck,
    WebhookRequest,
)

from ..connector import kit
from ..mappers.clients import DEFAULT_REGION
from ..values import flag, id_text, phone, text, whole_number
from .api_channel import KINDS
from .bodies import carried_secrets, delivery_body, digest, same_secret, without
from .panel import context_html

SECRET_KEY = "secret_key"
"""Where the block's secret key is in the body (the field name is not documented; the
webhook's ``custom_blocks[].secret_key`` suggests it)."""

USEDESK_FIELDS = frozenset({
    "ticket_id", "subject", "client_id", "contact", "channel_id", "channel_type",
    "from_email", "from_id", "channel_data", "client_data", "is_auto_load", SECRET_KEY,
})
"""The fields Usedesk writes itself; every other field is one of the block's parameters."""

LANGUAGE_PARAMETERS = ("language", "lang")

ACK = WebhookAck(200, {"html": ""})
"""The answer when there is nothing to show: an empty block."""


def check_block_secret(request: WebhookRequest, body: dict[str, Any]) -> None:
    """Refuse (``InvalidPayload``) a block delivery without the connection's
    ``block_secret``, when one is set."""
    expected = getattr(request.settings, "block_secret", None)
    if expected is None:
        return
    if body.get(SECRET_KEY) in (None, ""):
        raise InvalidPayload(f"the block delivery carries no {SECRET_KEY}, but the "
                             "connection sets block_secret")
    if not same_secret(body[SECRET_KEY], expected):
        raise InvalidPayload(f"the block delivery's {SECRET_KEY} is not the connection's "
                             "block_secret")


def card_from_body(body: dict[str, Any], connection_name: str, *,
                   region: str = DEFAULT_REGION) -> TicketCard:
    """The ticket card a block delivery describes."""
    client = _client(body, _refs(connection_name, body.get("client_id")), region)
    ticket_id = id_text(body.get("ticket_id"))
    ticket = Ticket(refs=_refs(connection_name, ticket_id), number=ticket_id,
                    subject=text(body.get("subject")), requester=client)
    parameters = {key: _parameter(value) for key, value in body.items()
                  if key not in USEDESK_FIELDS and _parameter(value) is not None}
    language = next((parameters[key].strip().lower() for key in LANGUAGE_PARAMETERS
                     if parameters.get(key, "").strip()), None)
    return TicketCard(refs=_refs(connection_name, ticket_id), ticket=ticket, client=client,
                      channel=_channel(body), language=language, parameters=parameters,
                      automatic=flag(body.get("is_auto_load", "1")), remote_data=body)


def _refs(connection_name: str, value: Any) -> dict[str, str]:
    found = id_text(value)
    return {connection_name: found} if found else {}


def _client(body: dict[str, Any], refs: dict[str, str], region: str) -> Contact | None:
    data = body.get("client_data") if isinstance(body.get("client_data"), dict) else {}
    emails = [text(e) for e in data.get("emails") or [] if text(e)]
    phones = [phone(p.get("phone") if isinstance(p, dict) else p, region)
              for p in data.get("phones") or []]
    addresses = [Address(country=text(a.get("country")), city=text(a.get("city")),
                         street=text(a.get("address")))
                 for a in data.get("addresses") or [] if isinstance(a, dict)]
    name = text(data.get("name"))
    if not (refs or name or emails or any(phones)):
        return None
    return Contact(refs=refs, name=name, emails=emails, phones=[p for p in phones if p],
                   addresses=[a for a in addresses if a.model_dump(exclude_none=True)])


def _channel(body: dict[str, Any]) -> CardChannel | None:
    data = body.get("channel_data") if isinstance(body.get("channel_data"), dict) else {}
    channel = CardChannel(id=id_text(data.get("id") or body.get("channel_id")),
                          type=text(data.get("type") or body.get("channel_type")),
                          address=text(data.get("data") or body.get("from_email")))
    return channel if channel.model_dump(exclude_none=True) else None


def _parameter(value: Any) -> str | None:
    """A block parameter's value as text; ``None`` for nested values."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float):
        return str(value)
    return None


async def load_card(connection: Connection, event: Event) -> TicketCard:
    """The card of an event, read from the stored body."""
    region = getattr(connection.settings, "phone_region", DEFAULT_REGION)
    return card_from_body(event.payload, connection.name, region=region)


def reply_with_context(event: Event, context: ClientContext) -> dict[str, str]:
    """The block's answer showing what the CRM knows about the ticket's client."""
    return {"html": context_html(context)}


@kit.webhook_trigger("ticket_card", events=("ticket.card_opened",), load=load_card, ack=ACK,
                     reply=reply_with_context, secrets=carried_secrets)
def parse_ticket_card(request: WebhookRequest) -> list[Event]:
    """Usedesk dynamic block: an agent opened a ticket, and Usedesk asks for the block's
    HTML.

    The card as one event (``InvalidPayload`` for an API channel delivery or a body
    without a ticket id).
    """
    body = delivery_body(request)
    if not isinstance(body, dict):
        raise InvalidPayload(f"a dynamic block posts an object of fields, got "
                             f"{type(body).__name__}")
    if any(kind in body for kind in KINDS):
        raise InvalidPayload("an API channel delivery, not a dynamic block's")
    ticket_id = whole_number(body.get("ticket_id"))
    if ticket_id is None or ticket_id <= 0:
        raise InvalidPayload(f"ticket_id must be a positive whole number, got "
                             f"{body.get('ticket_id')!r}")
    check_block_secret(request, body)
    payload = without(body, SECRET_KEY)
    return [Event(
        type="ticket.card_opened",
        connection=request.connection,
        idempotency_key=f"usedesk:card:{ticket_id}:{digest(payload)}",
        entity_key=f"usedesk:ticket:{ticket_id}",
        record_id=str(ticket_id),
        payload=payload,
    )]
