"""One process's engine: the inbox, a queue that runs events, and polling.

The queue depends on the store (see ``pontes.engine.queue``): with SQLite the in-process
runner and pollers; with PostgreSQL a Procrastinate worker, which also runs the polls the
cluster schedules.
"""

from __future__ import annotations

from ..runtime import Runtime
from ..store import Store
from .attempts import AttemptRunner
from .cluster import ClusterQueue
from .committer import delivery_writer
from .inbox import Inbox
from .metrics import Metrics
from .poller import Poller
from .queue import EventQueue
from .retention import Retention
from .runner import Runner
from .settings import Settings


class Engine:
    """Wires the parts together: stored events reach the queue; vendor calls are counted.

    ``start()`` and ``stop()`` are called by the server's lifespan or the worker command;
    a test may use them directly. ``settings.run_events`` off: this process only stores
    (a web process with ``--no-worker``).
    """

    def __init__(self, runtime: Runtime, store: Store, settings: Settings | None = None,
                 metrics: Metrics | None = None):
        self.runtime = runtime
        self.store = store
        self.settings = settings or Settings()
        self.metrics = metrics or Metrics()
        self.committer = delivery_writer(store)
        self.attempts = AttemptRunner(runtime, store, self.settings, self.metrics)
        self.poller = Poller(runtime, store, self.metrics, on_stored=self.wake)
        self.retention = Retention(store, runtime.config.retention)
        self.queue: EventQueue = (
            Runner(store, self.attempts, self.settings) if store.is_sqlite
            else ClusterQueue(store, self.attempts, self.poller, self.settings,
                              self.retention))
        self.inbox = Inbox(self.committer, self.metrics, on_stored=self.wake,
                           links=self.attempts.links,
                           context_timeout=self.settings.context_timeout)

    def wake(self) -> None:
        """Tell the queue that events were stored or replayed."""
        self.queue.wake()

    async def start(self) -> None:
        """Start storing deliveries, running events (unless disabled), polling, and with
        SQLite the daily retention purge (PostgreSQL workers run it as a periodic task)."""
        self.runtime.call_observers.append(self.metrics.vendor_call)
        self.committer.start()
        if self.settings.run_events:
            self.attempts.start()
            await self.queue.start()
            if self.store.is_sqlite:
                self.retention.start()
        if self.settings.poll and self.store.is_sqlite:
            self.poller.start()

    async def stop(self, grace: float | None = None) -> None:
        """Stop polling and running (running events get ``grace`` seconds, default
        ``settings.shutdown_grace``, to finish, then are handed back to run again), then
        flush what is queued for the store."""
        await self.poller.stop()
        await self.retention.stop()
        if self.settings.run_events:
            await self.queue.stop(self.settings.shutdown_grace if grace is None else grace)
            await self.attempts.stop()
        await self.committer.stop()
        if self.metrics.vendor_call in self.runtime.call_observers:
            self.runtime.call_observers.remove(self.metrics.vendor_call)

    async def refresh_metrics(self) -> None:
        """Update the store-derived gauges (queue depth, dead letters, last success,
        oldest waiting event)."""
        counts = await self.store.run(self.store.events.status_counts)
        last = await self.store.run(self.store.events.last_successes)
        oldest = await self.store.run(self.store.events.oldest_waiting)
        self.metrics.refresh(counts, last, oldest)
