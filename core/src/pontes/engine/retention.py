"""The configured retention (``retention: 30d``), applied once a day.

Which events go and which stay is ``pontes.store.retention``'s: finished events
(``succeeded``, ``ignored``) older than the retention, with their attempts; dead letters
stay until replayed or purged with ``pontes purge --dead-letters``.

- With SQLite, the one process that runs events applies it when it starts and every
  ``PURGE_EVERY`` seconds after (``start``/``stop``), then gives the space back.
- With PostgreSQL, the workers run it as a Procrastinate periodic task (``PURGE_CRON``,
  ``pontes.engine.tasks``), deferred once for the whole cluster.

Batches go through ``Store.run``, so deliveries are stored between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from ..durations import describe_duration
from ..store import Store
from ..store.retention import Purged, cutoff, purged_statuses

log = logging.getLogger("pontes.retention")

PURGE_EVERY = 86_400.0
"""Seconds between two purges of the embedded engine."""
PURGE_CRON = "17 3 * * *"
"""When the workers of a PostgreSQL store purge: every day at 03:17 UTC."""


class Retention:
    """Deletes what the configured retention no longer keeps (nothing without one)."""

    def __init__(self, store: Store, keep: timedelta | None):
        self.store = store
        self.keep = keep
        self._daily: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        """Whether a retention is configured."""
        return self.keep is not None

    async def apply(self, now: datetime | None = None) -> Purged | None:
        """Delete the finished events older than the retention, batch by batch, then give
        SQLite's space back; ``None`` without a retention."""
        if self.keep is None:
            return None
        before = cutoff(self.keep, now)
        statuses = purged_statuses(dead_letters=False)
        removed_events = removed_attempts = 0
        while True:
            batch_events, batch_attempts = await self.store.run(
                self.store.retention.purge_batch, before, statuses)
            removed_events += batch_events
            removed_attempts += batch_attempts
            if batch_events == 0:
                break
        reclaimed = (await self.store.run(self.store.retention.reclaim_space)
                     if removed_events else None)
        if removed_events:
            log.info("retention %s: deleted %d finished event(s) and %d attempt(s)",
                     describe_duration(self.keep), removed_events, removed_attempts)
        return Purged(removed_events, removed_attempts, reclaimed)

    def start(self) -> None:
        """Apply the retention now and then every ``PURGE_EVERY`` seconds, in the
        background (the embedded engine of a SQLite store)."""
        if self.keep is not None and self._daily is None:
            self._daily = asyncio.get_running_loop().create_task(self._every_day(),
                                                                 name="pontes-retention")

    async def stop(self) -> None:
        """Stop applying it (a purge under way stops between two batches' transactions)."""
        if self._daily is not None:
            self._daily.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._daily
            self._daily = None

    async def _every_day(self) -> None:
        while True:
            try:
                await self.apply()
            except Exception:
                log.exception("the retention purge failed; it is tried again tomorrow")
            await asyncio.sleep(PURGE_EVERY)
