"""How pontes learns that a Movidesk ticket changed.

- A trigger ("gatilho") whose action is "call webhook" POSTs JSON naming the ticket
  (``Id``, in whatever casing); the body is only a hint and ``load`` reads the ticket.
  A body that carries the whole ticket also tells the Tickets tab's signals: the
  delivery of a ticket's creation is ``ticket.created`` as well as ``ticket.changed``
  (one key, so a recipe wanting both hears of it once), and the replies and comments it
  carries (``signals``).
- A poller asks for tickets whose ``lastUpdate`` moved since the cursor, which catches
  changes whose webhook never arrived.
- Persons have no webhook: a second poller asks for client people and companies whose
  ``changedDate`` moved (``contact.changed``, ``company.changed``).

Both give a change of one ticket the same idempotency key when they know its
``lastUpdate`` (``ticket:<id>@<lastUpdate>``), so a delivery and a poll of the same
change are one event.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pontes.plugin import (
    ById,
    Company,
    Connection,
    Contact,
    DateOutOfRange,
    Event,
    InvalidPayload,
    NotFoundError,
    PermanentFailure,
    PollResult,
    Ticket,
    WebhookRequest,
)

from .actions import company_get, contact_get, ticket_get
from .client import PERSONS, TICKETS, list_rows
from .connector import kit
from .dates import canonical_text, filter_literal, parse_datetime
from .mappers.people import COMPANY, DEPARTMENT, PERSON
from .signals import DELIVERED_EVENTS, delivered_actions, is_creation

EVENT = "ticket.changed"
POLL_FIELDS = ("id", "subject", "status", "baseStatus", "lastUpdate")
MAX_PAGES_PER_POLL = 5
MAX_TICKET_ID = 2**63 - 1
"""The largest ticket number read from a webhook (a 64-bit integer, as Movidesk's ids)."""
_ID_KEYS = ("id", "ticketid")


def ticket_event(connection_name: str, ticket_id: int, updated: datetime | None,
                 key_suffix: str, payload: dict[str, Any], event_type: str = EVENT) -> Event:
    """The event of one ticket version: ``ticket.changed``, or ``event_type``."""
    return Event(
        type=event_type,
        connection=connection_name,
        idempotency_key=f"ticket:{ticket_id}{key_suffix}",
        entity_key=f"ticket:{ticket_id}",
        record_id=str(ticket_id),
        occurred_at=updated or datetime.now(UTC),
        payload=payload,
    )


def version_suffix(updated: datetime) -> str:
    """The idempotency key part that names one ``lastUpdate`` of a ticket."""
    return f"@{canonical_text(updated)}"


async def load_ticket(connection: Connection, event: Event) -> Ticket:
    """The ticket an event is about, read from Movidesk (the body is only a hint).

    A ticket Movidesk does not have is a ``PermanentFailure`` at once: trying again
    would only fail again, and Movidesk locks the token out after three failures in a row.
    """
    try:
        return await ticket_get(connection, ById(id=str(event.record_id)))
    except NotFoundError:
        raise PermanentFailure(
            f"Movidesk has no ticket {event.record_id} (neither /tickets nor /tickets/past "
            "knows it); the delivery named a ticket that does not exist or was deleted"
        ) from None


# --- webhook --------------------------------------------------------------------------


@kit.webhook_trigger("ticket_webhook", events=(EVENT, *DELIVERED_EVENTS), load=load_ticket)
def parse_webhook(request: WebhookRequest) -> list[Event]:
    """A Movidesk trigger's 'call webhook' action (POST naming the ticket).

    Returns the ``ticket.changed`` event of one delivery, and a ``ticket.created`` with
    the same idempotency key when the body shows it is the delivery of the ticket's
    creation (``signals.is_creation``): an integration that wants both keeps one, as
    before. Then the replies and comments a body carrying the whole ticket tells
    (``signals.delivered_actions``). ``InvalidPayload`` without a ticket id.
    """
    data = request.data
    if not isinstance(data, dict):
        raise InvalidPayload(
            f"Movidesk webhook body must be a JSON object naming the ticket (Id); "
            f"got {type(data).__name__}"
        )
    fields = _lower_keys(data)
    ticket_id = _ticket_id(fields)
    updated = _maybe_datetime(fields.get("lastupdate"))
    if updated is not None:
        suffix = version_suffix(updated)
    else:
        digest = hashlib.sha256(
            json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()[:20]
        suffix = f"#{digest}"
    kinds = (EVENT, "ticket.created") if is_creation(data) else (EVENT,)
    return [*(ticket_event(request.connection, ticket_id, updated, suffix, data, kind)
              for kind in kinds),
            *delivered_actions(request.connection, ticket_id, data)]


def _lower_keys(data: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in data.items()}


def _ticket_id(fields: dict[str, Any]) -> int:
    for key in _ID_KEYS:
        if key in fields:
            return _as_ticket_id(fields[key], key)
    nested = fields.get("ticket")
    if isinstance(nested, dict):
        return _ticket_id(_lower_keys(nested))
    raise InvalidPayload(
        "Movidesk webhook body has no ticket id: expected an 'Id' (any casing) field, "
        f"found fields {sorted(fields)[:20]}"
    )


def _as_ticket_id(value: Any, key: str) -> int:
    whole = isinstance(value, int | str) and not isinstance(value, bool)
    text = str(value).strip() if whole else ""
    if (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_TICKET_ID))
            and 0 < int(text) <= MAX_TICKET_ID):
        return int(text)
    raise InvalidPayload(f"Movidesk webhook field {key!r} is not a ticket number: {value!r}")


