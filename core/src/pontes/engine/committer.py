"""Group commit: writes that arrive while one transaction commits share the next one.

A caller's ``submit`` returns only after the transaction holding its write has
committed, so an answered webhook delivery is durable; batching the concurrent ones turns
hundreds of small transactions into a few large ones. When a batch fails, its items are
written one by one, so one bad item cannot fail the others.

Two are used: one storing deliveries (``delivery_writer``), one recording the outcomes of
attempts (``outcome_writer``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from ..store import NewEvent, Outcome, Store

log = logging.getLogger("pontes.engine")

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Batches concurrent ``submit(item)`` calls into ``write(items) -> results`` calls.

    ``write`` runs on the store's threads and must return one result per item, in order,
    after committing them all; ``size(item)`` counts an item against ``max_batch``.
    """

    def __init__(self, store: Store, write: Callable[[list[T]], Sequence[R]], *,
                 name: str, max_batch: int = 1000, size: Callable[[T], int] = lambda _: 1):
        self.store = store
        self.write = write
        self.name = name
        self.max_batch = max_batch
        self.size = size
        self._pending: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the background writer (in a running event loop)."""
        self._task = asyncio.get_running_loop().create_task(self._write_forever(),
                                                            name=f"pontes-{self.name}")

    async def stop(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._task is None:
            return
        while self._pending:
            await self._write_batch()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def submit(self, item: T) -> R:
        """Write ``item`` and return its result once committed (or raise)."""
        if self._task is None:
            return (await self.store.run(self.write, [item]))[0]
        future = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._ready.set()
        return await future

    async def _write_forever(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._pending:
                await self._write_batch()

    async def _write_batch(self) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        size = 0
        while self._pending and (not batch or size + self.size(self._pending[0][0])
                                 <= self.max_batch):
            item, future = self._pending.popleft()
            batch.append((item, future))
            size += self.size(item)
        try:
            results = await self.store.run(self.write, [item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exception=exc)
                return
            log.warning("%s: a batch of %d failed (%s); writing them one by one", self.name,
                        len(batch), type(exc).__name__)
            for item, future in batch:
                try:
                    _settle(future, (await self.store.run(self.write, [item]))[0])
                except Exception as single:
                    _settle(future, exception=single)
            return
        for (_item, future), result in zip(batch, results, strict=True):
            _settle(future, result)


def _settle(future: asyncio.Future, result=None, exception: BaseException | None = None) -> None:
    if future.done():  # the caller went away (a client hung up); the write stands
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)


def delivery_writer(store: Store) -> GroupCommit[list[NewEvent], list[int | None]]:
    """Stores the events of deliveries; per delivery, per event: its id or ``None``."""

    def write(deliveries: list[list[NewEvent]]) -> list[list[int | None]]:
        ids = store.events.insert([row for rows in deliveries for row in rows])
        split, start = [], 0
        for rows in deliveries:
            split.append(ids[start:start + len(rows)])
            start += len(rows)
        return split

    return GroupCommit(store, write, name="deliveries", size=len)


def outcome_writer(store: Store) -> GroupCommit[Outcome, bool]:
    """Records attempt outcomes; per outcome, whether the event was still that attempt's."""
    return GroupCommit(store, store.events.finish_many, name="outcomes")
