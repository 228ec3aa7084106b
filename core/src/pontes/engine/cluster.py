"""The queue of a PostgreSQL store: a Procrastinate worker in this process.

Any number of processes on any number of machines run one each (``pontes worker``, and
``pontes serve`` unless ``--no-worker``); Procrastinate hands each job to one of them. The
worker runs at most ``concurrency`` events at once, wakes when a job is deferred or a job
holding a lock ends (a trigger, see migration 0003), and otherwise looks for jobs at least
once a second. It proves it is alive every ``heartbeat_interval``; the periodic tick of
any worker hands back the jobs of a worker silent for ``stalled_after`` (killed, or cut
off from the database).

When the database goes away, Procrastinate's worker stops: its runs get
``shutdown_grace`` seconds to finish and are then handed back. This process starts a new
worker as soon as the database answers again, so a PostgreSQL restart needs no operator.
Because ``heartbeat_interval + shutdown_grace < stalled_after``, a cut-off worker has
stopped its runs before anyone runs them again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import TYPE_CHECKING

from ..store import Store
from ..store.jobs import QUEUE
from .attempts import AttemptRunner
from .poller import Poller
from .retention import Retention
from .settings import Settings

if TYPE_CHECKING:
    from procrastinate.worker import Worker

log = logging.getLogger("pontes.worker")

MAX_FETCH_INTERVAL = 1.0
"""Seconds, at most, between looks for jobs: how late a retry that came due may start
when nothing else wakes the worker."""
RESTART_DELAYS = (0.5, 1.0, 2.0, 5.0)
"""Seconds between attempts to start a worker again after the database went away."""


class ClusterQueue:
    """Runs a Procrastinate worker for as long as the engine runs, restarting it after
    database failures."""

    def __init__(self, store: Store, attempts: AttemptRunner, poller: Poller,
                 settings: Settings, retention: Retention | None = None):
        self.store = store
        self.retention = retention
        self.attempts = attempts
        self.poller = poller
        self.settings = settings
        self.name = f"pontes@{socket.gethostname()}:{os.getpid()}"
        self._worker: Worker | None = None
        self._running: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """Nothing to do: a deferred job wakes every worker through the database."""

    async def start(self) -> None:
        """Start the worker in the background."""
        self._stopping = False
        self._running = asyncio.get_running_loop().create_task(self._run_forever(),
                                                               name="pontes-worker")

    async def stop(self, grace: float) -> None:
        """Stop taking jobs; running events get ``grace`` seconds to finish, then are
        handed back (recorded as interrupted; another worker runs them)."""
        self._stopping = True
        if self._running is None:
            return
        worker = self._worker
        if worker is not None:
            worker.shutdown_graceful_timeout = grace
            worker.stop()
        else:  # between two workers: nothing runs
            self._running.cancel()
        await asyncio.gather(self._running, return_exceptions=True)
        self._running = None

    async def _run_forever(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                await self._run_one()
                failures = 0
            except Exception as exc:
                failures += 1
                log.warning("the worker stopped: %s", _describe(exc))
            if self._stopping:
                return
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
            log.warning("starting the worker again in %gs", delay)
            await asyncio.sleep(delay)

    async def _run_one(self) -> None:
        from procrastinate.worker import Worker  # pontes[postgres]

        from .tasks import build_app

        app = build_app(self.store, self.attempts, self.poller, self.settings,
                        self.retention)
        async with app.open_async():
            self._worker = Worker(
                app, queues=[QUEUE], name=self.name, concurrency=self.settings.concurrency,
                fetch_job_polling_interval=min(MAX_FETCH_INTERVAL, self.settings.idle_interval),
                abort_job_polling_interval=MAX_FETCH_INTERVAL,
                shutdown_graceful_timeout=self.settings.shutdown_grace,
                listen_notify=True, delete_jobs="successful", install_signal_handlers=False,
                update_heartbeat_interval=self.settings.heartbeat_interval,
                stalled_worker_timeout=self.settings.stalled_after)
            try:
                if self._stopping:
                    return
                log.info("worker %s runs up to %d events at once", self.name,
                         self.settings.concurrency)
                await self._worker.run()
            finally:
                self._worker = None


def _describe(error: BaseException) -> str:
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {str(cause).strip() or type(error).__name__}"
