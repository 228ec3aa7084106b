"""Group commit: the deliveries that arrive while one transaction commits share the next.

Every delivery is answered only after the transaction holding its events has committed,
so an answered delivery is durable; batching the concurrent ones turns hundreds of small
transactions into a few large ones. When a batch fails, its deliveries are retried one by
one, so one bad delivery cannot fail the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from ..store import NewEvent, Store

log = logging.getLogger("pontes.engine")


class GroupCommitter:
    """Stores the events of concurrent deliveries in shared transactions."""

    def __init__(self, store: Store, max_batch: int = 1000):
        self.store = store
        self.max_batch = max_batch
        self._pending: deque[tuple[list[NewEvent], asyncio.Future[list[int | None]]]] = deque()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the background writer (in a running event loop)."""
        self._task = asyncio.get_running_loop().create_task(self._write_forever(),
                                                            name="pontes-group-commit")

    async def stop(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._task is None:
            return
        while self._pending:
            await self._write_batch()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def submit(self, rows: list[NewEvent]) -> list[int | None]:
        """Store ``rows`` (one delivery) and return, per row, its id or ``None`` (duplicate).

        Returns after the commit; raises if the rows could not be stored.
        """
        if self._task is None:
            return await self.store.run(self.store.events.insert, rows)
        future = asyncio.get_running_loop().create_future()
        self._pending.append((rows, future))
        self._ready.set()
        return await future

    async def _write_forever(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._pending:
                await self._write_batch()

    async def _write_batch(self) -> None:
        batch, size = [], 0
        while self._pending and (not batch or size + len(self._pending[0][0]) <= self.max_batch):
            rows, future = self._pending.popleft()
            batch.append((rows, future))
            size += len(rows)
        try:
            ids = await self.store.run(self.store.events.insert,
                                       [row for rows, _ in batch for row in rows])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exception=exc)
                return
            log.warning("a batch of %d deliveries failed to store (%s); storing them one "
                        "by one", len(batch), type(exc).__name__)
            for rows, future in batch:
                try:
                    _settle(future, await self.store.run(self.store.events.insert, rows))
                except Exception as single:
                    _settle(future, exception=single)
            return
        start = 0
        for rows, future in batch:
            _settle(future, ids[start:start + len(rows)])
            start += len(rows)


def _settle(future: asyncio.Future, result=None, exception: BaseException | None = None) -> None:
    if future.done():  # the delivery's client went away; its events are stored all the same
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(result)
