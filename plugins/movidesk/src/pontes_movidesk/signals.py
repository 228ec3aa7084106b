"""What a Movidesk ticket tells of what just happened to it: a new ticket, a new reply, a
new comment, a solution time that passed.

Movidesk says only that a ticket was created or changed (its "call webhook" trigger),
never what changed. These events are read off the ticket itself, as a webhook delivery
carries it or as a poll reads it:

- ``ticket.created``: a delivery whose ticket was created within ``DELIVERY_WINDOW``
  before its ``lastUpdate`` is the delivery of its creation. Its event has the key of the
  delivery's ``ticket.changed`` (the ticket's version), and event keys are unique per
  integration, so a recipe that wants both, such as ``ticket_history``, still hears of
  one delivery once, and a recipe wanting only ``ticket.changed`` (``deal_to_ticket``)
  hears of it as before;
- ``ticket.replied`` / ``ticket.commented``: each public / internal action created at or
  after ``since`` (a delivery: ``DELIVERY_WINDOW`` before its ``lastUpdate``), leaving
  out the actions the ticket was opened with (created no later than the ticket);
- ``ticket.overdue``: an open ticket whose ``slaSolutionDate`` passed (polled only: a
  solution time passing changes nothing that would make Movidesk call).

An action's or a due time's event is keyed by what it is about
(``ticket:<id>:action:<action id>``, ``ticket:<id>:overdue@<slaSolutionDate>``), so a
delivery and a poll that both see it, or many deliveries of one ticket, make one event.
The entity key is the ticket's, as for ``ticket.changed``, so one ticket's events run in
order. Movidesk documents nothing for escalations, mentions or ratings on a ticket
change, so these are not told.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pontes.plugin import Event

from .connector import ACTION_EVENTS
from .dates import canonical_text, parse_datetime
from .mappers.tickets import INTERNAL

DELIVERED_EVENTS = ("ticket.created", *ACTION_EVENTS)
"""The signals a webhook delivery can tell."""

POLLED_EVENTS = (*ACTION_EVENTS, "ticket.overdue")
"""The signals the signal poll tells."""

DELIVERY_WINDOW = timedelta(seconds=60)
"""For a webhook delivery, what happened this long before the delivered ticket's
``lastUpdate`` is what the delivery is about."""


def lowered(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with lower-case keys (a delivery may spell them in PascalCase)."""
    return {str(key).lower(): value for key, value in data.items()}


def _event(kind: str, connection_name: str, ticket_id: int, key: str,
           occurred: datetime, payload: dict[str, Any]) -> Event:
    return Event(type=kind, connection=connection_name,
                 idempotency_key=f"ticket:{ticket_id}:{key}",
                 entity_key=f"ticket:{ticket_id}", record_id=str(ticket_id),
                 occurred_at=occurred, payload=payload)


def _instant(value: Any) -> datetime | None:
    """A date-time of the ticket, ``None`` when it is missing or unreadable."""
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def is_creation(delivery: dict[str, Any]) -> bool:
    """Whether a delivery (any key casing) is the one of its ticket's creation: created
    within ``DELIVERY_WINDOW`` before its ``lastUpdate``. A body without both dates (such
    as ``{"Id": n}``) is not."""
    fields = lowered(delivery)
    created, updated = _instant(fields.get("createddate")), _instant(fields.get("lastupdate"))
    return created is not None and updated is not None and \
        timedelta(0) <= updated - created <= DELIVERY_WINDOW


def action_signals(connection_name: str, ticket_id: int, ticket: dict[str, Any],
                   since: datetime) -> list[Event]:
    """The replies and comments of one ticket (``ticket``, any key casing) added at or
    after ``since``, other than those it was opened with."""
    fields = lowered(ticket)
    created = _instant(fields.get("createddate"))
    events = []
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
                             made, {"id": ticket_id, "action": action.get("id")}))
    return events


def delivered_actions(connection_name: str, ticket_id: int,
                      delivery: dict[str, Any]) -> list[Event]:
    """The replies and comments a delivery carrying the whole ticket tells: those added
    within ``DELIVERY_WINDOW`` before its ``lastUpdate``. A delivery naming only the
    ticket (``{"Id": n}``) tells none; the signal poll finds them."""
    updated = _instant(lowered(delivery).get("lastupdate"))
    if updated is None:
        return []
    return action_signals(connection_name, ticket_id, delivery, updated - DELIVERY_WINDOW)


def overdue_signal(connection_name: str, ticket: dict[str, Any]) -> Event | None:
    """The ``ticket.overdue`` event of a polled ticket whose solution time passed."""
    due = _instant(ticket.get("slaSolutionDate"))
    if due is None or ticket.get("id") is None:
        return None
    return _event("ticket.overdue", connection_name, int(ticket["id"]),
                  f"overdue@{canonical_text(due)}", due,
                  {"id": ticket["id"], "slaSolutionDate": ticket.get("slaSolutionDate")})
