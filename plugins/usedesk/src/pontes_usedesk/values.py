"""Reading Usedesk's values, which come as numbers or as strings of them.

Usedesk's webhooks write ids and numbers as strings (``"id": "2261907"``, ``"group":
"0"``), its API as numbers, a form body everything as text; times are
``YYYY-MM-DD HH:MM:SS`` without a zone (read as UTC). These helpers take any of those.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pontes.plugin import normalize_phone, parse_vendor_datetime

MAX_ID = 2**63 - 1


def whole_number(value: Any) -> int | None:
    """An integer from ``7`` or ``"7"`` (surrounding blanks allowed); ``None`` for
    anything else, booleans and blanks included."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)):
            return int(text)
    return None


def id_text(value: Any) -> str | None:
    """An id as text (``7`` and ``"7"`` both give ``"7"``); ``None`` when missing or
    zero (Usedesk writes ``0`` for "none", as in ``"group": "0"``)."""
    number = whole_number(value)
    if number is not None:
        return str(number) if number else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def text(value: Any) -> str | None:
    """Non-blank text, or ``None``."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    return value.strip() or None


def moment(value: Any) -> datetime | None:
    """A UTC datetime from Usedesk's ``YYYY-MM-DD HH:MM:SS`` (or ISO 8601) text, or
    ``None`` when missing or unreadable."""
    if value in (None, "", 0, "0"):
        return None
    try:
        return parse_vendor_datetime(str(value).strip().replace(" ", "T", 1))
    except ValueError:
        return None


def phone(value: Any, region: str) -> str | None:
    """A phone number in E.164 when it can be read as one (``region`` for numbers without
    a country code), as typed otherwise; ``None`` when blank."""
    typed = text(value)
    return normalize_phone(typed, region) if typed else None


def flag(value: Any) -> bool:
    """Usedesk's yes/no values: ``1``, ``"1"``, ``true``, ``"true"``."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)
