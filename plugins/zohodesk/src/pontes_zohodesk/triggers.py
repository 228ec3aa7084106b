"""Zoho Desk's webhook deliveries and its customer-happiness ratings as events.

A delivery is a JSON array of ``{"eventType", "orgId", "eventTime", "payload",
"prevState"?}``. Each item becomes events:

- ``Ticket_Add`` -> ``ticket.created``;
- ``Ticket_Update`` -> ``ticket.changed``, and ``ticket.overdue`` when ``isOverDue`` or
  ``isResponseOverdue`` turned true, ``ticket.escalated`` when ``isEscalated`` turned true
  or the status became ``Escalated`` (read from ``prevState``; without it a ticket that
  is flagged counts as newly flagged);
- ``Ticket_Thread_Add`` -> ``ticket.replied``;
- ``Ticket_Comment_Add`` and ``Ticket_Comment_Update`` -> ``ticket.commented``, and
  ``ticket.mentioned`` when the comment mentions someone (``zsu[@user:<zuid>]zsu``) its
  ``prevState`` did not;
- ``Contact_Add``/``Contact_Update`` -> ``contact.changed``;
  ``Account_Add``/``Account_Update`` -> ``company.changed``.

Other event types are acknowledged and ignored. The idempotency key is the portal, the
event type, the record, its change time (or the event's) and the event made of it, so a
repeated delivery is one event; the entity key is the ticket (or contact, or account), so
one ticket's events run in order.

Zoho Desk has no webhook for ratings: the ``happiness`` polling trigger reads
``/customerHappiness`` and emits ``ticket.rated`` once per rating.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    Connection,
    Event,
    InvalidPayload,
    PollResult,
    Record,
    WebhookRequest,
)

from .actions.ratings import read_ratings
from .actions.reading import read_ticket
from .client import desk_get
from .connector import kit
from .ids import desk_id
from .mappers.people import company_to_canonical, contact_to_canonical
from .mappers.tickets import mentioned

TICKET_EVENTS = ("ticket.created", "ticket.changed", "ticket.replied", "ticket.commented",
                 "ticket.mentioned", "ticket.overdue", "ticket.escalated")
EVENTS = (*TICKET_EVENTS, "contact.changed", "company.changed")
RATINGS_A_POLL = 200
"""How many of the newest ratings one poll reads."""


async def load_record(connection: Connection, event: Event) -> Record:
    """The event's ticket, contact or account as Zoho Desk has it now."""
    record_id = desk_id(str(event.record_id))
    if event.type == "contact.changed":
        return contact_to_canonical(await desk_get(connection, f"/contacts/{record_id}"),
                                    connection.name)
    if event.type == "company.changed":
        return company_to_canonical(await desk_get(connection, f"/accounts/{record_id}"),
                                    connection.name)
    return await read_ticket(connection, record_id)


def _turned_true(payload: dict[str, Any], previous: dict[str, Any] | None, *flags: str) -> bool:
    return any(payload.get(flag) is True and (previous or {}).get(flag) is not True
               for flag in flags)


def _escalated(payload: dict[str, Any], previous: dict[str, Any] | None) -> bool:
    became = payload.get("status") == "Escalated" and (previous or {}).get("status") != "Escalated"
    return became or _turned_true(payload, previous, "isEscalated")


def _kinds(event_type: str, payload: dict[str, Any],
           previous: dict[str, Any] | None) -> tuple[list[str], str, str]:
    """The events one item makes, the entity kind and the id of the record they are
    about."""
    if event_type == "Ticket_Add":
        return ["ticket.created"], "ticket", payload.get("id")
    if event_type == "Ticket_Update":
        kinds = ["ticket.changed"]
        if _turned_true(payload, previous, "isOverDue", "isResponseOverdue"):
            kinds.append("ticket.overdue")
        if _escalated(payload, previous):
            kinds.append("ticket.escalated")
        return kinds, "ticket", payload.get("id")
    if event_type == "Ticket_Thread_Add":
        return ["ticket.replied"], "ticket", payload.get("ticketId")
    if event_type in ("Ticket_Comment_Add", "Ticket_Comment_Update"):
        kinds = ["ticket.commented"]
        before = set(mentioned((previous or {}).get("content")))
        if set(mentioned(payload.get("content"))) - before:
            kinds.append("ticket.mentioned")
        return kinds, "ticket", payload.get("ticketId")
    if event_type in ("Contact_Add", "Contact_Update"):
        return ["contact.changed"], "contact", payload.get("id")
    if event_type in ("Account_Add", "Account_Update"):
        return ["company.changed"], "account", payload.get("id")
    return [], "", ""


@kit.webhook_trigger("webhook", events=EVENTS, load=load_record)
def parse_webhook(request: WebhookRequest) -> list[Event]:
    """Zoho Desk webhook deliveries: tickets, their threads and comments, contacts and
    accounts (see the module docstring)."""
    items = request.data
    if not isinstance(items, list):
        raise InvalidPayload("a Zoho Desk delivery is a JSON array of events")
    events = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("payload"), dict):
            raise InvalidPayload("each event needs an 'eventType' and a 'payload' object")
        payload, previous = item["payload"], item.get("prevState")
        previous = previous if isinstance(previous, dict) else None
        kinds, entity, record_id = _kinds(str(item.get("eventType")), payload, previous)
        if not kinds:
            continue
        if not record_id or not str(record_id).isdigit():
            raise InvalidPayload(f"{item.get('eventType')}: the payload has no record id")
        org = item.get("orgId") or ""
        changed = (payload.get("modifiedTime") or payload.get("createdTime")
                   or payload.get("commentedTime") or item.get("eventTime") or "")
        source = f"{item.get('eventType')}:{payload.get('id')}:{changed}"
        events.extend(Event(
            type=kind,
            connection=request.connection,
            idempotency_key=f"zohodesk:{org}:{source}:{kind}",
            entity_key=f"zohodesk:{org}:{entity}:{record_id}",
            record_id=str(record_id),
            payload=item,
        ) for kind in kinds)
    return events


async def load_rated_ticket(connection: Connection, event: Event) -> Record:
    """The rated ticket, with its rating (``GOOD``, ``OKAY``, ``BAD``) and feedback in
    ``custom`` (``rating``, ``rating_feedback``)."""
    ticket = await read_ticket(connection, desk_id(str(event.record_id)))
    rating = event.payload
    return ticket.model_copy(update={"custom": {
        **ticket.custom, "rating": rating.get("vendor_rating"),
        "rating_feedback": rating.get("feedback")}})


@kit.polling_trigger("happiness", events=("ticket.rated",), load=load_rated_ticket)
async def poll_happiness(connection: Connection, cursor: str | None) -> PollResult:
    """New customer-happiness ratings since ``cursor`` (the newest rating id seen; ids
    grow with time). The first poll only notes where the ratings stand."""
    ratings = await read_ratings(connection, most=RATINGS_A_POLL)
    newest = max((int(r.id) for r in ratings), default=None)
    if cursor is None:
        return PollResult([], str(newest) if newest is not None else "0")
    fresh = [r for r in ratings if int(r.id) > int(cursor)]
    org = connection.settings.org_id
    events = [Event(
        type="ticket.rated",
        connection=connection.name,
        idempotency_key=f"zohodesk:{org}:rating:{rating.id}",
        entity_key=f"zohodesk:{org}:ticket:{rating.ticket_id}",
        record_id=rating.ticket_id,
        payload=rating.model_dump(mode="json"),
    ) for rating in sorted(fresh, key=lambda r: int(r.id))]
    return PollResult(events, str(max(newest or 0, int(cursor))))
