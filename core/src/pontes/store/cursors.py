"""Where each polling trigger left off, per integration and connection, and when it is due.

The cursor moves in the same transaction that stores the events it covers
(``EventRepository.insert(rows, cursor=...)``), so a crash between the two cannot skip
events; a failed poll leaves the cursor where it was and records the error. A cursor moves
only from the position its poll started from (``CursorPosition.previous``): a poll that
finds the cursor moved by another stores nothing, so a cursor never moves back.

With PostgreSQL, ``schedule`` queues the polls that are due, once per interval across every
process: it moves ``next_poll_at`` and queues the poll in one transaction, under the row's
lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import PontesError
from .database import reading
from .jobs import JobQueue, PollTarget, jobs_for
from .schema import cursors, utcnow


class CursorMoved(PontesError):
    """Another poll moved the cursor while this one ran; this poll's result is dropped (its
    events are found again from the new position)."""


@dataclass(frozen=True)
class CursorPosition:
    """A new position for one polling trigger of one integration's connection.

    ``previous`` is the position the poll started from (``None`` before the first).
    """

    integration: str
    connection: str
    trigger: str
    value: str | None
    previous: str | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class DuePoll:
    """A polling target of the schedule, polled every ``interval`` seconds."""

    target: PollTarget
    interval: float


@dataclass(frozen=True)
class CursorState:
    """A stored cursor, with when it last moved and the last poll error (if any)."""

    integration: str
    connection: str
    trigger: str
    value: str | None
    updated_at: datetime
    last_success_at: datetime | None
    last_error: str | None
    next_poll_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly fields (timestamps in ISO 8601)."""
        return {k: v.isoformat() if isinstance(v, datetime) else v
                for k, v in asdict(self).items()}


def _key_of(integration: str, connection: str, trigger: str) -> list[Any]:
    return [cursors.c.integration == integration, cursors.c.connection == connection,
            cursors.c.trigger == trigger]


def advance_cursor(connection: Connection, position: CursorPosition) -> None:
    """Store ``position`` within the caller's transaction (a successful poll).

    Raises ``CursorMoved`` when the stored cursor is no longer ``position.previous``.
    """
    key = {"integration": position.integration, "connection": position.connection,
           "trigger": position.trigger}
    values = {"value": position.value, "updated_at": position.at,
              "last_success_at": position.at, "last_error": None}
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    if position.previous is None:  # the first position, unless another poll stored one
        created = connection.execute(dialect.insert(cursors).values(**key, **values)
                                     .on_conflict_do_nothing()
                                     .returning(cursors.c.trigger)).first()
        if created is not None:
            return
    moved = connection.execute(
        update(cursors).where(*_key_of(**key),
                              cursors.c.value.is_not_distinct_from(position.previous))
        .values(**values)).rowcount
    if not moved:
        raise CursorMoved(f"the cursor of {position.trigger} for {position.integration} moved "
                          "while it was polled; this poll's result is dropped")


class CursorRepository:
    """Reads cursors, records failed polls and keeps the cluster's poll schedule.

    ``jobs`` queues the due polls (default: the queue of the engine's database).
    """

    def __init__(self, engine: Engine, jobs: JobQueue | None = None):
        self.engine = engine
        self.jobs = jobs or jobs_for(engine.dialect.name)

    def get(self, integration: str, connection: str, trigger: str) -> CursorState | None:
        """The stored cursor, or ``None`` before the first successful poll."""
        with reading(self.engine) as conn:
            row = conn.execute(select(cursors).where(
                cursors.c.integration == integration, cursors.c.connection == connection,
                cursors.c.trigger == trigger)).first()
        return CursorState(**row._mapping) if row else None

    def all(self) -> list[CursorState]:
        """Every stored cursor."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(cursors).order_by(
                cursors.c.integration, cursors.c.connection, cursors.c.trigger)).all()
        return [CursorState(**row._mapping) for row in rows]

    def advance(self, position: CursorPosition) -> None:
        """Store a new position on its own (a poll that found no events)."""
        with self.engine.begin() as conn:
            advance_cursor(conn, position)

    def record_error(self, integration: str, connection: str, trigger: str, error: str,
                     now: datetime | None = None, hold: float = 0.0) -> None:
        """Remember why the last poll failed, keeping the position where it was.

        ``hold`` (seconds, a vendor's Retry-After) puts the next scheduled poll no earlier
        than that.
        """
        now = now or utcnow()
        key = {"integration": integration, "connection": connection, "trigger": trigger}
        with self.engine.begin() as conn:
            existing = conn.execute(select(cursors.c.next_poll_at)
                                    .where(*_key_of(**key))).first()
            held = now + timedelta(seconds=hold) if hold > 0 else None
            if existing is None:
                conn.execute(cursors.insert().values(**key, value=None, updated_at=now,
                                                     last_error=error, next_poll_at=held))
                return
            values: dict[str, Any] = {"last_error": error}
            if held is not None and (existing.next_poll_at is None
                                     or existing.next_poll_at < held):
                values["next_poll_at"] = held
            conn.execute(cursors.update().where(*_key_of(**key)).values(**values))

    def schedule(self, polls: Sequence[DuePoll], now: datetime | None = None) -> list[PollTarget]:
        """Queue every poll of ``polls`` that is due; returns the targets queued.

        A poll is due when its ``next_poll_at`` has come (or it never polled). Queueing it
        moves ``next_poll_at`` one interval on in the same transaction, under the cursor
        row's lock, so however many processes run the schedule, each target is polled at
        most once per interval. A target whose previous poll still waits is not queued
        twice.
        """
        now = now or utcnow()
        queued = []
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        ordered = sorted(polls, key=lambda p: (p.target.integration, p.target.connection,
                                               p.target.trigger))
        with self.engine.begin() as conn:
            for poll in ordered:
                target = poll.target
                key = {"integration": target.integration, "connection": target.connection,
                       "trigger": target.trigger}
                conn.execute(dialect.insert(cursors).values(**key, value=None, updated_at=now)
                             .on_conflict_do_nothing())
                due = conn.execute(select(cursors.c.next_poll_at).where(*_key_of(**key))
                                   .with_for_update()).scalar()
                if due is not None and due > now:
                    continue
                conn.execute(cursors.update().where(*_key_of(**key)).values(
                    next_poll_at=now + timedelta(seconds=poll.interval)))
                if self.jobs.defer_poll(conn, target):
                    queued.append(target)
        return queued
