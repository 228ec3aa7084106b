"""One attempt of a stored event: run its recipe, decide what comes next, record it.

Both queues use it: the in-process runner (SQLite) and the Procrastinate task (PostgreSQL).

- success: the event is ``succeeded`` with the recipe's summary and notes;
- a retriable failure (vendor 429, 5xx, timeout, no connection, a run longer than
  ``attempt_timeout``, the store failing under the run): ``retry`` after the backoff, or
  exactly after the vendor's ``Retry-After``, up to the integration's ``max_attempts``;
  then ``dead``;
- a vendor budget with no call free soon enough: ``deferred`` until a call is free, not
  counted against ``max_attempts``;
- any other failure: ``dead`` at once, with the vendor's message;
- cancelled (its process stops): ``interrupted``, and the event runs again.

Runs are at-least-once: a recipe makes its effects idempotent through the links store or
by finding before creating, so a run repeated after a crash creates nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.exc import InterfaceError, OperationalError

from ..errors import PermanentFailure, PontesError, RateLimitedError, VendorUnavailable
from ..logs import event_context, event_fields
from ..mapping.overrides import OverrideRefresher
from ..models import Event
from ..recipes import Integration, RunContext
from ..runtime import Runtime
from ..store import Claimed, Outcome, Store, StoreLinks, utcnow
from .backoff import Backoff
from .committer import outcome_writer
from .explain import explain_failure
from .metrics import Metrics
from .settings import Settings

log = logging.getLogger("pontes.runner")


def is_budget_wait(error: BaseException) -> bool:
    """Whether ``error`` is our own rate budget saying no call is free soon enough (a
    vendor's 429 carries its status; the budget's refusal has none)."""
    return isinstance(error, RateLimitedError) and error.status is None


def is_store_failure(error: BaseException) -> bool:
    """Whether ``error`` is the database failing under the run (unreachable, restarting):
    the event is not at fault, and runs again."""
    return isinstance(error, OperationalError | InterfaceError)


def is_retriable(error: BaseException) -> bool:
    """Whether a failed attempt is worth another one (see the module's list)."""
    return bool(getattr(error, "retriable", False)) or is_store_failure(error)


class AttemptRunner:
    """Runs attempts of stored events and records their outcomes (batched: see
    ``pontes.engine.committer``). ``start()`` before the first run, ``stop()`` after the
    last."""

    def __init__(self, runtime: Runtime, store: Store, settings: Settings,
                 metrics: Metrics | None = None):
        self.runtime = runtime
        self.store = store
        self.settings = settings
        self.metrics = metrics
        self.backoff = Backoff(settings.backoff_base, settings.backoff_cap)
        self.links = StoreLinks(store.links, store.run, store.synced)
        self.outcomes = outcome_writer(store)
        self.overrides = OverrideRefresher(runtime, store)

    def start(self) -> None:
        """Start the outcome writer (in a running event loop)."""
        self.outcomes.start()

    async def stop(self) -> None:
        """Write the outcomes still queued, then stop the writer."""
        await self.outcomes.stop()

    async def run(self, claimed: Claimed) -> Outcome | None:
        """Run one attempt and record it; returns the outcome recorded.

        ``None`` when it could not be recorded (the store failed, or the event was taken
        up again meanwhile): the attempt then stays open and counts as crashed when the
        event is taken up again. Cancelling the run records it as ``interrupted``.
        """
        with event_context(claimed.integration, claimed.id, claimed.attempt):
            return await self._run(claimed)

    async def _run(self, claimed: Claimed) -> Outcome | None:
        integration = self.runtime.integrations.get(claimed.integration)
        started = time.perf_counter()
        try:
            result = await self._handle(claimed, integration)
        except asyncio.CancelledError:
            await self._finish(claimed, started, "interrupted",
                               error="stopped while running (its process shut down)",
                               said="was stopped while running: it runs again")
            raise
        except Exception as exc:
            return await self._failed(claimed, integration, exc, started)
        return await self._finish(claimed, started, "succeeded", result=result)

    async def _handle(self, claimed: Claimed, integration: Integration | None) -> Any:
        if integration is None:
            raise PermanentFailure(f"integration {claimed.integration!r} is not in the "
                                   "configuration any more")
        await self.overrides.refresh()  # mappings saved on the admin pages, by any process
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
                      error: Exception, started: float) -> Outcome | None:
        connections = integration.connections.values() if integration else ()
        message = explain_failure(error, connections)
        retry_after = getattr(error, "retry_after", None)
        if is_budget_wait(error):
            delay = retry_after or self.settings.backoff_base
            return await self._finish(claimed, started, "deferred", error=message,
                                      next_attempt_at=utcnow() + timedelta(seconds=delay),
                                      said=f"waits {delay:.2f}s for its vendor budget")
        limit = integration.max_attempts if integration else 1
        if is_retriable(error) and claimed.attempts_in_round < limit:
            delay = self.backoff.delay(claimed.attempts_in_round, retry_after)
            return await self._finish(claimed, started, "retry", error=message,
                                      next_attempt_at=utcnow() + timedelta(seconds=delay),
                                      said=f"failed, retrying in {delay:.2f}s: {message}")
        if is_retriable(error):
            message = f"gave up after {claimed.attempts_in_round} attempts: {message}"
        return await self._finish(claimed, started, "dead", error=message,
                                  said=f"is dead: {message}",
                                  exc_info=not isinstance(error, PontesError))

    async def _finish(self, claimed: Claimed, started: float, outcome: str, *,
                      said: str | None = None, exc_info: bool = False,
                      **details: Any) -> Outcome | None:
        seconds = time.perf_counter() - started
        recorded = Outcome(claimed.id, claimed.attempt, outcome,
                           duration_ms=round(seconds * 1000), **details)
        try:
            current = await self.outcomes.submit(recorded)
        except Exception:
            log.exception("could not record the outcome of event %d; it runs again",
                          claimed.id)
            return None
        if not current:
            log.warning("event %d was taken up again before attempt %d finished", claimed.id,
                        claimed.attempt)
            return None
        _log_outcome(claimed, outcome, seconds, said or outcome, exc_info)
        self._count(claimed.integration, outcome, seconds)
        return recorded

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


def _log_outcome(claimed: Claimed, outcome: str, seconds: float, said: str,
                 exc_info: bool) -> None:
    """One line per finished attempt, with its duration: INFO, WARNING for a dead event."""
    milliseconds = round(seconds * 1000)
    level = logging.WARNING if outcome == "dead" else logging.INFO
    log.log(level, "event %d (%s) %s [%d ms]", claimed.id, claimed.integration, said,
            milliseconds, exc_info=exc_info,
            extra={**event_fields(claimed.integration, claimed.id, claimed.attempt),
                   "duration_ms": milliseconds, "outcome": outcome})
