"""The events pages' queries: the filtered, paged list, one event in full, replay."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import PontesError
from ..models import Event
from .context import AdminContext
from .models import (
    MAX_ID,
    EventDetailAnswer,
    EventEntry,
    EventQuery,
    LinkGroupEntry,
    ReplayAnswer,
)


async def list_events(admin: AdminContext, query: EventQuery) -> list[EventEntry]:
    """Events newest first, filtered as ``query`` says.

    ``search`` finds an event by its id (a number) or by its idempotency key."""
    store = admin.store
    filters = {"status": query.status, "integration": query.integration,
               "entity_key": query.entity_key, "since": query.since, "until": query.until,
               "before_id": query.before, "limit": query.limit}
    found = []
    if query.search:
        text = query.search.strip()
        if text.isdigit() and 0 < int(text) <= MAX_ID:
            detail = await store.run(store.events.get, int(text))
            if detail is not None and _matches(detail.summary, query):
                found.append(detail.summary)
        found += await store.run(store.events.list, idempotency_key=text, **filters)
    else:
        found = await store.run(store.events.list, **filters)
    unique = {event.id: event for event in found}
    return [EventEntry.model_validate(e) for e in sorted(unique.values(),
                                                         key=lambda e: -e.id)]


def _matches(summary, query: EventQuery) -> bool:
    return all((query.status in (None, summary.status),
                query.integration in (None, summary.integration),
                query.entity_key in (None, summary.entity_key)))


@dataclass(frozen=True)
class EventPage:
    """One event for its page: the detail, the run's notes and the links it made."""

    detail: EventDetailAnswer
    notes: list[str]
    links: list[LinkGroupEntry]


async def event_detail(admin: AdminContext, event_id: int) -> EventDetailAnswer | None:
    """One event with its body (secrets masked when stored), parsed event, result and
    attempts; ``None`` when there is no such event."""
    if not 0 <= event_id <= MAX_ID:
        return None
    detail = await admin.store.run(admin.store.events.get, event_id)
    if detail is None:
        return None
    return EventDetailAnswer.model_validate(detail.as_dict())


async def event_page(admin: AdminContext, event_id: int) -> EventPage | None:
    """The event with its run's notes and the link groups its idempotency key is in."""
    detail = await event_detail(admin, event_id)
    if detail is None:
        return None
    result = detail.result if isinstance(detail.result, dict) else {}
    notes = [str(note) for note in result.get("notes") or []]
    links = []
    if detail.idempotency_key:
        groups = await admin.store.run(admin.store.links.groups,
                                       remote_id=detail.idempotency_key, limit=50)
        links = [LinkGroupEntry.model_validate(g) for g in groups]
    return EventPage(detail, notes, links)


@dataclass(frozen=True)
class LoadedRecord:
    """The canonical record an event is about, as its trigger loads it now (or why it
    could not)."""

    connection: str
    record: dict | None
    error: str | None


async def canonical_record(admin: AdminContext, event_id: int) -> LoadedRecord | None:
    """Load the record of an event through the trigger that made it (a vendor call, as a
    run makes it); ``None`` when there is no such event or it has no parsed event."""
    detail = await event_detail(admin, event_id)
    integration = admin.runtime.integrations.get(detail.integration) if detail else None
    if detail is None or not detail.event or integration is None:
        return None
    try:
        record = await integration.load(detail.role, Event.model_validate(detail.event))
    except PontesError as exc:
        return LoadedRecord(detail.connection, None, str(exc))
    return LoadedRecord(detail.connection, record.model_dump(mode="json", exclude_none=True),
                        None)


class ReplayRefused(Exception):
    """The event cannot be replayed now (``status`` says why; ``None``: no such event)."""

    def __init__(self, event_id: int, status: str | None):
        self.status = status
        super().__init__("no such event" if status is None else
                         f"event {event_id} is {status}; only dead or succeeded events "
                         "can be replayed")


async def replay(admin: AdminContext, event_id: int) -> ReplayAnswer:
    """Queue a dead or succeeded event again, with a fresh attempt budget."""
    if not 0 <= event_id <= MAX_ID:
        raise ReplayRefused(event_id, None)
    outcome = await admin.store.run(admin.store.events.replay, event_id)
    if not outcome.queued:
        raise ReplayRefused(event_id, outcome.status)
    admin.wake()
    return ReplayAnswer(id=event_id, queued=True, was=outcome.status)
