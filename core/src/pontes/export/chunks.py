"""Cutting one stream's read into load packages, and the cursor each package commits.

A ``Chunker`` hands dlt at most ``size`` records per package, never two versions of one
record in the same package (a record read twice starts the next package), and writes
into the stream's dlt state the cursor that package makes safe:

- while the read comes in ascending cursor order, the highest cursor value read so far:
  every record below it has been read and is in this or an earlier package;
- once a record arrives out of order, no package but the last one moves the cursor;
- the cursor never moves backwards (records re-read through the lag window are older).

dlt commits that state with the package's data, so a cursor in the warehouse never
claims rows that are not there.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import dlt

from .errors import ExportError
from .feed import RecordFeed
from .plan import DELETED_COLUMN, Shaped, StreamPlan, TablePlan
from .progress import Progress

ROWS_PER_ITEM = 500
"""Rows handed to dlt in one list (per table)."""

CURSOR_STATE_KEY = "cursor"


class Chunker:
    """Feeds a stream's records to dlt one package at a time (see the module docstring)."""

    def __init__(self, plan: StreamPlan, feed: RecordFeed, size: int, stored: Any,
                 progress: Progress):
        if size < 1:
            raise ExportError(f"the batch size must be at least 1, got {size}")
        self.plan = plan
        self.size = size
        self.cursor = stored
        self.rows = 0
        self.child_rows: dict[str, int] = {}
        self._batches = feed.batches()
        self._buffer: deque[dict[str, Any]] = deque()
        self._highest = stored
        self._last: Any = None
        self._ordered = True
        self._progress = progress
        self._reported_children = 0

    def has_more(self) -> bool:
        """Whether the read has records left (waits for the next batch if need be)."""
        while not self._buffer:
            batch = next(self._batches, None)
            if batch is None:
                return False
            self._buffer.extend(batch)
        return True

    def chunk(self) -> Iterator[Any]:
        """The items of one load package, then the cursor it commits into the dlt state."""
        pending = _PendingRows(self.plan)
        keys: set[tuple[Any, ...]] = set()
        taken = unreported = 0
        while taken < self.size and self.has_more():
            record = self._buffer.popleft()
            shaped = self.plan.shape(record)
            if shaped.key is not None:
                if shaped.key in keys:
                    self._buffer.appendleft(record)
                    break
                keys.add(shaped.key)
            self._track(shaped.cursor)
            self._count(shaped)
            yield from pending.add(shaped)
            taken += 1
            unreported += 1
            if unreported == ROWS_PER_ITEM:
                self._report(unreported)
                unreported = 0
        yield from pending.flush()
        self._report(unreported)
        if self._ordered or not self.has_more():
            self.cursor = self._highest
        dlt.current.resource_state()[CURSOR_STATE_KEY] = self.plan.encode_cursor(self.cursor)

    def _track(self, value: Any) -> None:
        if value is None:
            return
        try:
            if self._last is not None and value < self._last:
                self._ordered = False
            if self._highest is None or value > self._highest:
                self._highest = value
        except TypeError:
            raise ExportError(f"stream {self.plan.name!r}: cursor values {self._last!r} and "
                              f"{value!r} cannot be compared") from None
        self._last = value

    def _count(self, shaped: Shaped) -> None:
        self.rows += 1
        for table, count in shaped.counts.items():
            self.child_rows[table] = self.child_rows.get(table, 0) + count

    def _report(self, rows: int) -> None:
        if rows:
            children = sum(self.child_rows.values())
            self._progress.rows_read(self.plan.name, rows, children - self._reported_children)
            self._reported_children = children


class _PendingRows:
    """Rows waiting to be handed to dlt, per table, in lists of ``ROWS_PER_ITEM``."""

    def __init__(self, plan: StreamPlan):
        self.root = plan.root.table
        self.rows: dict[str, list[dict[str, Any]]] = {self.root: []}
        self.clearing = [(table, _clearing_row_maker(table)) for table in plan.root.detached]
        for table in plan.root.detached:
            self.rows[table.table] = []

    def add(self, shaped: Shaped) -> Iterator[Any]:
        """Queue the rows of one record; yield the lists that are full."""
        self.rows[self.root].append(shaped.row)
        for table, make in self.clearing:
            self.rows[table.table].append(make(shaped.row))
        for table, row in shaped.detached:
            self.rows[table.table].append(row)
        for name, rows in self.rows.items():
            if len(rows) >= ROWS_PER_ITEM:
                yield dlt.mark.with_table_name(rows, name)
                self.rows[name] = []

    def flush(self) -> Iterator[Any]:
        """Yield every list still queued."""
        for name, rows in self.rows.items():
            if rows:
                yield dlt.mark.with_table_name(rows, name)
                self.rows[name] = []


def _clearing_row_maker(table: TablePlan) -> Any:
    """A function making, from a root row, the row that clears its rows from ``table``."""
    keys = [key for key in table.parent_key if key.column in table.merge_key]

    def make(root_row: dict[str, Any]) -> dict[str, Any]:
        row = {key.column: key.convert(root_row.get(key.parent_column)) if key.convert
               else root_row.get(key.parent_column) for key in keys}
        row[DELETED_COLUMN] = True
        return row

    return make
