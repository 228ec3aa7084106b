"""One process's engine: the inbox, the runner and the pollers, sharing store and metrics."""

from __future__ import annotations

from ..runtime import Runtime
from ..store import Store
from .committer import delivery_writer
from .inbox import Inbox
from .metrics import Metrics
from .poller import Poller
from .runner import Runner
from .settings import Settings


class Engine:
    """Wires the parts together: stored events wake the runner; vendor calls are counted.

    ``start()`` and ``stop()`` are called by the server's lifespan; a test or a worker
    may use them directly.
    """

    def __init__(self, runtime: Runtime, store: Store, settings: Settings | None = None,
                 metrics: Metrics | None = None):
        self.runtime = runtime
        self.store = store
        self.settings = settings or Settings()
        self.metrics = metrics or Metrics()
        self.committer = delivery_writer(store)
        self.runner = Runner(runtime, store, self.settings, self.metrics)
        self.inbox = Inbox(self.committer, self.metrics, on_stored=self.runner.wake,
                           links=self.runner.links,
                           context_timeout=self.settings.context_timeout)
        self.poller = Poller(runtime, store, self.metrics, on_stored=self.runner.wake)

    async def start(self) -> None:
        """Start storing deliveries, running events (unless disabled) and polling."""
        self.runtime.call_observers.append(self.metrics.vendor_call)
        self.committer.start()
        if self.settings.run_events:
            await self.runner.start()
        if self.settings.poll:
            self.poller.start()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop polling and running (running events get ``grace`` seconds to finish, then
        are interrupted and queued again), then flush what is queued for the store."""
        await self.poller.stop()
        if self.settings.run_events:
            await self.runner.stop(grace)
        await self.committer.stop()
        if self.metrics.vendor_call in self.runtime.call_observers:
            self.runtime.call_observers.remove(self.metrics.vendor_call)

    async def refresh_metrics(self) -> None:
        """Update the store-derived gauges (queue depth, dead letters, last success)."""
        counts = await self.store.run(self.store.events.status_counts)
        last = await self.store.run(self.store.events.last_successes)
        self.metrics.refresh(counts, last)
