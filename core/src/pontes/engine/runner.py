"""The in-process runner: the queue of a SQLite store, in the one process that owns it.

It claims the due events from the ``events`` table (``EventRepository.claim``: events
about one entity one at a time, in arrival order) and runs at most ``concurrency`` at
once, each through the ``AttemptRunner``. New events, finished ones and replays wake it;
otherwise it looks at the queue every ``idle_interval`` seconds or when the next retry
comes due.

One process owns a SQLite store (``pontes serve`` refuses to start a second), so every
event left ``running`` when it starts was cut short by the death of the last one: it runs
again, its attempt recorded as crashed, unless it crashed ``max_crashes`` times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ..store import Claimed, Store, utcnow
from .attempts import AttemptRunner
from .settings import Settings

log = logging.getLogger("pontes.runner")


class Runner:
    """Runs the stored events of a SQLite store in the background of its server."""

    def __init__(self, store: Store, attempts: AttemptRunner, settings: Settings):
        self.store = store
        self.attempts = attempts
        self.settings = settings
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._claim_batch = max(1, settings.concurrency // 4)
        self._wake = asyncio.Event()
        self._stopping = False
        self._claiming: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look at the queue now (new events were stored or replayed, or one finished)."""
        self._wake.set()

    async def start(self) -> None:
        """Take back the events the last process left running, then start running events."""
        requeued, dead = await self.store.run(self.store.events.recover,
                                              self.settings.max_crashes)
        if requeued:
            log.warning("%d event(s) were running when the last process stopped; they run "
                        "again", requeued)
        if dead:
            log.error("%d event(s) stopped the process running them %d times; they are dead "
                      "(see pontes events --status dead)", dead, self.settings.max_crashes)
        self._stopping = False
        self._claiming = asyncio.get_running_loop().create_task(self._claim_forever(),
                                                                name="pontes-runner")

    async def stop(self, grace: float) -> None:
        """Stop claiming, let running events finish for ``grace`` seconds, then cancel them
        (a cancelled event is recorded as interrupted and runs again at the next start)."""
        self._stopping = True
        self._wake.set()
        if self._claiming is not None:
            await asyncio.gather(self._claiming, return_exceptions=True)
        running = list(self._inflight.values())
        if running:
            _done, pending = await asyncio.wait(running, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _claim_forever(self) -> None:
        while not self._stopping:
            self._wake.clear()
            free = self.settings.concurrency - len(self._inflight)
            if free <= 0 or (self._inflight and free < self._claim_batch):
                await self._wake.wait()  # busy: wait until enough slots free up
                continue
            try:
                claimed = await self.store.run(self.store.events.claim, free)
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
        task = asyncio.get_running_loop().create_task(self.attempts.run(claimed),
                                                      name=f"pontes-event-{claimed.id}")
        self._inflight[claimed.id] = task

        def done(_task: asyncio.Task) -> None:
            self._inflight.pop(claimed.id, None)
            self._wake.set()

        task.add_done_callback(done)
