"""When a failed event runs again: exponential backoff with jitter, or the vendor's word."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Delays between attempts of one event.

    Retry ``n`` (from 1) waits a random time between half and all of
    ``min(cap, base * 2**(n-1))`` seconds, so events that failed together spread out. When
    the vendor said how long to wait (``Retry-After``), that wait is used as given.
    """

    base: float = 2.0
    cap: float = 900.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry``."""
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.cap, self.base * 2 ** max(0, retry - 1))
        return random.uniform(ceiling / 2, ceiling)
