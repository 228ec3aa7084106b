"""The runner: claims stored events and runs their integration's recipe.

- at most ``concurrency`` events run at once; events about one entity run one at a time,
  in arrival order (the store's ``claim`` sees to it);
- a retriable failure (rate limit, vendor 5xx, timeout, connection) runs again after a
  backoff with jitter, or after the vendor's ``Retry-After``, up to the integration's
  ``max_attempts``; then the event is dead. Any other failure is dead at once, with the
  vendor's message;
- a claimed event records the runner that claimed it. Events whose runner died run again:
  on SQLite, every event left running at start-up (one process owns the file); on
  PostgreSQL, those of runners whose advisory lock is gone, found at start-up and then
  periodically by every runner (``pontes.store.workers``). Leases, renewed while an
  event runs, are the fallback for a runner that hangs.

Runs are at-least-once: a recipe makes its effects idempotent through the links store
or by finding before creating, so a run repeated after a crash creates nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime, timedelta
from typing import Any

from pydantic_core import to_jsonable_python

from ..errors import PermanentFailure, PontesError, VendorUnavailable
from ..models import Event
from ..recipes import Integration, RunContext
from ..runtime import Runtime
from ..store import Claimed, Outcome, Store, StoreLinks, utcnow
from ..store.workers import WorkerLock
from .backoff import Backoff
from .committer import outcome_writer
from .explain import explain_failure
from .metrics import Metrics
from .settings import Settings

log = logging.getLogger("pontes.runner")

ORPHAN_CHECK_SECONDS = 5.0
"""How often a runner renews its leases and looks for events of runners that died."""


class Runner:
    """Runs stored events in the background of a server (or worker) process."""

    def __init__(self, runtime: Runtime, store: Store, settings: Settings | None = None,
                 metrics: Metrics | None = None):
        self.runtime = runtime
        self.store = store
        self.settings = settings or Settings()
        self.metrics = metrics
        self.backoff = Backoff(self.settings.backoff_base, self.settings.backoff_cap)
        self.links = StoreLinks(store.links, store.run)
        self.lock = WorkerLock(store.engine)
        self.outcomes = outcome_writer(store)
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._claim_batch = max(1, self.settings.concurrency // 4)
        self._wake = asyncio.Event()
        self._stopping = False
        self._claiming: asyncio.Task[None] | None = None
        self._leasing: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look at the queue now (new events were stored, or one finished)."""
        self._wake.set()

    async def start(self) -> int:
        """Take back events left running by a dead process, then start running events.

        Returns how many events were taken back.
        """
        await self.store.run(self.lock.acquire)
        self.outcomes.start()
        recovered = await self._recover(startup=True)
        if recovered:
            log.warning("%d event(s) were running when the last process stopped; they run "
                        "again", recovered)
        loop = asyncio.get_running_loop()
        self._claiming = loop.create_task(self._claim_forever(), name="pontes-runner")
        self._leasing = loop.create_task(self._keep_leases(), name="pontes-leases")
        return recovered

    async def stop(self, grace: float = 10.0) -> None:
        """Stop claiming, let running events finish for ``grace`` seconds, then cancel them
        (a cancelled event is queued again and its attempt recorded as interrupted)."""
        self._stopping = True
        self._wake.set()
        if self._leasing is not None:
            self._leasing.cancel()
            await asyncio.gather(self._claiming, self._leasing, return_exceptions=True)
        running = list(self._inflight.values())
        if running:
            _done, pending = await asyncio.wait(running, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self.outcomes.stop()
        await self.store.run(self.lock.release)

    async def _recover(self, startup: bool = False) -> int:
        """Queue again the events of runners that are gone (and of expired leases)."""
        if startup and self.store.is_sqlite:
            return await self.store.run(self.store.events.recover, everything=True)
        owners = await self.store.run(self.store.events.running_owners)
        dead = await self.store.run(self.lock.dead, owners)
        return await self.store.run(self.store.events.recover, owners=dead,
                                    exclude=list(self._inflight))

    # --- claiming -----------------------------------------------------------------------

    def _lease_until(self) -> datetime:
        return utcnow() + timedelta(seconds=self.settings.lease_seconds)

    async def _claim_forever(self) -> None:
        while not self._stopping:
            self._wake.clear()
            free = self.settings.concurrency - len(self._inflight)
            if free <= 0 or (self._inflight and free < self._claim_batch):
                await self._wake.wait()  # busy: wait until enough slots free up
                continue
            try:
                claimed = await self.store.run(self.store.events.claim, free,
                                               self._lease_until(),
                                               worker=self.lock.worker_id)
            except Exception:
                log.exception("could not claim events; trying again shortly")
                claimed = []
            for item in claimed:
                self._spawn(item)
            if len(claimed) < free:
                await self._idle()

    async def _idle(self) -> None:
        """Wait for a wake-up, the next retry coming due, or ``idle_interval``."""
        now = utcnow()
        timeout = self.settings.idle_interval
        try:
            due = await self.store.run(self.store.events.next_due, now)
        except Exception:
            log.exception("could not read the queue")
            due = None
        if due is not None:
            timeout = max(0.0, min(timeout, (due - now).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    def _spawn(self, claimed: Claimed) -> None:
        task = asyncio.get_running_loop().create_task(self._run(claimed),
                                                      name=f"pontes-event-{claimed.id}")
        self._inflight[claimed.id] = task

        def done(_task: asyncio.Task[None]) -> None:
            self._inflight.pop(claimed.id, None)
            self._wake.set()

        task.add_done_callback(done)

    async def _keep_leases(self) -> None:
        period = min(self.settings.lease_seconds / 3, ORPHAN_CHECK_SECONDS)
        while True:
            await asyncio.sleep(period)
            try:
                await self.store.run(self.store.events.renew, list(self._inflight),
                                     self._lease_until())
                recovered = await self._recover()
                if recovered:
                    log.warning("%d event(s) of a stopped or stuck runner run again",
                                recovered)
                    self._wake.set()
            except Exception:
                log.exception("could not renew leases")

    # --- running ------------------------------------------------------------------------

    async def _run(self, claimed: Claimed) -> None:
        integration = self.runtime.integrations.get(claimed.integration)
        started = time.perf_counter()
        try:
            result = await self._handle(claimed, integration)
        except asyncio.CancelledError:
            await self._finish(claimed, "interrupted", started,
                               error="stopped while running (the server shut down)")
            raise
        except Exception as exc:
            await self._failed(claimed, integration, exc, started)
        else:
            await self._finish(claimed, "succeeded", started, result=result)

    async def _handle(self, claimed: Claimed, integration: Integration | None) -> Any:
        if integration is None:
            raise PermanentFailure(f"integration {claimed.integration!r} is not in the "
                                   "configuration any more")
        event = Event.model_validate(claimed.event)
        context = RunContext(integration, event, claimed.role, self.links)
        try:
            async with asyncio.timeout(self.settings.attempt_timeout):
                summary = await integration.recipe.handle(context, event)
        except TimeoutError:
            raise VendorUnavailable(
                f"the run took longer than {self.settings.attempt_timeout:g} s") from None
        return {"summary": to_jsonable_python(summary, fallback=str), "notes": context.notes}

    async def _failed(self, claimed: Claimed, integration: Integration | None,
                      error: Exception, started: float) -> None:
        connections = integration.connections.values() if integration else ()
        message = explain_failure(error, connections)
        limit = integration.max_attempts if integration else 1
        if getattr(error, "retriable", False) and claimed.attempts_in_round < limit:
            delay = self.backoff.delay(claimed.attempts_in_round,
                                       getattr(error, "retry_after", None))
            log.info("event %d (%s) failed, retrying in %.2fs: %s", claimed.id,
                     claimed.integration, delay, message)
            await self._finish(claimed, "retry", started, error=message,
                               next_attempt_at=utcnow() + timedelta(seconds=delay))
            return
        if getattr(error, "retriable", False):
            message = f"gave up after {claimed.attempts_in_round} attempts: {message}"
        log.warning("event %d (%s) is dead: %s", claimed.id, claimed.integration, message,
                    exc_info=not isinstance(error, PontesError))
        await self._finish(claimed, "dead", started, error=message)

    async def _finish(self, claimed: Claimed, outcome: str, started: float,
                      **details: Any) -> None:
        seconds = time.perf_counter() - started
        try:
            current = await self.outcomes.submit(Outcome(
                claimed.id, claimed.attempt, outcome, duration_ms=round(seconds * 1000),
                **details))
        except Exception:
            log.exception("could not record the outcome of event %d; its lease will run out "
                          "and it will run again", claimed.id)
            return
        if not current:
            log.warning("event %d was taken back before attempt %d finished", claimed.id,
                        claimed.attempt)
        self._count(claimed.integration, outcome, seconds)

    def _count(self, integration: str, outcome: str, seconds: float) -> None:
        if self.metrics is None:
            return
        self.metrics.attempt_seconds.labels(integration, outcome).observe(seconds)
        if outcome == "succeeded":
            self.metrics.succeeded.labels(integration).inc()
            self.metrics.last_success.labels(integration).set(time.time())
        elif outcome in ("retry", "dead"):
            self.metrics.failed.labels(integration).inc()
            if outcome == "dead":
                self.metrics.dead.labels(integration).inc()
