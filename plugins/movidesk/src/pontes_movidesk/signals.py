"""What a Movidesk ticket tells of what just happened to it: a new ticket, a new reply, a
new comment, a solution time that passed.

Movidesk says only that a ticket was created or changed (its "call webhook" trigger),
never what changed. These events are read off the ticket itself, as a webhook delivery
carries it or as a poll reads it:

- ``ticket.created``: the ticket was created at or after ``since``;
- ``ticket.replied`` / ``ticket.commented``: each public / internal action created at or
  after ``since``, leaving out the actions the ticket was opened with (created no later
  than the ticket);
- ``ticket.overdue``: an open ticket whose ``slaSolutionDate`` passed (polled only: a
  solution time passing changes nothing that would make Movidesk call).

Each event's idempotency key names what it is about (``ticket:<id>:created``,
``ticket:<id>:action:<action id>``, ``ticket:<id>:overdue@<slaSolutionDate>``), so a
delivery and a poll that both see it, or many deliveries of one ticket, make one event.
The entity key is the ticket's, as for ``ticket.changed``, so one ticket's events run in
order. Movidesk documents nothing for escalations, mentions or ratings on a ticket
change, so these are not told.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pontes.plugin import Event

from .dates import canonical_text, parse_datetime
from .mappers.tickets import INTERNAL

DELIVERED_EVENTS = ("ticket.created", "ticket.replied", "ticket.commented")
"""The signals a webhook delivery can tell."""

SIGNAL_EVENTS = (*DELIVERED_EVENTS, "ticket.overdue")
"""Every signal told of a Movidesk ticket (the overdue one only by polling)."""

DELIVERY_WINDOW = timedelta(seconds=60)
"""For a webhook delivery, ``since`` is this long before the delivered ticket's
``lastUpdate``: what happened that close to the change is what the delivery is about."""


def lowered(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with lower-case keys (a delivery may spell them in PascalCase)."""
    return {str(key).lower(): value for key, value in data.items()}


def _event(kind: str, connection_name: str, ticket_id: int, key: str,
           occurred: datetime | None, payload: dict[str, Any]) -> Event:
    fields: dict[str, Any] = {"occurred_at": occurred} if occurred is not None else {}
    return Event(type=kind, connection=connection_name,
                 idempotency_key=f"ticket:{ticket_id}:{key}",
                 entity_key=f"ticket:{ticket_id}", record_id=str(ticket_id),
                 payload=payload, **fields)


def _instant(value: Any) -> datetime | None:
    """A date-time of the ticket, ``None`` when it is missing or unreadable."""
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def ticket_signals(connection_name: str, ticket_id: int, ticket: dict[str, Any],
                   since: datetime) -> list[Event]:
    """The creation and the new actions of one ticket (``ticket``, any key casing) that
    happened at or after ``since``."""
    fields = lowered(ticket)
    created = _instant(fields.get("createddate"))
    summary = {"id": ticket_id, "createdDate": fields.get("createddate"),
               "lastUpdate": fields.get("lastupdate")}
    events = []
    if created is not None and created >= since:
        events.append(_event("ticket.created", connection_name, ticket_id, "created",
                             created, summary))
    for action in fields.get("actions") or []:
        if not isinstance(action, dict):
            continue
        action = lowered(action)
        made = _instant(action.get("createddate"))
        if (action.get("id") in (None, "", 0) or made is None or made < since
                or (created is not None and made <= created) or action.get("isdeleted")):
            continue
        kind = "ticket.commented" if action.get("type") == INTERNAL else "ticket.replied"
        events.append(_event(kind, connection_name, ticket_id, f"action:{action['id']}",
                             made, {**summary, "action": action.get("id")}))
    return events


def delivered_signals(connection_name: str, ticket_id: int,
                      delivery: dict[str, Any]) -> list[Event]:
    """The signals a webhook delivery carrying the whole ticket tells: its creation and
    its actions within ``DELIVERY_WINDOW`` before its ``lastUpdate``. A delivery naming
    only the ticket (``{"Id": n}``) tells none; the poll finds them."""
    fields = lowered(delivery)
    updated = _instant(fields.get("lastupdate"))
    if updated is None:
        return []
    return ticket_signals(connection_name, ticket_id, delivery, updated - DELIVERY_WINDOW)


def overdue_signal(connection_name: str, ticket: dict[str, Any]) -> Event | None:
    """The ``ticket.overdue`` event of a polled ticket whose solution time passed."""
    due = _instant(ticket.get("slaSolutionDate"))
    if due is None or ticket.get("id") is None:
        return None
    return _event("ticket.overdue", connection_name, int(ticket["id"]),
                  f"overdue@{canonical_text(due)}", due,
                  {"id": ticket["id"], "slaSolutionDate": ticket.get("slaSolutionDate")})
