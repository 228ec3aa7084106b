"""When and how long to wait before trying a failed vendor call again.

``RetryPolicy`` sets how many attempts a call gets and the backoff between them;
``retry_after_seconds`` reads the wait a vendor asked for in ``Retry-After``, which the
client honours exactly instead of its own backoff.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed call within one run.

    Backoff before retry ``n`` (from 1) is a random value in ``[0, min(cap, base * 2**n)]``
    (full jitter), unless the vendor said ``Retry-After``, which is honoured exactly.
    A wait longer than ``max_inline_wait`` is not slept through but raised, so the engine
    reschedules the event instead of holding a worker.
    """

    attempts: int = 4
    base: float = 0.5
    cap: float = 20.0
    max_inline_wait: float = 20.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, got {self.attempts}")
        for name in ("base", "cap", "max_inline_wait"):
            if getattr(self, name) < 0:
                raise ValueError(f"RetryPolicy.{name} must not be negative, got {getattr(self, name)}")

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based) without a Retry-After."""
        return random.uniform(0, min(self.cap, self.base * 2**retry))


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (it may be a number or an HTTP date).

    ``None`` when the header is absent or unreadable; a date in the past gives 0.
    """
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())
