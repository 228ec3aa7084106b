"""Queueing stored events (and polls) for a run, inside the transaction that stores them.

Two stores, two queues:

- **SQLite**: the ``events`` table is the queue. The in-process runner claims the due
  events from it (``EventRepository.claim``), so queueing writes nothing more
  (``TableJobs``).
- **PostgreSQL**: events are carried by Procrastinate. Each stored event gets one
  ``run_event(event_id)`` job, locked by ``<integration>:<entity key>`` so that the events
  of one record run one at a time, in the order they were stored (``ProcrastinateJobs``).
  The job is deferred on the raw psycopg connection of the SQLAlchemy transaction that
  stores the event, through a job manager whose connector is never opened: the event and
  its job are committed together or not at all, and no relay is needed.

The task names, queue and locks written here are what ``pontes.engine.tasks`` registers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, text

QUEUE = "pontes"
RUN_EVENT = "pontes.run_event"
POLL = "pontes.poll"
TICK = "pontes.tick"
PURGE = "pontes.purge"

EVENT_PRIORITY = 0
POLL_PRIORITY = 1
"""Polls go before waiting events, so a backlog of events never delays the polling that
finds the next ones; the periodic tick goes before both."""
TICK_PRIORITY = 2

_HOLD_ORDER = text("SELECT count(pg_advisory_xact_lock(hashtextextended(key, 0))) "
                   "FROM unnest(CAST(:keys AS text[])) AS key")


def event_lock(integration: str, entity_key: str | None) -> str | None:
    """The ordering key of an event's runs: one event of a record at a time, in order
    (none for an event about no particular record)."""
    return None if entity_key is None else f"{integration}:{entity_key}"


@dataclass(frozen=True)
class QueuedEvent:
    """A stored event waiting for a run."""

    id: int
    integration: str
    entity_key: str | None

    @property
    def lock(self) -> str | None:
        """The ordering key of its runs (``event_lock``)."""
        return event_lock(self.integration, self.entity_key)


@dataclass(frozen=True)
class PollTarget:
    """One polling trigger of one integration's role."""

    integration: str
    role: str
    connection: str
    trigger: str

    @property
    def lock(self) -> str:
        """One poll of a target at a time, and at most one waiting."""
        return f"poll:{self.integration}:{self.connection}:{self.trigger}"


class JobQueue(Protocol):
    """Where stored events (and due polls) wait, written inside the caller's transaction."""

    def hold_order(self, connection: Connection, locks: Iterable[str | None]) -> None:
        """Make transactions queueing events under the same ``locks`` commit one after the
        other, so that queue order is commit order. Call it before writing the events."""
        ...

    def defer_events(self, connection: Connection, queued: Sequence[QueuedEvent]) -> None:
        """Queue a run of each event, in order, inside ``connection``'s transaction."""
        ...

    def defer_poll(self, connection: Connection, target: PollTarget) -> bool:
        """Queue a poll of ``target`` inside ``connection``'s transaction; ``False`` when
        one is already waiting."""
        ...


class TableJobs:
    """SQLite: the ``events`` table is the queue; the in-process runner claims from it and
    the in-process poller polls on its own clock, so nothing more is written."""

    def hold_order(self, connection: Connection, locks: Iterable[str | None]) -> None:
        """Nothing to hold: SQLite has one writer at a time, so ids follow commit order."""

    def defer_events(self, connection: Connection, queued: Sequence[QueuedEvent]) -> None:
        """Nothing to write: a ``received`` row is a queued event."""

    def defer_poll(self, connection: Connection, target: PollTarget) -> bool:
        """Nothing to write: the in-process poller keeps its own schedule."""
        return True


class ProcrastinateJobs:
    """PostgreSQL: Procrastinate jobs written on the connection of our own transaction."""

    def __init__(self) -> None:
        # Procrastinate comes with pontes[postgres]: imported only by a PostgreSQL store.
        from procrastinate import SyncPsycopgConnector
        from procrastinate.manager import JobManager

        # Never opened: every call passes the connection of the caller's transaction.
        self._manager = JobManager(SyncPsycopgConnector())

    def hold_order(self, connection: Connection, locks: Iterable[str | None]) -> None:
        """Take a transaction lock per ordering key, in a fixed order (no deadlock).

        Procrastinate runs the jobs of a lock in id order, and ids are handed out when rows
        are written, not when they commit. Without this, a delivery written first but
        committed second would run second; with it, a second transaction about the same
        record waits for the first to commit before writing.
        """
        keys = sorted({lock for lock in locks if lock is not None})
        if keys:
            connection.execute(_HOLD_ORDER, {"keys": keys})

    def defer_events(self, connection: Connection, queued: Sequence[QueuedEvent]) -> None:
        """One ``run_event`` job per event, locked by its integration and entity key."""
        from procrastinate.jobs import Job

        if not queued:
            return
        self._manager.batch_defer_jobs(
            [Job(queue=QUEUE, task_name=RUN_EVENT, lock=event.lock, queueing_lock=None,
                 priority=EVENT_PRIORITY, task_kwargs={"event_id": event.id})
             for event in queued],
            connection=_driver_connection(connection))

    def defer_poll(self, connection: Connection, target: PollTarget) -> bool:
        """One ``poll`` job, unless one is already waiting for the target (its queueing
        lock); a savepoint keeps the caller's transaction usable either way."""
        from procrastinate.exceptions import AlreadyEnqueued
        from procrastinate.jobs import Job

        job = Job(queue=QUEUE, task_name=POLL, lock=target.lock, queueing_lock=target.lock,
                  priority=POLL_PRIORITY,
                  task_kwargs={"integration": target.integration, "role": target.role,
                               "trigger": target.trigger})
        savepoint = connection.begin_nested()
        try:
            self._manager.defer_job(job, connection=_driver_connection(connection))
        except AlreadyEnqueued:
            savepoint.rollback()
            return False
        savepoint.commit()
        return True


def _driver_connection(connection: Connection):
    """The psycopg connection under a SQLAlchemy connection, inside its transaction."""
    return connection.connection.driver_connection


def jobs_for(dialect: str) -> JobQueue:
    """The job queue of a store: Procrastinate on PostgreSQL, the table itself on SQLite."""
    return ProcrastinateJobs() if dialect == "postgresql" else TableJobs()
