"""Converting vendor values to the type a stream declares for a column.

Every declared type has one converter that takes what vendors send (JSON scalars,
strings, nested lists and objects) and returns the Python value the loader stores, or
raises ``ValueError`` saying what it could not read. ``None`` always stays ``None``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..connector import ColumnType
from ..mapping import parse_datetime

Converter = Callable[[Any], Any]

DLT_TYPES: dict[str, str] = {
    "text": "text",
    "integer": "bigint",
    "float": "double",
    "boolean": "bool",
    "timestamp": "timestamp",
    "date": "date",
    "json": "json",
}
"""The loader's (dlt's) data type for each column type a stream may declare."""

_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n"}


def to_text(value: Any) -> str | None:
    """Text as is; numbers as digits; booleans as ``true``/``false``; lists and objects as JSON."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        return repr(int(value)) if value.is_integer() else repr(value)
    if kind is list or kind is dict:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def to_integer(value: Any) -> int | None:
    """Whole numbers, from numbers without a fraction or from digit strings."""
    if value is None or type(value) is int:
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(value)
    if isinstance(value, str) and value.strip():
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a whole number, got {value!r}")


def to_float(value: Any) -> float | None:
    """Numbers, from JSON numbers or numeric strings (``"12.5"``)."""
    kind = type(value)
    if value is None or kind is float:
        return value
    if kind is int:
        return float(value)
    if isinstance(value, str) and value.strip():
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a number, got {value!r}")


def to_boolean(value: Any) -> bool | None:
    """Booleans, from JSON booleans, 0/1 or the words ``true``/``false``, ``yes``/``no``."""
    if value is None or type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError(f"expected a boolean, got {value!r}")


def to_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string or a datetime; naive means UTC.

    The core's vendor date parser does the reading: fractions of any length
    (``2019-10-30T13:35:38.0174433`` keeps six digits), ``Z``/``z`` and numeric offsets.
    """
    if value is None:
        return None
    return parse_datetime(value)


def to_date(value: Any) -> date | None:
    """A date from ``YYYY-MM-DD`` (a time after it is ignored) or a date/datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value.strip()) >= 10:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}")


def as_is(value: Any) -> Any:
    """JSON columns keep the value as the vendor sent it."""
    return value


CONVERTERS: dict[str, Converter] = {
    "text": to_text,
    "integer": to_integer,
    "float": to_float,
    "boolean": to_boolean,
    "timestamp": to_timestamp,
    "date": to_date,
    "json": as_is,
}


def converter(column_type: ColumnType) -> Converter:
    """The converter of a declared column type; ``ValueError`` naming the known ones."""
    try:
        return CONVERTERS[column_type]
    except KeyError:
        raise ValueError(f"unknown column type {column_type!r}; expected one of: "
                         f"{', '.join(CONVERTERS)}") from None
