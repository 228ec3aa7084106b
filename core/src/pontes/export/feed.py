"""Reading a stream's async generator from the loader's synchronous world.

Plugins read vendors with async code (``VendorClient``); dlt pulls rows from ordinary
iterators. ``LoopThread`` runs one event loop in a background thread for a whole export
(the connection's HTTP client lives on it), and ``RecordFeed`` runs one stream's
``read()`` there, handing its records over in batches through a bounded queue: the reader
waits when the loader is behind, so memory stays flat however large the export.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future, wait
from contextlib import aclosing
from typing import Any

from ..connection import Connection
from ..connector import Stream
from .errors import ExportError

_END = object()
_POLL = 0.05


class LoopThread:
    """An asyncio event loop in a daemon thread, for running coroutines from sync code."""

    def __init__(self, name: str = "pontes-export-io"):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def submit(self, coroutine: Coroutine[Any, Any, Any]) -> Future[Any]:
        """Schedule ``coroutine`` on the loop; its result arrives through the future."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coroutine`` on the loop and wait for its result."""
        return self.submit(coroutine).result()

    def close(self) -> None:
        """Stop the loop and wait for its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self.loop.close()


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


class RecordFeed:
    """The records of one ``stream.read(connection, cursor)``, in batches of raw dicts.

    ``batches()`` yields lists of records in the order the stream produced them and
    re-raises, in the caller's thread, an error the read raised. ``close()`` stops the read
    early (the generator is closed properly, on its own loop).
    """

    def __init__(self, io: LoopThread, stream: Stream, connection: Connection, cursor: Any,
                 *, batch_size: int = 200, depth: int = 8):
        self.stream = stream
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._batch_size = batch_size
        self._future = io.submit(self._produce(connection, cursor))
        self.finished = False

    async def _produce(self, connection: Connection, cursor: Any) -> None:
        batch: list[dict[str, Any]] = []
        try:
            async with aclosing(self.stream.read(connection, cursor)) as records:
                async for record in records:
                    batch.append(record)
                    if len(batch) >= self._batch_size:
                        if not await self._put(batch):
                            return
                        batch = []
            if batch and not await self._put(batch):
                return
            await self._put(_END)
        except Exception as exc:
            if batch and not await self._put(batch):
                return
            await self._put(_Failure(exc))

    async def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put_nowait(item)
                return True
            except queue.Full:
                await asyncio.sleep(_POLL / 10)
        return False

    def batches(self) -> Iterator[list[dict[str, Any]]]:
        """Batches of records until the read ends; the read's own error is raised here."""
        while not self.finished:
            try:
                item = self._queue.get(timeout=_POLL)
            except queue.Empty:
                if self._future.done() and self._queue.empty():
                    self._future.result()
                    raise ExportError(f"stream {self.stream.name!r}: the read stopped "
                                      "without finishing") from None
                continue
            if item is _END:
                self.finished = True
                return
            if isinstance(item, _Failure):
                self.finished = True
                raise item.error
            yield item

    def close(self) -> None:
        """Stop reading (if still going) and wait until the read has let go.

        A failed read has already raised its error from ``batches()``.
        """
        self._stop.set()
        wait([self._future], timeout=30)
