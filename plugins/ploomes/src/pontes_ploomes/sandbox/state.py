"""The sandbox's in-memory account: tables of rows, id counters and the clock."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .schema import RESOURCES, VALUE_COLUMNS

LOCAL_TIME = ZoneInfo("America/Sao_Paulo")
FIRST_ID = 90000001


def rest_time(moment: datetime) -> str:
    """A time as REST answers show it: Brasília local time with its offset, centiseconds."""
    local = moment.astimezone(LOCAL_TIME)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 10000:02d}" + \
        local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


def naive_time(value: str | None) -> str | None:
    """A REST time as webhook snapshots show it: the same local time, without offset."""
    if not value:
        return value
    return datetime.fromisoformat(value).replace(tzinfo=None).isoformat(timespec="milliseconds")


class Store:
    """Every table of one sandbox account, keyed by resource path and then by row key."""

    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self.tables: dict[str, dict[Any, dict[str, Any]]] = {}
        self._ids = itertools.count(FIRST_ID)
        self.clear()

    def clear(self) -> None:
        """Empty every table."""
        self.tables = {path: {} for path in RESOURCES}
        self._ids = itertools.count(FIRST_ID)

    def now(self) -> str:
        """The current time as REST answers show it."""
        return rest_time(self.clock())

    def new_id(self) -> int:
        """A fresh row id (ids are unique across the account)."""
        return next(self._ids)

    def put(self, path: str, row: dict[str, Any]) -> dict[str, Any]:
        """Store ``row`` (every field of its resource present, missing ones ``None``)."""
        resource = RESOURCES[path]
        full = {name: row.get(name) for name in resource.fields}
        for name, navigation in resource.navigations.items():
            if navigation.kind == "inline":
                full[name] = copy.deepcopy(row.get(name) or [])
        if full.get("Id") is None and resource.key_field == "Id":
            full["Id"] = self.new_id()
        self.tables[path][full[resource.key_field]] = full
        return full

    def get(self, path: str, key: Any) -> dict[str, Any] | None:
        """The row of ``path`` with key ``key``, or ``None``."""
        return self.tables[path].get(key)

    def rows(self, path: str) -> list[dict[str, Any]]:
        """Every row of ``path`` in insertion order."""
        return list(self.tables[path].values())

    def delete(self, path: str, key: Any) -> dict[str, Any] | None:
        """Remove and return a row."""
        return self.tables[path].pop(key, None)

    def field(self, key: str) -> dict[str, Any] | None:
        """The custom field definition with ``Key`` ``key``."""
        return self.tables["Fields"].get(key)


def empty_value_row() -> dict[str, Any]:
    """A custom-field row with every value column empty."""
    return {column: None for column in VALUE_COLUMNS}
