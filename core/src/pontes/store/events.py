"""The inbox: storing events once, queueing them in order, recording every attempt.

Life of an event::

    received --start--> running --ok--------> succeeded
       ^                   |----retriable---> received (next_attempt_at later)
       |                   |----permanent---> dead
       |                   |----stopped-----> received (interrupted: handed back)
       |                   |----crashed-----> received, or dead after max_crashes
       +----replay---------+  (dead or succeeded)
    rejected (a delivery nobody could parse; never runs)
    ignored (a delivery with no event the recipe uses; never runs)

Storing and replaying queue the events in the same transaction (``pontes.store.jobs``):
on PostgreSQL as Procrastinate jobs, each run starting with ``start``; on SQLite the table
is the queue, and ``claim`` hands out the due events whose entity has no older unfinished
event, so events about one record run one at a time and in arrival order.

An attempt still ``running`` when its event is taken up again (``start`` on PostgreSQL,
``recover`` when the SQLite process starts) was cut short by the death of its process: it
is recorded as ``crashed``, and an event that crashed ``max_crashes`` times is dead.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .cursors import CursorPosition, advance_cursor
from .database import reading
from .jobs import JobQueue, QueuedEvent, event_lock, jobs_for
from .schema import attempts, events, utcnow

ACTIVE = ("received", "running")
REPLAYABLE = ("dead", "succeeded")
OUTCOME_STATUS = {"succeeded": "succeeded", "retry": "received", "deferred": "received",
                  "dead": "dead", "interrupted": "received"}
"""Attempt outcome -> the event's status after it."""
CRASHED = "crashed"
"""The outcome of an attempt whose process died before it ended."""
CRASH_ERROR = "the process running this attempt stopped before it finished"


@dataclass
class NewEvent:
    """An event (or a rejected delivery) about to be stored."""

    integration: str
    role: str
    connection: str
    source: str
    status: str = "received"
    trigger: str | None = None
    type: str | None = None
    idempotency_key: str | None = None
    entity_key: str | None = None
    event: dict[str, Any] | None = None
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] | None = None
    error: str | None = None
    received_at: datetime = field(default_factory=utcnow)

    def row(self) -> dict[str, Any]:
        """The column values of the new row."""
        never_runs = self.status in ("rejected", "ignored")
        return {
            "integration": self.integration, "role": self.role, "connection": self.connection,
            "source": self.source, "trigger": self.trigger, "type": self.type,
            "idempotency_key": self.idempotency_key, "entity_key": self.entity_key,
            "status": self.status, "attempts": 0, "attempts_base": 0, "deferrals": 0,
            "next_attempt_at": None if never_runs else self.received_at,
            "last_error": self.error, "body": self.body, "content_type": self.content_type,
            "headers": self.headers, "event": self.event, "received_at": self.received_at,
            "finished_at": self.received_at if never_runs else None,
        }


