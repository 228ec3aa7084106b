"""Movidesk date-times: UTC written without an offset, often with seven fractional digits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pontes.plugin import DateOutOfRange, parse_vendor_datetime


def parse_datetime(value: Any, field: str = "date") -> datetime | None:
    """An aware UTC datetime from a Movidesk value, or ``None`` for an empty one.

    Accepts ``2024-03-10T14:22:31.1234567`` (naive, taken as UTC), a ``Z``/``z`` suffix
    or an explicit offset (the core's vendor date parser). Raises ``DateOutOfRange`` for a
    date with no moment in UTC, and ``ValueError`` naming ``field`` for anything else.
    """
    if value in (None, ""):
        return None
    try:
        return parse_vendor_datetime(value)
    except DateOutOfRange:
        raise
    except ValueError:
        raise ValueError(f"{field}: not a Movidesk date-time: {value!r}") from None


def filter_literal(value: datetime) -> str:
    """A UTC date-time literal for ``$filter`` (``2024-03-10T14:22:31.123456Z``)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_text(value: datetime) -> str:
    """One spelling per instant, so the same change gives the same idempotency key."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")
