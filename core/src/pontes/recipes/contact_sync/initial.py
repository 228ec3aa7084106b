"""The initial sync of ``contact_sync``: at activation, every person and company of the
side(s) the mode copies from is queued as one change event, so each is matched (link,
e-mail, phone) and created or updated on the other side by ``handle``, exactly as a
change from a webhook would be (echo suppression and compare-before-write included).

- ``two_way`` lists both sides; ``one_way`` and ``none`` list the CRM (``none`` only
  links, and a pair both sides have is found from either).
- Each side's ``contact.list`` / ``company.list`` is read a page at a time. A page's
  events and the position after it are stored in one transaction (a store cursor per
  connection and kind, trigger ``initial-sync:<kind>``), so an interrupted sync resumes
  from the page it stopped at; a finished list's cursor is ``done`` and is not read again.
- An event's idempotency key names the record, not the run: a page read twice (the
  transaction after it failed) stores nothing new, so no record is queued twice.
- A tqdm bar per list counts the records queued (``pontes.logs`` writes log lines
  through it while it is shown).
"""

from __future__ import annotations

from typing import Any

from tqdm import tqdm

from ...models import Event, Record
from ...store import CursorPosition, NewEvent, Store
from ..base import Integration
from .catch_up import CATCH_UP, KINDS

INITIAL = "initial-sync"
"""The trigger name of the initial sync's cursors (``initial-sync:contact``...)."""
DONE = "done"
"""The cursor of a list read to its end."""
PLURALS = {"contact": "contacts", "company": "companies"}


def source_roles(options: Any) -> tuple[str, ...]:
    """The roles whose records the initial sync reads, as ``mode`` says."""
    return ("crm", "helpdesk") if options.mode == "two_way" else ("crm",)


def initial_event(integration: Integration, role: str, kind: str, record: Record) -> NewEvent:
    """The stored change event of one listed record (read again with ``<kind>.get`` when
    it runs, like a catch-up event)."""
    name = integration.connections[role].name
    remote_id = record.ref(name)
    event = Event(type=f"{kind}.changed", connection=name, trigger=CATCH_UP,
                  idempotency_key=f"{INITIAL}:{name}:{kind}:{remote_id}",
                  entity_key=f"{kind}:{name}:{remote_id}", record_id=remote_id)
    return NewEvent(integration=integration.name, role=role, connection=name,
                    source="poll", trigger=CATCH_UP, type=event.type,
                    idempotency_key=event.idempotency_key, entity_key=event.entity_key,
                    event=event.model_dump(mode="json"))


async def initial_sync(integration: Integration, store: Store, *,
                       progress: bool = True) -> int:
    """Queue every not yet queued record of the source side(s); returns how many events
    were stored. Lists already ``done`` are skipped; others resume from their cursor."""
    queued = 0
    for role in source_roles(integration.options):
        connection = integration.connections[role]
        for kind in KINDS:
            if connection.has(f"{kind}.list"):
                queued += await _queue_list(integration, store, role, kind, progress)
    return queued


async def _queue_list(integration: Integration, store: Store, role: str, kind: str,
                      progress: bool) -> int:
    """Queue one side's list of ``kind`` from its stored cursor to the end."""
    connection = integration.connections[role]
    trigger = f"{INITIAL}:{kind}"
    state = store.cursors.get(integration.name, connection.name, trigger)
    cursor = state.value if state is not None else None
    if cursor == DONE:
        return 0
    queued = 0
    with tqdm(desc=f"{integration.name}: {connection.name} {PLURALS[kind]}", unit=" records",
              disable=not progress, dynamic_ncols=True) as bar:
        while cursor != DONE:
            page = await connection.call(f"{kind}.list", cursor=cursor)
            rows = [initial_event(integration, role, kind, record) for record in page.records
                    if record.ref(connection.name)]
            position = CursorPosition(integration.name, connection.name, trigger,
                                      page.next_cursor or DONE, previous=cursor)
            stored = store.events.insert(rows, cursor=position)
            queued += sum(1 for event_id in stored if event_id is not None)
            bar.update(len(rows))
            cursor = position.value
    return queued
