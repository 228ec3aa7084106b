"""Building Ploomes OData requests: literals, filters, key paths and query options.

Ploomes speaks OData v4: ``$filter`` expressions with ``eq``/``and``/``or`` and lambdas
such as ``Phones/any(p: contains(p/PhoneNumber, '5678'))``, and OData key syntax for one
record, ``/Deals(123)`` and ``/Deals(123)/Win`` (never ``/Deals/123``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

MAX_TOP = 300
"""The largest page Ploomes returns; a larger ``$top`` is silently cut to this."""


def literal(value: Any) -> str:
    """An OData literal: ``'O''Brien'`` for text, ``null``, ``true``, numbers and dates as-is."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text.replace("'", "''") + "'"


def record_id(value: Any, what: str = "id") -> int:
    """A Ploomes record id (always an integer); ``ValueError`` naming ``what`` otherwise."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a Ploomes id (an integer), got {value!r}") from None
    if number <= 0:
        raise ValueError(f"{what} must be a positive Ploomes id, got {value!r}")
    return number


def key_path(entity: str, key: Any, action: str | None = None) -> str:
    """The path of one record in key syntax: ``key_path("Deals", 5, "Win")`` -> ``/Deals(5)/Win``."""
    path = f"/{entity}({record_id(key, f'{entity} id')})"
    return f"{path}/{action}" if action else path


def eq(field_name: str, value: Any) -> str:
    """``Field eq <literal>``."""
    return f"{field_name} eq {literal(value)}"


def all_of(*clauses: str | None) -> str:
    """The clauses joined with ``and`` (each in parentheses when it has an ``or``)."""
    return " and ".join(_grouped(c) for c in clauses if c)


def any_of(*clauses: str | None) -> str:
    """The clauses joined with ``or``."""
    return " or ".join(_grouped(c) for c in clauses if c)


def _grouped(clause: str) -> str:
    return f"({clause})" if " or " in clause else clause


def contains(path: str, text: str) -> str:
    """``contains(path, '<text>')``."""
    return f"contains({path}, {literal(text)})"


def any_in(collection: str, variable: str, condition: str) -> str:
    """A lambda over a collection: ``Phones/any(p: <condition>)``."""
    return f"{collection}/any({variable}: {condition})"


@dataclass(frozen=True)
class Query:
    """The OData options of one request; ``params()`` gives the query string."""

    filter: str | None = None
    expand: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    orderby: str | None = None
    top: int | None = None
    skip: int | None = None

    def params(self) -> dict[str, str]:
        """The query parameters, ``$top`` capped at the Ploomes maximum."""
        params: dict[str, str] = {}
        if self.filter:
            params["$filter"] = self.filter
        if self.expand:
            params["$expand"] = ",".join(self.expand)
        if self.select:
            params["$select"] = ",".join(self.select)
        if self.orderby:
            params["$orderby"] = self.orderby
        if self.top is not None:
            params["$top"] = str(min(self.top, MAX_TOP))
        if self.skip:
            params["$skip"] = str(self.skip)
        return params

    def page(self, top: int, skip: int) -> Query:
        """This query for one page: ``top`` rows after ``skip``."""
        return Query(self.filter, self.expand, self.select, self.orderby, top, skip)
