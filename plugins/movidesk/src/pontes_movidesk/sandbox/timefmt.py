"""Time in the sandbox: a clock that tests can move, and Movidesk's date-time spelling.

Movidesk writes UTC without an offset and with seven fractional digits
(``2024-03-10T14:22:31.1234560``); filters accept ``Z``/``z`` suffixes and offsets.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from pontes.plugin import parse_vendor_datetime


def parse_instant(text: str) -> datetime:
    """An aware UTC datetime from a Movidesk or OData date-time text (the core's vendor
    date parser: naive is UTC; ``ValueError`` for anything else)."""
    return parse_vendor_datetime(text)


def format_instant(moment: datetime) -> str:
    """Movidesk's spelling of an instant: naive UTC, seven fractional digits."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


class SandboxClock:
    """Wall and monotonic time, both moved forward together by ``advance``."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> datetime:
        """The sandbox's current UTC time."""
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def monotonic(self) -> float:
        """The sandbox's monotonic time (for rate windows and lock-outs)."""
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Move time forward (lock-outs expire, tickets age towards ``/tickets/past``)."""
        self.offset += seconds

    def reset(self) -> None:
        """Back to real time."""
        self.offset = 0.0
