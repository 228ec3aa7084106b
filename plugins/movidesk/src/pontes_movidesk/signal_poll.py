"""The Tickets tab's signals, polled (``signal_poll``): the replies and comments the
webhook tells when its body carries the whole ticket, and what no webhook can tell.

Each poll reads the tickets whose ``lastUpdate`` moved since the cursor, with their
actions, and tells their new actions (``signals.action_signals``); then the open tickets
whose ``slaSolutionDate`` passed since the cursor (``ticket.overdue``). New tickets are
the webhook's to tell: a poll telling them would tell ``ticket_history`` of a ticket
twice (its ``ticket_poll`` reports the same version as ``ticket.changed``). It
starts ``poll_overlap_seconds`` before the cursor (Movidesk's search lags behind
writes), the first poll ``poll_lookback_hours`` back; the idempotency keys make what the
overlap reads twice one event. The next cursor is the latest ``lastUpdate`` seen, or,
when the poll read every changed ticket, the moment it began less the overlap if that is
later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pontes.plugin import Connection, Event, PollResult

from .client import TICKETS, list_rows
from .connector import kit
from .dates import canonical_text, filter_literal, parse_datetime
from .signals import POLLED_EVENTS, action_signals, overdue_signal
from .ticket_tab import FINISHED
from .triggers import MAX_PAGES_PER_POLL, load_ticket, poll_window

CHANGE_FIELDS = ("id", "createdDate", "lastUpdate")
ACTION_FIELDS = "actions($select=id,type,createdDate)"
OVERDUE_FIELDS = ("id", "slaSolutionDate", "baseStatus")


async def changed_since(connection: Connection, since: datetime) -> list[dict]:
    """The tickets whose ``lastUpdate`` is at or after ``since``, oldest change first,
    with their actions (at most ``MAX_PAGES_PER_POLL`` pages)."""
    rows: list[dict] = []
    for _ in range(MAX_PAGES_PER_POLL):
        page = await list_rows(connection.client, TICKETS, select=CHANGE_FIELDS,
                               expand=(ACTION_FIELDS,),
                               filter=f"lastUpdate ge {filter_literal(since)}",
                               orderby="lastUpdate asc", top=connection.settings.page_size,
                               skip=len(rows))
        if not page:
            break
        rows += page
    return rows


async def overdue_since(connection: Connection, since: datetime,
                        now: datetime) -> list[dict]:
    """The open tickets whose ``slaSolutionDate`` fell in ``[since, now)``, latest first
    (one page)."""
    still_open = "".join(f" and baseStatus ne '{status}'" for status in FINISHED)
    return await list_rows(
        connection.client, TICKETS, select=OVERDUE_FIELDS,
        filter=(f"slaSolutionDate ge {filter_literal(since)} and "
                f"slaSolutionDate lt {filter_literal(now)}{still_open}"),
        orderby="slaSolutionDate desc", top=connection.settings.page_size)


@kit.polling_trigger("signal_poll", events=POLLED_EVENTS, load=load_ticket,
                     interval_seconds=300.0)
async def poll_signals(connection: Connection, cursor: str | None) -> PollResult:
    """New replies and comments, and tickets past their solution time, since the last
    poll (see the module docstring)."""
    now = datetime.now(UTC)
    since, newest = poll_window(cursor, connection.settings)
    events: list[Event] = []
    changed = await changed_since(connection, since)
    for row in changed:
        if row.get("id") is None:
            continue
        events += action_signals(connection.name, int(row["id"]), row, since)
        updated = parse_datetime(row.get("lastUpdate"), "lastUpdate")
        newest = max(newest, updated or newest)
    for row in await overdue_since(connection, since, now):
        event = overdue_signal(connection.name, row)
        if event is not None:
            events.append(event)
    if len(changed) < MAX_PAGES_PER_POLL * connection.settings.page_size:
        newest = max(newest, now - timedelta(seconds=connection.settings.poll_overlap_seconds))
    return PollResult(events=events, cursor=canonical_text(newest))
