"""Parsing and writing the value formats vendors use: Brazilian numbers, dates, epochs.

These are plain functions (the built-in transforms call them, and a plugin may call them
too). Each raises
``TransformError`` with a message that quotes the value and says what was expected.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from .transform import TransformError

__all__ = [
    "DateOutOfRange",
    "EpochUnit",
    "parse_br_decimal",
    "parse_datetime",
    "parse_decimal",
    "to_decimal",
]

EpochUnit = Literal["seconds", "milliseconds"]

_BR_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_BR_COMMA = re.compile(r"[+-]?\d+(?:,\d+)?")
_DOT_DECIMAL = re.compile(r"[+-]?\d+\.\d+")
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_EPOCH_TEXT = re.compile(r"\d{9,}(?:\.\d+)?")
_SPACES = re.compile(r"\s+")


def _finite(number: Decimal, original: Any) -> Decimal:
    if not number.is_finite():
        raise TransformError(f"{original!r} is not a finite number")
    return number


def parse_br_decimal(text: str) -> Decimal:
    """Read a number written the Brazilian way: ``"1.530,75"`` -> ``Decimal("1530.75")``.

    Accepts thousands dots (``"-1.000"`` is minus one thousand), a decimal comma
    (``"1530,75"``), an ``R$`` sign and spaces, and also a plain decimal point when it
    cannot be a thousands separator (``"1530.75"``). ``"1,530.75"`` is refused as ambiguous.
    """
    cleaned = _SPACES.sub("", text.replace("R$", ""))
    if _BR_GROUPED.fullmatch(cleaned):
        return Decimal(cleaned.replace(".", "").replace(",", "."))
    if _BR_COMMA.fullmatch(cleaned):
        return Decimal(cleaned.replace(",", "."))
    if _DOT_DECIMAL.fullmatch(cleaned):
        return Decimal(cleaned)
    raise TransformError(f"{text!r} is not a number in Brazilian format "
                         f"(expected e.g. 1.530,75 or 1530,75)")


def parse_decimal(text: str) -> Decimal:
    """Read a plain decimal with a point (``"1530.75"``, ``"-3"``, ``"1e3"``)."""
    cleaned = text.strip()
    if not _PLAIN.fullmatch(cleaned):
        raise TransformError(f"{text!r} is not a decimal number (expected e.g. 1530.75)")
    return Decimal(cleaned)


def to_decimal(value: Any, parse_text=parse_decimal) -> Decimal:
    """A ``Decimal`` from a number or from text read by ``parse_text``; booleans are refused."""
    if isinstance(value, bool):
        raise TransformError(f"{value!r} is a yes/no value, not a number")
    if isinstance(value, Decimal):
        return _finite(value, value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            return _finite(Decimal(repr(value)), value)
        except InvalidOperation as exc:
            raise TransformError(f"{value!r} is not a finite number") from exc
    if isinstance(value, str):
        return _finite(parse_text(value), value)
    raise TransformError(f"expected a number or text, got {type(value).__name__} {value!r}")


def _from_epoch(number: float | Decimal, unit: EpochUnit, original: Any) -> datetime:
    seconds = float(number) / (1000 if unit == "milliseconds" else 1)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TransformError(f"{original!r} is out of range for epoch {unit}") from exc


class DateOutOfRange(TransformError):
    """A date and time that is well formed but has no moment in UTC: year 1 or 9999 with an
    offset that moves it past either end. Triggers refuse such a body; an unreadable date,
    by contrast, is often just left out by a vendor."""


def _aware(value: datetime, zone: tzinfo) -> datetime:
    """``value`` in UTC (in ``zone`` when it has no offset); ``DateOutOfRange`` when UTC
    has no such moment."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise DateOutOfRange(f"{value.isoformat()} is out of range once in UTC (years 1 to "
                             "9999)") from None


def parse_datetime(value: Any, *, zone: tzinfo = UTC, fmt: str | None = None,
                   epoch: EpochUnit = "seconds") -> datetime:
    """An aware UTC datetime from what vendors send.

    - ISO 8601 text with or without an offset (``2024-03-01T12:00:00``,
      ``2022-12-15T14:59:45.13-03:00``, ``...Z``, up to 7 fractional digits);
    - text in ``fmt`` (``strptime`` codes) when a format is given;
    - epoch numbers, or strings of nine or more digits, in ``epoch`` units;
    - ``datetime`` and ``date`` objects.

    Values without an offset are in ``zone`` (UTC by default, as Movidesk writes them).
    """
    if isinstance(value, bool):
        raise TransformError(f"{value!r} is a yes/no value, not a date and time")
    if isinstance(value, datetime):
        return _aware(value, zone)
    if isinstance(value, date):
        return _aware(datetime(value.year, value.month, value.day), zone)
    if isinstance(value, int | float | Decimal):
        return _from_epoch(value, epoch, value)
    if not isinstance(value, str):
        raise TransformError(f"expected a date and time, got {type(value).__name__} {value!r}")
    text = value.strip()
    if fmt is not None:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError as exc:
            raise TransformError(f"{value!r} does not match the format {fmt!r}") from exc
        return _aware(parsed, zone)
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(Decimal(text), epoch, value)
    if text[-1:] == "z":
        text = text[:-1] + "Z"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TransformError(
            f"{value!r} is not a date and time (expected ISO 8601 such as "
            f"2024-03-01T12:00:00 or 2024-03-01T09:00:00-03:00, or epoch {epoch})"
        ) from exc
    return _aware(parsed, zone)
