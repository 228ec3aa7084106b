"""Polling Zoho Desk for changed contacts and accounts (``contact.changed``,
``company.changed``), for a portal whose webhooks are off or missed a change.

Each list is read newest first (``sortBy=-modifiedTime``, a guess listed in the README)
until a record older than the cursor, the newest ``modifiedTime`` seen so far. A record
at the cursor's own second is read again by the next poll (two changes can share a
second); its idempotency key names its ``modifiedTime``, so the store keeps it once.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Connection, Event, PollResult, changed_since

from .client import desk_get, pages, rows
from .connector import kit
from .triggers import load_record

LISTS = (("contact", "/contacts", "contact.changed"),
         ("account", "/accounts", "company.changed"))
"""Each polled list: the entity in event keys, its path and the event it makes."""
START = "1970-01-01T00:00:00.000Z"
"""The cursor of a portal with no contacts or accounts yet."""


def modified(row: dict[str, Any]) -> str | None:
    """A row's ``modifiedTime`` (``None`` when it has none); Zoho Desk writes every one
    the same way (``2024-05-02T10:00:00.000Z``), so the texts compare as the moments."""
    return row.get("modifiedTime") or None


async def newest_change(connection: Connection, path: str) -> str:
    """The ``modifiedTime`` of the most recently changed record of ``path``."""
    newest = rows(await desk_get(connection, path, params={
        "sortBy": "-modifiedTime", "from": "1", "limit": "1"}))
    return max([START, *(row.get("modifiedTime") or START for row in newest)])


def change_event(connection: Connection, entity: str, kind: str,
                 row: dict[str, Any]) -> Event:
    """The event of one version (``modifiedTime``) of a contact or account."""
    org = connection.settings.org_id
    return Event(
        type=kind,
        connection=connection.name,
        idempotency_key=f"zohodesk:{org}:{entity}:{row['id']}@{row['modifiedTime']}:{kind}",
        entity_key=f"zohodesk:{org}:{entity}:{row['id']}",
        record_id=str(row["id"]),
        payload=row,
    )


@kit.polling_trigger("people_poll", events=("contact.changed", "company.changed"),
                     load=load_record, interval_seconds=300.0)
async def poll_people(connection: Connection, cursor: str | None) -> PollResult:
    """Contacts and accounts changed since ``cursor`` (the newest ``modifiedTime`` seen).

    The first poll only notes where the lists stand: what exists before it is the
    initial sync's work, not a change.
    """
    events: list[Event] = []
    newest = cursor or START
    for entity, path, kind in LISTS:
        if cursor is None:
            newest = max(newest, await newest_change(connection, path))
            continue
        changed = await changed_since(pages(connection, path,
                                            params={"sortBy": "-modifiedTime"}),
                                      cursor, modified)
        events += [change_event(connection, entity, kind, row) for row in changed]
        newest = max([newest, *(row["modifiedTime"] for row in changed)])
    return PollResult(events, newest)