def _maybe_datetime(value: Any) -> datetime | None:
    """``lastUpdate`` as a datetime; ``None`` when unreadable (the key then uses a digest).
    A date with no moment in UTC (year 1 or 9999 with an offset) makes the body invalid."""
    try:
        return parse_datetime(value)
    except DateOutOfRange:
        raise InvalidPayload("Movidesk webhook field 'lastUpdate' is out of range once in "
                             f"UTC: {value!r}") from None
    except ValueError:
        return None


# --- polling --------------------------------------------------------------------------


@kit.polling_trigger("ticket_poll", events=(EVENT,), load=load_ticket,
                     interval_seconds=300.0)
async def poll_tickets(connection: Connection, cursor: str | None) -> PollResult:
    """Tickets whose lastUpdate moved since the last poll.

    Returns the tickets whose ``lastUpdate`` is at or after the cursor, oldest first.
    The query starts ``poll_overlap_seconds`` before the cursor (Movidesk's search lags
    behind writes) and the first poll looks ``poll_lookback_hours`` back. Pages are read
    until an empty one (at most ``MAX_PAGES_PER_POLL``); the next cursor is the latest
    ``lastUpdate`` seen, so tickets a capped poll did not reach come in the next one.
    """
    settings = connection.settings
    since, newest = poll_window(cursor, settings)
    events: list[Event] = []
    skip = 0
    for _ in range(MAX_PAGES_PER_POLL):
        rows = await list_rows(connection.client, TICKETS, select=POLL_FIELDS,
                               filter=f"lastUpdate ge {filter_literal(since)}",
                               orderby="lastUpdate asc", top=settings.page_size, skip=skip)
        if not rows:
            break
        for row in rows:
            updated = parse_datetime(row.get("lastUpdate"), "lastUpdate")
            if updated is None or row.get("id") is None:
                continue
            events.append(ticket_event(connection.name, int(row["id"]), updated,
                                       version_suffix(updated), row))
            newest = max(newest, updated)
        skip += len(rows)
    return PollResult(events=events, cursor=canonical_text(newest))



def poll_window(cursor: str | None, settings: Any) -> tuple[datetime, datetime]:
    """Where a poll starts (the cursor less the overlap, or the look-back on the first
    poll) and the newest time seen so far."""
    if cursor:
        newest = parse_datetime(cursor, "cursor")
        return newest - timedelta(seconds=settings.poll_overlap_seconds), newest
    since = datetime.now(UTC) - timedelta(hours=settings.poll_lookback_hours)
    return since, since


# --- persons ----------------------------------------------------------------------------

PERSON_EVENTS = {PERSON: "contact.changed", COMPANY: "company.changed",
                 DEPARTMENT: "company.changed"}
PERSON_POLL_FIELDS = ("id", "personType", "profileType", "businessName", "changedDate")
AGENT_PROFILE = 1


async def load_person(connection: Connection, event: Event) -> Contact | Company:
    """The person (``contact.changed``) or company (``company.changed``) of ``event``,
    read again from Movidesk."""
    params = ById(id=str(event.record_id))
    if event.type == "company.changed":
        return await company_get(connection, params)
    return await contact_get(connection, params)


def person_event(connection_name: str, row: dict[str, Any], changed: datetime) -> Event | None:
    """The change event of one person version, ``None`` for agents (not clients) and
    unknown person types."""
    event_type = PERSON_EVENTS.get(row.get("personType"))
    if event_type is None or row.get("profileType") == AGENT_PROFILE:
        return None
    person_id = str(row["id"])
    return Event(
        type=event_type,
        connection=connection_name,
        idempotency_key=f"person:{person_id}{version_suffix(changed)}",
        entity_key=f"{event_type.split('.')[0]}:{person_id}",
        record_id=person_id,
        occurred_at=changed,
        payload=row,
    )


@kit.polling_trigger("person_poll", events=("contact.changed", "company.changed"),
                     load=load_person, interval_seconds=300.0)
async def poll_persons(connection: Connection, cursor: str | None) -> PollResult:
    """Client people and companies whose ``changedDate`` moved since the last poll.

    Movidesk has no webhook for persons, so their changes are polled: ``changedDate ge``
    the cursor less ``poll_overlap_seconds`` (searches lag behind writes), oldest first,
    the first poll ``poll_lookback_hours`` back. Pages are read until an empty one (at
    most ``MAX_PAGES_PER_POLL``); the next cursor is the latest ``changedDate`` seen. A
    version polled twice has the same idempotency key, so it is one event.
    """
    settings = connection.settings
    since, newest = poll_window(cursor, settings)
    events: list[Event] = []
    skip = 0
    for _ in range(MAX_PAGES_PER_POLL):
        rows = await list_rows(connection.client, PERSONS, select=PERSON_POLL_FIELDS,
                               filter=f"changedDate ge {filter_literal(since)}",
                               orderby="changedDate asc", top=settings.page_size, skip=skip)
        if not rows:
            break
        for row in rows:
            changed = parse_datetime(row.get("changedDate"), "changedDate")
            if changed is None or row.get("id") is None:
                continue
            event = person_event(connection.name, row, changed)
            if event is not None:
                events.append(event)
            newest = max(newest, changed)
        skip += len(rows)
    return PollResult(events=events, cursor=canonical_text(newest))
