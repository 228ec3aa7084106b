"""Movidesk's failure lock-out, kept to: a token never fails three times in a row.

Movidesk answers every call of a token with ``429 Too many failed requests`` for 60 s
after three failed calls in a row (three more give 120 s, then 300 s); a success ends the
series. Left alone, a few bad webhooks (tickets that do not exist, each read from
``/tickets`` and then ``/tickets/past``) would stop every event of the token for minutes.

``LockoutGuard`` counts failed calls in a row as Movidesk does and gives calls their turn
so that the count never reaches three:

- one call is in flight at a time: Movidesk counts calls in the order it handles them,
  which concurrent calls would not tell us (a success answered before a failure may have
  been handled after it), and at 10 calls a minute nothing is gained by overlapping them;
- with two failures counted, the next call waits while one harmless call (the cheapest
  read there is) ends the series, and goes once it succeeds;
- after a 429 (a lock-out, whatever caused it, or throttling), calls are held until its
  ``Retry-After`` has passed, or sent back with a ``RateLimitedError`` saying when to come
  back if that is further away than the caller waits inline.

A failure is any answer of 400 or more, 429 included (whether Movidesk counts its own
429s is not documented; counting them costs at most one harmless call), and a call that
got no answer (a timeout, a dropped connection), which Movidesk may have failed.

Clients of one account in one runtime share a guard (``shared_guard``), as they share the
rate budget; the count is kept per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

from pontes.plugin import RateLimitedError

FAILURES_TO_LOCK = 3
"""Failed calls in a row after which Movidesk locks a token out."""

FAILURES_ALLOWED = FAILURES_TO_LOCK - 1
"""Failed calls in a row the guard lets happen before it ends the series."""

DEFAULT_HOLD = 60.0
"""Seconds calls are held after a 429 without ``Retry-After`` (the first lock-out)."""


class Outcome(Enum):
    """What became of a call that had its turn."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NOT_SENT = "not sent"


class LockoutGuard:
    """Turns for the calls of one Movidesk token (see the module docstring).

    Usable from any thread and event loop; ``clock`` is injectable for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._guard = threading.Lock()
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self.failures = 0
        self.busy = False
        self.held_until = -math.inf

    async def turn(self, end_series: Callable[[], Awaitable[Any]], max_wait: float) -> None:
        """Wait for this call's turn; the caller then reports its outcome to ``finished``.

        With two failures counted, ``end_series`` first makes the harmless call that ends
        the series (reporting its outcome with ``finished(..., ends_series=True)``); if it
        fails, its error is raised here and the turn is given up. A hold longer than
        ``max_wait`` seconds raises ``RateLimitedError``.
        """
        while True:
            wake: asyncio.Event | None = None
            with self._guard:
                held = self.held_until - self._clock()
                if held <= 0 and not self.busy:
                    self.busy = True
                    series = self.failures >= FAILURES_ALLOWED
                    break
                if held <= 0:
                    wake = self._wait_for_change()
            if wake is not None:
                await wake.wait()
            elif held > max_wait:
                raise RateLimitedError(
                    f"Movidesk refused this token's calls with a 429; they resume in "
                    f"{held:.0f}s", retry_after=held)
            else:
                await asyncio.sleep(held)
        if series:
            try:
                await end_series()
            except BaseException:
                self.finished(Outcome.NOT_SENT)
                raise

    def finished(self, outcome: Outcome, retry_after: float | None = None, *,
                 ends_series: bool = False) -> None:
        """Count the outcome of a call and give the turn up (unless ``ends_series``: the
        harmless call is made within the turn of the call it clears the way for).

        ``retry_after`` (a 429's) holds every call that long.
        """
        with self._guard:
            if not ends_series:
                self.busy = False
            if outcome is Outcome.SUCCEEDED:
                self.failures = 0
            elif outcome is Outcome.FAILED:
                self.failures += 1
            if retry_after is not None:
                self.held_until = max(self.held_until, self._clock() + retry_after)
            self._wake_all()

    def _wait_for_change(self) -> asyncio.Event:
        """An event set at the next change of the count (called with the lock held)."""
        event = asyncio.Event()
        self._waiting.append((asyncio.get_running_loop(), event))
        return event

    def _wake_all(self) -> None:
        """Wake every waiting call, in whatever event loop it waits (lock held)."""
        for loop, event in self._waiting:
            with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits
                loop.call_soon_threadsafe(event.set)
        self._waiting.clear()


_shared: weakref.WeakKeyDictionary[Any, dict[str, LockoutGuard]] = weakref.WeakKeyDictionary()
_shared_guard = threading.Lock()


def shared_guard(budgets: Any, account: str) -> LockoutGuard:
    """The guard of ``account`` among the clients that share the rate ``budgets``."""
    with _shared_guard:
        guards = _shared.setdefault(budgets, {})
        return guards.setdefault(account, LockoutGuard())
