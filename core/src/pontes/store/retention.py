"""Retention: deleting finished events past an age, and giving SQLite's space back.

What a purge deletes, and never:

- **deleted**: events ``succeeded`` or ``ignored`` that finished before the cut-off, with
  their attempts;
- **only when asked** (``dead_letters=True``): ``dead`` events and ``rejected`` deliveries
  past the cut-off. They are what an operator looks at and replays, so they stay until
  replayed or purged on purpose;
- **never**: events still waiting or running; links (they are also how a recipe finds
  what an earlier run created, so a vendor re-sending an old delivery creates nothing
  twice), cursors, credentials, OAuth tokens, vendor budgets, and Procrastinate's jobs.

Events go in batches, each its own short transaction, so that deliveries keep being
stored while a large purge runs. Each batch locks the rows it deletes (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL) and deletes them only if they are still finished: an event
replayed meanwhile is left alone.

On SQLite, deleted rows leave free pages in the file. ``reclaim_space`` returns them to
the file system with an incremental vacuum; a file created before pontes turned
``auto_vacuum`` on is converted once with a full ``VACUUM``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select

from .schema import attempts, events, utcnow

KEPT_UNTIL_REPLAYED = ("dead", "rejected")
"""Dead letters (and deliveries nobody could parse): deleted only when asked."""
PURGED = ("succeeded", "ignored")
"""Finished events deleted once they are older than the retention."""
BATCH_SIZE = 500
"""Events deleted per transaction."""
INCREMENTAL = 2
"""SQLite's ``PRAGMA auto_vacuum`` value of incremental vacuuming."""


@dataclass(frozen=True)
class Purged:
    """What a purge deleted: ``events``, their ``attempts``, and on SQLite the bytes the
    database file shrank by (``None`` on PostgreSQL, whose autovacuum reuses the space)."""

    events: int
    attempts: int
    reclaimed_bytes: int | None = None


def purged_statuses(dead_letters: bool) -> tuple[str, ...]:
    """The statuses a purge deletes: finished events, and dead letters when asked."""
    return PURGED + KEPT_UNTIL_REPLAYED if dead_letters else PURGED


def cutoff(older_than: timedelta, now: datetime | None = None) -> datetime:
    """The moment before which events finished are past ``older_than``."""
    return (now or utcnow()) - older_than


class EventPurge:
    """Deletes finished events past a cut-off, in batches, and reclaims SQLite's space."""

    def __init__(self, engine: Engine, batch_size: int = BATCH_SIZE):
        self.engine = engine
        self.batch_size = batch_size

    def purge_batch(self, before: datetime, statuses: Sequence[str]) -> tuple[int, int]:
        """Delete up to ``batch_size`` events in ``statuses`` finished before ``before``,
        and their attempts, in one transaction; returns ``(events, attempts)`` deleted."""
        finished = (events.c.status.in_(statuses), events.c.finished_at < before)
        with self.engine.begin() as connection:
            ids = connection.execute(
                select(events.c.id).where(*finished).order_by(events.c.id)
                .limit(self.batch_size).with_for_update(skip_locked=True)
            ).scalars().all()
            if not ids:
                return 0, 0
            removed_attempts = connection.execute(
                delete(attempts).where(attempts.c.event_id.in_(ids))).rowcount
            removed_events = connection.execute(
                delete(events).where(events.c.id.in_(ids), *finished)).rowcount
        return removed_events, removed_attempts

    def purge(self, before: datetime, *, dead_letters: bool = False,
              reclaim: bool = True) -> Purged:
        """Delete every event past ``before`` (see the module's docstring for which),
        batch after batch; then, on SQLite, give the freed space back (unless told not to).
        """
        statuses = purged_statuses(dead_letters)
        total_events = total_attempts = 0
        while True:
            removed_events, removed_attempts = self.purge_batch(before, statuses)
            total_events += removed_events
            total_attempts += removed_attempts
            if removed_events == 0:
                break
        reclaimed = self.reclaim_space() if reclaim else None
        return Purged(total_events, total_attempts, reclaimed)

    def reclaim_space(self) -> int | None:
        """SQLite: return the file's free pages to the file system; how many bytes the file
        shrank by. ``None`` on PostgreSQL (its autovacuum makes the space reusable) and for
        an in-memory database."""
        if self.engine.dialect.name != "sqlite":
            return None
        path = self.engine.url.database
        if path in (None, "", ":memory:"):
            return None
        before = _file_size(path)
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            mode = driver.execute("PRAGMA auto_vacuum").fetchone()[0]
            if mode != INCREMENTAL:  # a file from before pontes set it: convert it once
                driver.execute("PRAGMA auto_vacuum=INCREMENTAL")
                driver.execute("VACUUM")
            else:
                # executescript steps the pragma to its end: execute() frees one page only
                driver.executescript("PRAGMA incremental_vacuum;")
            driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            raw.close()
        return max(0, before - _file_size(path))


def _file_size(path: str) -> int:
    """The bytes of a SQLite database file and its write-ahead log."""
    return sum(candidate.stat().st_size for candidate in (Path(path), Path(f"{path}-wal"))
               if candidate.exists())
