"""Rate limits: a vendor's published budget, the token bucket that keeps to it, and the
budgets object that decides which clients share a bucket.

A ``VendorClient`` takes one token from its connection's bucket before every call. The
buckets are owned by a ``RateBudgets`` that the runtime creates and hands to each of its
connections, so every client of one connection draws on one budget, and two runtimes never
share. ``InProcessRateBudgets`` keeps the buckets in memory; an implementation that keeps
them in the store can share them between processes without the client noticing.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class RateLimit:
    """A vendor's published request budget: ``requests`` per ``per_seconds``.

    ``burst`` is how many calls may go at once after a quiet spell (default: all of them,
    which is how per-minute vendor limits behave).
    """

    requests: int
    per_seconds: float = 60.0
    burst: int | None = None


@runtime_checkable
class RateBucket(Protocol):
    """What a client needs from a bucket: ``acquire()`` waits until one call fits."""

    async def acquire(self) -> float:
        """Take one token, waiting as long as needed; returns the seconds waited."""
        ...


@runtime_checkable
class RateBudgets(Protocol):
    """Where the rate-limit buckets of connections live.

    ``bucket(connection, limit)`` returns the bucket that every client of ``connection``
    with that ``limit`` shares: the same bucket for the same pair, for as long as the
    budgets object lives.
    """

    def bucket(self, connection: str, limit: RateLimit) -> RateBucket:
        """The shared bucket of ``connection`` for ``limit``."""
        ...


class TokenBucket:
    """An async token bucket: ``acquire()`` waits until a call fits the rate limit.

    Each caller reserves its token at once (the balance may go below zero) and then sleeps
    until the balance it borrowed from has refilled, so callers are served in order with
    no lock held across an ``await``. That keeps one bucket usable from any event loop.
    ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        if limit.requests <= 0 or limit.per_seconds <= 0:
            raise ValueError(f"a rate limit needs positive requests and per_seconds, got {limit}")
        self.rate = limit.requests / limit.per_seconds
        self.capacity = float(limit.burst or limit.requests)
        self.tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._guard = threading.Lock()

    def _reserve(self) -> float:
        with self._guard:
            now = self._clock()
            self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate)
            self._updated = now
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def acquire(self) -> float:
        """Take one token, sleeping as long as needed; returns the seconds waited."""
        delay = self._reserve()
        if delay <= 0:
            return 0.0
        try:
            await self._sleep(delay)
        except BaseException:
            with self._guard:
                self.tokens += 1
            raise
        return delay


class InProcessRateBudgets:
    """``RateBudgets`` kept in memory: one ``TokenBucket`` per connection and limit.

    The buckets are shared by whoever holds this object (the connections of one runtime)
    and by nobody else; each process keeps to the whole limit on its own.
    """

    def __init__(self) -> None:
        self._buckets: dict[tuple[str, RateLimit], TokenBucket] = {}
        self._guard = threading.Lock()

    def bucket(self, connection: str, limit: RateLimit) -> TokenBucket:
        """The bucket of ``connection`` for ``limit``, made on first use."""
        key = (connection, limit)
        with self._guard:
            if key not in self._buckets:
                self._buckets[key] = TokenBucket(limit)
            return self._buckets[key]