@dataclass(frozen=True)
class EventSummary:
    """An event as listed by the admin API and ``pontes events``."""

    id: int
    integration: str
    role: str
    connection: str
    source: str
    trigger: str | None
    type: str | None
    idempotency_key: str | None
    entity_key: str | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    received_at: datetime
    finished_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly fields (timestamps in ISO 8601)."""
        return {k: v.isoformat() if isinstance(v, datetime) else v
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class AttemptRecord:
    """One run of an event."""

    number: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error: str | None
    duration_ms: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly fields (timestamps in ISO 8601)."""
        return {k: v.isoformat() if isinstance(v, datetime) else v
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class EventDetail:
    """One event with what was received, what it parsed to, its result and its attempts."""

    summary: EventSummary
    body: bytes | None
    content_type: str | None
    headers: dict[str, str] | None
    event: dict[str, Any] | None
    result: Any
    attempts: list[AttemptRecord]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly fields; the body as text when it is UTF-8, else omitted."""
        body_text = None
        if self.body is not None:
            try:
                body_text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                body_text = None
        return {**self.summary.as_dict(), "content_type": self.content_type,
                "headers": self.headers, "body": body_text,
                "body_bytes": None if self.body is None else len(self.body),
                "event": self.event, "result": self.result,
                "attempt_log": [a.as_dict() for a in self.attempts]}


@dataclass(frozen=True)
class Claimed:
    """An event handed to a runner: run attempt ``attempt`` of it.

    ``attempts_in_round`` counts the attempts since the last replay (this one included)
    that count against ``max_attempts``: not those a vendor budget put off.
    """

    id: int
    integration: str
    role: str
    event: dict[str, Any]
    attempt: int
    attempts_in_round: int
    received_at: datetime


@dataclass(frozen=True)
class Outcome:
    """How attempt ``attempt`` of an event ended.

    ``outcome`` is ``succeeded`` (with ``result``), ``retry`` (the event runs again at
    ``next_attempt_at``), ``deferred`` (the same, but a vendor budget put it off, so it
    does not count against ``max_attempts``), ``dead`` or ``interrupted`` (stopped with
    its process: runs again at once); ``error`` is the message of a failure.
    """

    event_id: int
    attempt: int
    outcome: str
    error: str | None = None
    result: Any = None
    next_attempt_at: datetime | None = None
    duration_ms: int | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class ReplayOutcome:
    """What ``replay`` did: ``queued``, ``missing``, or refused because of ``status``."""

    queued: bool
    status: str | None

    @property
    def missing(self) -> bool:
        """Whether there is no such event."""
        return self.status is None


_SUMMARY_COLUMNS = [getattr(events.c, name) for name in EventSummary.__dataclass_fields__]

# The statements of the hot paths, built once (building them per call costs more than
# running them).
_earlier = events.alias("earlier")
_DUE = (select(events.c.id)
        .where(events.c.status == "received", events.c.next_attempt_at <= bindparam("now"),
               ~exists().where(_earlier.c.integration == events.c.integration,
                               _earlier.c.entity_key == events.c.entity_key,
                               _earlier.c.id < events.c.id,
                               _earlier.c.status.in_(ACTIVE)))
        .order_by(events.c.next_attempt_at, events.c.id).limit(bindparam("limit"))
        .with_for_update(skip_locked=True))
_START = (update(events)
          .where(events.c.id.in_(bindparam("ids", expanding=True)),
                 events.c.status == "received")
          .values(status="running", attempts=events.c.attempts + 1, next_attempt_at=None)
          .returning(events.c.id, events.c.integration, events.c.role, events.c.event,
                     events.c.attempts, events.c.attempts_base, events.c.deferrals,
                     events.c.received_at))
_END = (update(events)
        .where(events.c.id == bindparam("b_event_id"), events.c.status == "running",
               events.c.attempts == bindparam("b_attempt"))
        .values(status=bindparam("b_status"), next_attempt_at=bindparam("b_next_attempt_at"),
                deferrals=events.c.deferrals + bindparam("b_deferred"),
                finished_at=bindparam("b_finished_at"), last_error=bindparam("b_error"),
                result=bindparam("b_result")))
_END_ATTEMPT = (update(attempts)
                .where(attempts.c.event_id == bindparam("b_event_id"),
                       attempts.c.number == bindparam("b_attempt"))
                .values(outcome=bindparam("b_outcome"), error=bindparam("b_error"),
                        finished_at=bindparam("b_finished_at"),
                        duration_ms=bindparam("b_duration_ms")))


@functools.cache
def _inserts(dialect_name: str) -> tuple[Any, Any]:
    """The plain and the de-duplicating ``INSERT ... RETURNING id`` of a dialect."""
    insert = (postgresql if dialect_name == "postgresql" else sqlite).insert
    deduped = insert(events).on_conflict_do_nothing(
        index_elements=["integration", "idempotency_key"])
    return (insert(events).returning(events.c.id),
            deduped.returning(events.c.id, events.c.integration, events.c.idempotency_key))


class EventRepository:
    """Every read and write of the ``events`` and ``attempts`` tables.

    ``jobs`` queues what is stored or replayed, in the same transaction (default: the
    queue of the engine's database, ``pontes.store.jobs.jobs_for``).
    """

    def __init__(self, engine: Engine, jobs: JobQueue | None = None):
        self.engine = engine
        self.jobs = jobs or jobs_for(engine.dialect.name)

    # --- storing ------------------------------------------------------------------------

    def insert(self, rows: Sequence[NewEvent],
               cursor: CursorPosition | None = None) -> list[int | None]:
        """Store ``rows`` in one transaction; per row, its id or ``None`` for a duplicate.

        A row whose idempotency key is already stored for its integration is skipped, so
        a repeated delivery is not stored (or run) again. The new events are queued in the
        same transaction, in order. With ``cursor``, the polling position moves in the same
        transaction too, never ahead of the events it covers (and never from a position
        another poll has moved meanwhile: the transaction then fails with ``CursorMoved``).
        """
        plain, deduped = _inserts(self.engine.dialect.name)
        keyed = [row for row in rows if row.idempotency_key is not None]
        with self.engine.begin() as connection:
            self.jobs.hold_order(connection, {event_lock(row.integration, row.entity_key)
                                              for row in rows if row.status == "received"})
            stored: dict[tuple[str, str], int] = {}
            if keyed:
                returned = connection.execute(deduped, [row.row() for row in keyed])
                stored = {(r.integration, r.idempotency_key): r.id for r in returned}
            ids = []
            for row in rows:
                if row.idempotency_key is None:
                    ids.append(connection.execute(plain, row.row()).scalar())
                else:  # the first of repeated keys got the id; the others are duplicates
                    ids.append(stored.pop((row.integration, row.idempotency_key), None))
            self.jobs.defer_events(connection, sorted(
                (QueuedEvent(event_id, row.integration, row.entity_key)
                 for event_id, row in zip(ids, rows, strict=True)
                 if event_id is not None and row.status == "received"),
                key=lambda queued: queued.id))
            if cursor is not None:
                advance_cursor(connection, cursor)
        return ids

    # --- running ------------------------------------------------------------------------

    def claim(self, limit: int, now: datetime | None = None) -> list[Claimed]:
        """Start up to ``limit`` due events (the in-process runner); return them, oldest first.

        An event is due when it is ``received``, its ``next_attempt_at`` has come, and no
        older event about the same entity of the same integration is still unfinished.
        """
        now = now or utcnow()
        with self.engine.begin() as connection:
            ids = connection.execute(_DUE, {"now": now, "limit": limit}).scalars().all()
            return _start_attempts(connection, ids, now)

    def start(self, event_id: int, max_crashes: int,
              now: datetime | None = None) -> Claimed | None:
        """Start the next attempt of one event (a Procrastinate job taking it up).

        ``None`` when there is nothing to run: no such event, or it is finished (a job
        taken up again after its event ended), or it has now crashed ``max_crashes`` times.
        An event still ``running`` was cut short by the death of its process; that attempt
        is recorded as crashed first.
        """
        now = now or utcnow()
        with self.engine.begin() as connection:
            started = _start_attempts(connection, [event_id], now)  # the usual case: waiting
            if started:
                return started[0]
            status = connection.execute(
                select(events.c.status).where(events.c.id == event_id).with_for_update()
            ).scalar()
            if status != "running" or _close_crashed(connection, [event_id], now, max_crashes):
                return None
            started = _start_attempts(connection, [event_id], now)
        return started[0] if started else None

    def finish_many(self, outcomes: Sequence[Outcome]) -> list[bool]:
        """Record how attempts ended and move their events on, in one transaction.

        Per outcome, ``False`` when the event is no longer that attempt's (it was taken up
        again meanwhile, its attempt recorded as crashed): nothing is changed for it then.
        """
        done, closed = [], []
        with self.engine.begin() as connection:
            for item in outcomes:
                status = OUTCOME_STATUS[item.outcome]
                now = item.now or utcnow()
                changed = connection.execute(_END, {
                    "b_event_id": item.event_id, "b_attempt": item.attempt, "b_status": status,
                    "b_next_attempt_at": ((item.next_attempt_at or now) if status == "received"
                                          else None),
                    "b_finished_at": now if status in ("succeeded", "dead") else None,
                    "b_error": item.error, "b_result": item.result,
                    "b_deferred": int(item.outcome == "deferred"),
                }).rowcount
                done.append(bool(changed))
                if changed:
                    closed.append({"b_event_id": item.event_id, "b_attempt": item.attempt,
                                   "b_outcome": item.outcome, "b_error": item.error,
                                   "b_finished_at": now, "b_duration_ms": item.duration_ms})
            if closed:
                connection.execute(_END_ATTEMPT, closed)
        return done

    def recover(self, max_crashes: int, now: datetime | None = None) -> tuple[int, int]:
        """Take back every event left running (the one process of a SQLite store starting).

        Their attempts are recorded as crashed; events that crashed ``max_crashes`` times
        are dead, the others wait to run again at once. Returns ``(requeued, dead)``.
        """
        now = now or utcnow()
        with self.engine.begin() as connection:
            ids = connection.execute(
                select(events.c.id).where(events.c.status == "running")).scalars().all()
            dead = _close_crashed(connection, ids, now, max_crashes) if ids else []
        return len(ids) - len(dead), len(dead)

    def next_due(self, after: datetime) -> datetime | None:
        """When the earliest event waiting for a time later than ``after`` is due."""
        with reading(self.engine) as connection:
            return connection.execute(
                select(func.min(events.c.next_attempt_at))
                .where(events.c.status == "received", events.c.next_attempt_at > after)
            ).scalar()

    # --- replay -------------------------------------------------------------------------

    def replay(self, event_id: int, now: datetime | None = None) -> ReplayOutcome:
        """Queue a dead or succeeded event to run again, with a fresh attempt budget."""
        now = now or utcnow()
        with self.engine.begin() as connection:
            status = connection.execute(
                select(events.c.status).where(events.c.id == event_id).with_for_update()
            ).scalar()
            if status is None:
                return ReplayOutcome(False, None)
            if status not in REPLAYABLE:
                return ReplayOutcome(False, status)
            requeued = connection.execute(
                update(events).where(events.c.id == event_id).values(**_requeue(now))
                .returning(events.c.id, events.c.integration, events.c.entity_key)).all()
            self._queue_again(connection, requeued)
        return ReplayOutcome(True, status)

    def replay_dead(self, integration: str | None = None, now: datetime | None = None, *,
                    last_error: str | None = None) -> int:
        """Queue every dead event (of one integration, or all; with ``last_error``, only
        those that died of that error) again; returns how many."""
        now = now or utcnow()
        condition = [events.c.status == "dead"]
        if integration is not None:
            condition.append(events.c.integration == integration)
        if last_error is not None:
            condition.append(events.c.last_error == last_error)
        with self.engine.begin() as connection:
            requeued = connection.execute(
                update(events).where(*condition).values(**_requeue(now))
                .returning(events.c.id, events.c.integration, events.c.entity_key)).all()
            self._queue_again(connection, requeued)
        return len(requeued)

    def _queue_again(self, connection: Connection, rows: Sequence[Any]) -> None:
        """Queue replayed events: in arrival order, each behind what its record already
        has waiting."""
        self.jobs.hold_order(connection, {event_lock(r.integration, r.entity_key) for r in rows})
        self.jobs.defer_events(connection, [QueuedEvent(r.id, r.integration, r.entity_key)
                                            for r in sorted(rows, key=lambda r: r.id)])

    # --- reading ------------------------------------------------------------------------

    def list(self, *, status: str | None = None, integration: str | None = None,
             since: datetime | None = None, until: datetime | None = None,
             before_id: int | None = None, limit: int = 100, entity_key: str | None = None,
             idempotency_key: str | None = None) -> list[EventSummary]:
        """Events newest first, filtered by status, integration, time received, entity key
        and idempotency key.

        ``before_id`` pages backwards: pass the smallest id of the previous page.
        """
        condition = []
        if status is not None:
            condition.append(events.c.status == status)
        if integration is not None:
            condition.append(events.c.integration == integration)
        if entity_key is not None:
            condition.append(events.c.entity_key == entity_key)
        if idempotency_key is not None:
            condition.append(events.c.idempotency_key == idempotency_key)
        if since is not None:
            condition.append(events.c.received_at >= since)
        if until is not None:
            condition.append(events.c.received_at < until)
        if before_id is not None:
            condition.append(events.c.id < before_id)
        query = (select(*_SUMMARY_COLUMNS).where(and_(True, *condition))
                 .order_by(events.c.id.desc()).limit(limit))
        with reading(self.engine) as connection:
            return [EventSummary(**row._mapping) for row in connection.execute(query)]

    def get(self, event_id: int) -> EventDetail | None:
        """One event with its body, parsed event, result and attempts."""
        with reading(self.engine) as connection:
            row = connection.execute(
                select(*_SUMMARY_COLUMNS, events.c.body, events.c.content_type,
                       events.c.headers, events.c.event, events.c.result)
                .where(events.c.id == event_id)
            ).first()
            if row is None:
                return None
            tries = connection.execute(
                select(attempts.c.number, attempts.c.started_at, attempts.c.finished_at,
                       attempts.c.outcome, attempts.c.error, attempts.c.duration_ms)
                .where(attempts.c.event_id == event_id).order_by(attempts.c.number)
            ).all()
        data = row._mapping
        summary = EventSummary(**{name: data[name] for name in EventSummary.__dataclass_fields__})
        return EventDetail(summary, data["body"], data["content_type"], data["headers"],
                           data["event"], data["result"],
                           [AttemptRecord(**t._mapping) for t in tries])

    def status_counts(self) -> dict[tuple[str, str], int]:
        """How many events each integration has in each status."""
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(events.c.integration, events.c.status, func.count())
                .group_by(events.c.integration, events.c.status)
            ).all()
        return {(integration, status): count for integration, status, count in rows}

    def oldest_waiting(self) -> dict[str, datetime]:
        """When the oldest event still waiting for a run (first time or retry) of each
        integration was received."""
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(events.c.integration, func.min(events.c.received_at))
                .where(events.c.status == "received").group_by(events.c.integration)
            ).all()
        return {integration: when for integration, when in rows if when is not None}

    def last_successes(self) -> dict[str, datetime]:
        """When each integration last finished an event successfully."""
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(events.c.integration, func.max(events.c.finished_at))
                .where(events.c.status == "succeeded").group_by(events.c.integration)
            ).all()
        return {integration: when for integration, when in rows if when is not None}


def _requeue(now: datetime) -> dict[str, Any]:
    return {"status": "received", "attempts_base": events.c.attempts, "deferrals": 0,
            "next_attempt_at": now, "finished_at": None}


def _start_attempts(connection: Connection, ids: Sequence[int], now: datetime) -> list[Claimed]:
    """Mark waiting events running with a new attempt each; return them, oldest first."""
    if not ids:
        return []
    rows = connection.execute(_START, {"ids": list(ids)}).all()
    if rows:
        connection.execute(attempts.insert(), [
            {"event_id": row.id, "number": row.attempts, "started_at": now,
             "outcome": "running"} for row in rows])
    claimed = [Claimed(row.id, row.integration, row.role, row.event, row.attempts,
                       row.attempts - row.attempts_base - row.deferrals, row.received_at)
               for row in rows]
    return sorted(claimed, key=lambda c: c.id)


def _close_crashed(connection: Connection, ids: Sequence[int], now: datetime,
                   max_crashes: int) -> list[int]:
    """Record the open attempts of ``ids`` (running events) as crashed and queue the events
    again, or kill those that crashed ``max_crashes`` times since their last replay.

    Returns the ids of the events now dead.
    """
    connection.execute(update(attempts)
                       .where(attempts.c.event_id.in_(ids), attempts.c.outcome == "running")
                       .values(outcome=CRASHED, finished_at=now, error=CRASH_ERROR))
    crashes = dict(connection.execute(
        select(attempts.c.event_id, func.count())
        .join(events, events.c.id == attempts.c.event_id)
        .where(attempts.c.event_id.in_(ids), attempts.c.outcome == CRASHED,
               attempts.c.number > events.c.attempts_base)
        .group_by(attempts.c.event_id)).all())
    dead = [i for i in ids if crashes.get(i, 0) >= max_crashes]
    alive = [i for i in ids if i not in set(dead)]
    for event_id in dead:
        connection.execute(update(events).where(events.c.id == event_id).values(
            status="dead", finished_at=now, next_attempt_at=None,
            last_error=f"its runs stopped the process running them {crashes[event_id]} times "
                       "(a crash or a kill); it is not run again until replayed"))
    if alive:
        connection.execute(update(events).where(events.c.id.in_(alive))
                           .values(status="received", next_attempt_at=now))
    return dead

