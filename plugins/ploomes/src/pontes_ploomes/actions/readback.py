"""Reading a new record back after creating it, without losing it when the read fails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pontes.plugin import VendorError

T = TypeVar("T")


async def read_back(read: Callable[[], Awaitable[T]], answered: Callable[[], T]) -> T:
    """The new record as ``read`` fetches it (with its expansions), or, when that read
    fails, as ``answered`` builds it from the create's own answer: the record exists and
    its id is known, so a failed read must not make the caller create it again."""
    try:
        return await read()
    except VendorError:
        return answered()
