"""Ploomes timestamps: REST answers carry an offset (``-03:00``), webhook snapshots don't.

Naive Ploomes times are Brasília local time; they are read as such and turned into UTC.
The core's ``parse_vendor_datetime`` reads them; an absent or unreadable timestamp reads
as ``None`` here (Ploomes leaves many of them empty), where the core's parser raises.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pontes.plugin import DateOutOfRange, parse_vendor_datetime

PLOOMES_LOCAL_TIME = ZoneInfo("America/Sao_Paulo")


def parse_time(value: Any) -> datetime | None:
    """An aware UTC datetime from a Ploomes timestamp, or ``None`` when absent or
    unreadable; ``DateOutOfRange`` when it has no moment in UTC (year 1 or 9999 with an
    offset)."""
    if not isinstance(value, datetime) and not (isinstance(value, str) and value.strip()):
        return None
    try:
        return parse_vendor_datetime(value, zone=PLOOMES_LOCAL_TIME)
    except DateOutOfRange:
        raise
    except ValueError:
        return None


def parse_date(value: Any) -> date | None:
    """The calendar day (in Brasília) of a Ploomes timestamp, or ``None``."""
    moment = parse_time(value)
    return moment.astimezone(PLOOMES_LOCAL_TIME).date() if moment else None


def format_time(value: datetime | date) -> str:
    """A timestamp as Ploomes accepts it: ISO 8601 with the Brasília offset."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=PLOOMES_LOCAL_TIME)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PLOOMES_LOCAL_TIME).isoformat()
