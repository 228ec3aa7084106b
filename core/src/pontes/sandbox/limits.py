"""Vendor-style rate limits: so many requests per window, per key."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class WindowLimiter:
    """At most ``requests`` per ``per_seconds`` per key (a token, a user key).

    ``hit(key)`` records a request and returns ``None`` when it is allowed, or the seconds
    until the window frees a slot when it is not (a refused request is not counted).
    """

    requests: int
    per_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict, init=False, repr=False)

    def hit(self, key: str) -> float | None:
        """Count one request for ``key``; ``None`` if allowed, else seconds to wait."""
        now = self.clock()
        window = self._hits.setdefault(key, deque())
        while window and now - window[0] >= self.per_seconds:
            window.popleft()
        if len(window) >= self.requests:
            return max(0.0, self.per_seconds - (now - window[0]))
        window.append(now)
        return None

    def reset(self) -> None:
        """Forget every request counted so far."""
        self._hits.clear()
