"""Whether, when and how long to wait before sending a failed vendor call again.

``RetryPolicy`` sets how many attempts a call gets and the backoff between them;
``retry_after_seconds`` reads the wait a vendor asked for in ``Retry-After``, which the
client honours exactly instead of its own backoff; ``may_resend`` says whether a failed
call may be sent again at all: a POST that timed out may have created its record, and
sending it again would create a second one.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx

from ..errors import RateLimitedError, VendorError, VendorUnreachable

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods whose repetition has the effect of one call (RFC 9110, 9.2.2)."""


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


def resend_safe(method: str, retry_safe: bool | None = None) -> bool:
    """Whether a call may be sent twice with the effect of once.

    ``retry_safe`` is the caller's word for this call (the vendor takes an idempotency key,
    or the body only sets values); without it, the method decides: GET, HEAD, OPTIONS, PUT
    and DELETE are safe, POST and PATCH are not.
    """
    if retry_safe is not None:
        return retry_safe
    return method.upper() in IDEMPOTENT_METHODS


def may_resend(error: VendorError, *, safe: bool) -> bool:
    """Whether a call that failed with ``error`` may be sent again by the client.

    Only a retriable failure may. A call that is ``safe`` to repeat (``resend_safe``) is
    sent again after any of them; any other only when the failure proves the vendor did
    nothing: a 429 (the vendors pontes knows refuse a call over their limit or during a
    lock-out before processing it) or a connection that was never made. After a timeout,
    a dropped connection or a 5xx the vendor may have done the work, so the error goes
    up to the engine, whose next attempt looks for what the first one may have made.
    """
    if not error.retriable:
        return False
    return safe or isinstance(error, RateLimitedError | VendorUnreachable)


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
