"""Durations as operators write them: a whole number and a unit, such as ``12h`` or ``30d``.

Used by the ``retention:`` setting and ``pontes purge --older-than``. Units: ``s``
(seconds), ``m`` (minutes), ``h`` (hours), ``d`` (days), ``w`` (weeks).
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
EXPECTED = "a duration such as 12h or 30d (a whole number, then one of s, m, h, d, w)"
_PATTERN = re.compile(r"^\s*(\d{1,9})\s*([smhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """The ``timedelta`` written as ``text`` (``"30d"``); a ``ValueError`` saying what is
    expected when it is not one, or when it is zero."""
    match = _PATTERN.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected {EXPECTED}, got {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    if amount == 0:
        raise ValueError(f"expected a duration longer than zero, got {text!r}")
    try:
        return timedelta(**{UNITS[unit]: amount})
    except OverflowError:
        raise ValueError(f"expected a duration of at most 999999999 days, got {text!r}") from None


def describe_duration(duration: timedelta) -> str:
    """``duration`` in the largest unit that writes it whole (``timedelta(days=30)`` ->
    ``"30d"``)."""
    seconds = int(duration.total_seconds())
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
