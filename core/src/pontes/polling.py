"""What a polling trigger reads from a vendor list sorted newest change first.

A poller whose vendor lists records by modification time, newest first, reads page after
page until it meets a record changed before its cursor; what it read is the change since
the cursor, given back oldest first so that events are made in the order things changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from typing import Any, Protocol, TypeVar


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


Row = TypeVar("Row")
Moment = TypeVar("Moment", bound=_Ordered)


async def changed_since(newest_first: AsyncIterable[list[Row]], since: Moment,
                        modified: Callable[[Row], Moment | None]) -> list[Row]:
    """The rows of ``newest_first`` (pages, newest change first) changed at or after
    ``since``, oldest first; the pages are read no further than the first older row. A
    row without a modification time (``modified`` gives ``None``) is passed over."""
    found: list[Row] = []
    async for page in newest_first:
        for row in page:
            at = modified(row)
            if at is None:
                continue
            if at < since:
                return found[::-1]
            found.append(row)
    return found[::-1]
