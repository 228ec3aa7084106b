"""Polling Bigin for changed contacts and companies (``contact.changed``,
``company.changed``), for changes whose notification never came (a lapsed watch
channel, a lost delivery).

Each module is listed newest first (``sort_by=Modified_Time&sort_order=desc``, as the
notes give the list's parameters) until a record older than the cursor, the newest
``Modified_Time`` seen so far. A record at the cursor's own second is read again by the
next poll (two changes can share a second); its idempotency key names its
``Modified_Time``, so the store keeps it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pontes.plugin import Connection, Event, PollResult, changed_since

from .client import pages, rows_of
from .connector import kit
from .modules import ACCOUNTS, CONTACTS
from .triggers import load_record

MODULES = ((CONTACTS, "contact.changed"), (ACCOUNTS, "company.changed"))
"""Each polled module and the event it makes."""
NEWEST_FIRST = {"fields": "id,Modified_Time", "sort_by": "Modified_Time",
                "sort_order": "desc"}
START = "1970-01-01T00:00:00+00:00"
"""The cursor of an account with no contacts or companies yet."""


def modified(row: dict[str, Any]) -> datetime | None:
    """A row's ``Modified_Time`` (``None`` when it has none)."""
    text = row.get("Modified_Time")
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


async def newest_change(connection: Connection, module: str) -> datetime:
    """The ``Modified_Time`` of the most recently changed record of ``module``."""
    body = await connection.client.get_json(f"/{module}", params={
        **NEWEST_FIRST, "page": "1", "per_page": "1"})
    times = [at for row in rows_of(body) if (at := modified(row)) is not None]
    return max([datetime.fromisoformat(START), *times])


def change_event(connection: Connection, module: str, kind: str,
                 row: dict[str, Any]) -> Event:
    """The event of one version (``Modified_Time``) of a contact or company."""
    return Event(
        type=kind,
        connection=connection.name,
        idempotency_key=f"bigin:poll:{module}:{row['id']}@{row['Modified_Time']}",
        entity_key=f"bigin:{module}:{row['id']}",
        record_id=str(row["id"]),
        payload={"module": module, "operation": "update",
                 "modified_time": row["Modified_Time"]},
    )


@kit.polling_trigger("people_poll", events=("contact.changed", "company.changed"),
                     load=load_record, interval_seconds=300.0)
async def poll_people(connection: Connection, cursor: str | None) -> PollResult:
    """Contacts and companies changed since ``cursor`` (the newest ``Modified_Time``
    seen).

    The first poll only notes where the modules stand: what exists before it is the
    initial sync's work, not a change.
    """
    events: list[Event] = []
    newest = datetime.fromisoformat(cursor or START)
    for module, kind in MODULES:
        if cursor is None:
            newest = max(newest, await newest_change(connection, module))
            continue
        changed = await changed_since(pages(connection.client, f"/{module}",
                                            params=NEWEST_FIRST),
                                      datetime.fromisoformat(cursor), modified)
        events += [change_event(connection, module, kind, row) for row in changed]
        newest = max([newest, *(at for row in changed if (at := modified(row)))])
    return PollResult(events, newest.isoformat())
