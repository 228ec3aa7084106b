"""Rate limits: a vendor's published budget, the buckets that keep to it, and the budgets
object that decides which clients share a bucket.

A vendor counts calls over a rolling window ("10 a minute"), so a bucket must never let
more than the limit through in *any* window of that length, not only in each minute since
it was made. The buckets here keep the vendor's own count: a log of the times calls were
let through. A call may go when fewer than ``requests`` calls of the log lie in the window
before it, so an idle account gets its whole budget at once, a busy one gets all of it but
a small safety margin (``RateLimit.window``), and no window ever holds more.

A ``VendorClient`` takes one call from its account's bucket before every request; a wait
longer than the client accepts inline is not slept through but raised as a
``RateLimitedError``, so the engine reschedules the event. A vendor's 429 or
``Retry-After`` pauses the bucket, which holds back every client sharing it.

The buckets are owned by a ``RateBudgets`` that the runtime creates and hands to its
connections. ``InProcessRateBudgets`` keeps them in memory, for one process;
``pontes.store.StoreRateBudgets`` keeps them in the store, shared by every process. Both
share ``WindowBucket`` (the waiting, pausing and refunds) and ``window_reserve`` (the
arithmetic), and differ only in where the log lives.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..errors import RateLimitedError

MARGIN_SHARE = 0.02
"""Share of a vendor's window added to it, to absorb the spread of network delays and
timer wake-ups between the moment we let a call go and the moment the vendor counts it."""

MARGIN_MIN = 0.05
"""The margin is never under this many seconds (a per-second limit needs more than 2%)."""

MARGIN_MAX = 1.0
"""The margin never exceeds this many seconds (1 s of a minute's window is plenty)."""


@dataclass(frozen=True)
class RateLimit:
    """A vendor's published request budget: ``requests`` per rolling ``per_seconds``."""

    requests: int
    per_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.requests <= 0 or not self.per_seconds > 0:
            raise ValueError(f"a rate limit needs positive requests and per_seconds, got {self}")

    @property
    def window(self) -> float:
        """The window the buckets count in: the vendor's, plus a margin of 2% (at least
        0.05 s, at most 1 s). A busy account gets ``per_seconds / window`` of its budget:
        98% or more of a per-minute limit, 95% of a per-second one."""
        margin = min(MARGIN_MAX, max(MARGIN_MIN, MARGIN_SHARE * self.per_seconds))
        return self.per_seconds + margin


def window_reserve(calls: Sequence[float], paused_until: float, now: float, limit: RateLimit,
                   max_wait: float = math.inf) -> tuple[float, list[float] | None]:
    """Reserve one call asked for at ``now``: ``(wait, new_calls)``.

    ``calls`` is the log of the times calls were let through (oldest first, some perhaps
    still ahead, reserved by waiting callers). The call may start ``wait`` seconds from
    now: no sooner than the end of a pause, than the last call of the log (callers are
    served in order), and than the moment the ``requests``-th latest call leaves the
    window. ``new_calls`` is the log to keep: the calls that still count, and this one.
    When ``wait`` exceeds ``max_wait`` nothing is taken and ``new_calls`` is ``None``.
    ``StoreRateBudgets`` keeps the log in the store and runs this same function.
    """
    counted = [at for at in calls if at > now - limit.window]
    start = max(now, paused_until, counted[-1] if counted else now)
    if len(counted) >= limit.requests:
        start = max(start, counted[-limit.requests] + limit.window)
    wait = start - now
    if wait > max_wait:
        return wait, None
    return wait, [*counted, start]


def without_call(calls: Sequence[float], at: float) -> list[float]:
    """The log without one call made at ``at`` (a reservation handed back).

    Taking any call out of a log that kept every window leaves one that still does, so a
    cancelled wait can give its turn back even when later turns were reserved after it.
    """
    kept = list(calls)
    if at in kept:
        kept.remove(at)
    return kept


def account_digest(key: bytes, name: str) -> str:
    """What a budget is kept under: a keyed hash of its ``budget_name`` (64 hex digits),
    which keeps anything derived from credentials out of memory dumps and the store."""
    return hmac.new(key, name.encode(), hashlib.sha256).hexdigest()


def budget_name(connection: str, account: str | None) -> str:
    """What a budget is named after: the account when known, else the connection."""
    return f"account:{account}" if account is not None else f"connection:{connection}"


@runtime_checkable
class RateBucket(Protocol):
    """What a client needs from a bucket: a turn to call, and a way to hold everyone back."""

    async def acquire(self, max_wait: float = math.inf) -> float:
        """Take one call, waiting as long as needed up to ``max_wait`` seconds.

        Returns the seconds waited. When the call could not start within ``max_wait``,
        takes nothing and raises ``RateLimitedError`` whose ``retry_after`` says when a
        call would be free.
        """
        ...

    async def pause(self, seconds: float) -> None:
        """Hold every call of this bucket, in every process sharing it, for ``seconds``.

        For a vendor's 429 or ``Retry-After``, or a lock-out the plugin knows of.
        """
        ...

    async def usage(self) -> BudgetUsage:
        """How much of the budget is taken now, and how long a pause still holds it."""
        ...


@runtime_checkable
class RateBudgets(Protocol):
    """Where the rate-limit buckets of vendor accounts live.

    ``bucket(connection, limit, account)`` returns the bucket that every client calling
    as ``account`` with that ``limit`` shares, for as long as the budgets object lives.
    ``account`` (``VendorClient.account``) names whom the vendor counts calls against;
    without it the connection's name does. ``connection`` is also used in messages.
    """

    def bucket(self, connection: str, limit: RateLimit,
               account: str | None = None) -> RateBucket:
        """The shared bucket of ``account`` (or ``connection``) for ``limit``."""
        ...


@dataclass(frozen=True)
class Reservation:
    """A bucket's answer to a request for one call.

    The call may start in ``wait`` seconds, at ``at`` in the bucket's clock (``None`` when
    the wait was too long and nothing was taken); ``paused_until`` is the end of the last
    pause known when the reservation was made.
    """

    wait: float
    at: float | None
    paused_until: float


@dataclass(frozen=True)
class BudgetUsage:
    """A bucket's state now: ``used`` calls of ``limit`` in the current window (turns
    reserved for callers still waiting included), and ``paused_for`` seconds left of a
    pause (0 when none holds it)."""

    used: int
    limit: RateLimit
    paused_for: float


class WindowBucket(ABC):
    """A bucket keeping to a ``RateLimit`` over every rolling window: waiting, pausing,
    refunds.

    Each caller reserves its turn at once and then sleeps until it comes, so callers are
    served in order and no lock is held across an ``await``. A caller woken inside a pause
    that began while it slept gives its turn up and reserves again. A cancelled wait hands
    its turn back. Subclasses keep the log and the end of the last pause in memory or in
    the store, and change them atomically.
    """

    def __init__(self, connection: str, limit: RateLimit,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        self.connection = connection
        self.limit = limit
        self._sleep = sleep

    async def acquire(self, max_wait: float = math.inf) -> float:
        """Take one call, sleeping up to ``max_wait`` seconds; returns the seconds waited.

        Raises ``RateLimitedError`` (with ``retry_after``) and takes nothing when no call
        is free within ``max_wait``.
        """
        waited = 0.0
        while True:
            reservation = await self._reserve(max(0.0, max_wait - waited))
            if reservation.at is None:
                raise RateLimitedError(
                    f"the rate budget of connection {self.connection!r} has no call free "
                    f"for {reservation.wait:.1f}s", retry_after=reservation.wait)
            if reservation.wait <= 0:
                return waited
            try:
                await self._sleep(reservation.wait)
            except BaseException:
                await self._release(reservation.at)
                raise
            waited += reservation.wait
            if await self._paused_since(reservation.paused_until) <= 0:
                return waited

    @abstractmethod
    async def pause(self, seconds: float) -> None:
        """Hold every call of this bucket for ``seconds`` from now."""

    async def usage(self) -> BudgetUsage:
        """How much of the budget is taken now, and how long a pause still holds it."""
        calls, paused_until, now = await self._state_now()
        used = sum(1 for at in calls if at > now - self.limit.window)
        return BudgetUsage(used, self.limit, max(0.0, paused_until - now))

    @abstractmethod
    async def _state_now(self) -> tuple[list[float], float, float]:
        """The log, the end of the last pause and the current time, on the log's clock."""

    @abstractmethod
    async def _reserve(self, max_wait: float) -> Reservation:
        """Run ``window_reserve`` on the state, atomically."""

    @abstractmethod
    async def _release(self, at: float) -> None:
        """Take the call reserved for ``at`` out of the log (``without_call``)."""

    @abstractmethod
    async def _paused_since(self, seen: float) -> float:
        """Seconds left of a pause that ends after ``seen`` (0 when there is none)."""


class _WindowState:
    """One account's log and pause in memory, guarded for use from any thread."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.paused_until = -math.inf
        self.guard = threading.Lock()


class InProcessBucket(WindowBucket):
    """A ``WindowBucket`` whose state lives in this process (``clock`` is monotonic time).

    Buckets of one account with different limits share one state, as they would in the
    store. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, connection: str, limit: RateLimit, state: _WindowState | None = None,
                 *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        super().__init__(connection, limit, sleep)
        self._state = state or _WindowState()
        self._clock = clock

    async def _reserve(self, max_wait: float) -> Reservation:
        state = self._state
        with state.guard:
            wait, calls = window_reserve(state.calls, state.paused_until, self._clock(),
                                         self.limit, max_wait)
            if calls is None:
                return Reservation(wait, None, state.paused_until)
            state.calls = calls
            return Reservation(wait, calls[-1], state.paused_until)

    async def _release(self, at: float) -> None:
        state = self._state
        with state.guard:
            state.calls = without_call(state.calls, at)

    async def _state_now(self) -> tuple[list[float], float, float]:
        state = self._state
        with state.guard:
            return list(state.calls), state.paused_until, self._clock()

    async def _paused_since(self, seen: float) -> float:
        state = self._state
        with state.guard:
            if state.paused_until <= seen:
                return 0.0
            return max(0.0, state.paused_until - self._clock())

    async def pause(self, seconds: float) -> None:
        """Hold every call of this bucket (in this process) for ``seconds`` from now."""
        state = self._state
        with state.guard:
            state.paused_until = max(state.paused_until, self._clock() + seconds)


class InProcessRateBudgets:
    """``RateBudgets`` kept in memory: one ``InProcessBucket`` per account and limit.

    The buckets are shared by whoever holds this object (the connections of one runtime)
    and by nobody else; each process keeps to the whole limit on its own. ``clock`` and
    ``sleep`` are handed to every bucket (tests pass fake ones).
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self._key = os.urandom(32)
        self._clock = clock
        self._sleep = sleep
        self._states: dict[str, _WindowState] = {}
        self._buckets: dict[tuple[str, RateLimit], InProcessBucket] = {}
        self._guard = threading.Lock()

    def bucket(self, connection: str, limit: RateLimit,
               account: str | None = None) -> InProcessBucket:
        """The bucket of ``account`` (or ``connection``) for ``limit``, made on first use."""
        digest = account_digest(self._key, budget_name(connection, account))
        with self._guard:
            key = (digest, limit)
            if key not in self._buckets:
                state = self._states.setdefault(digest, _WindowState())
                self._buckets[key] = InProcessBucket(connection, limit, state,
                                                     clock=self._clock, sleep=self._sleep)
            return self._buckets[key]
