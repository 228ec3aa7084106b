"""How values meet in ``$filter`` comparisons and in ``$orderby``.

Both ways of comparing share OData's treatment of null (``null eq null``; anything else
compared with null is unequal, and never greater or smaller), numbers compared by value
whatever their Python type, and text compared without regard to case.

- ``loose_compare`` reads a property's value as the type of the literal it meets, and
  finds a comparison it still cannot make false;
- ``strict_compare`` compares values of the same kind only, taking text that reads as a
  date-time for one when the other side is a date-time; ordering values of different
  kinds is an ``ODataError``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ODataError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")

_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le,
}
MIRRORED = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
"""The operator that gives the same answer with its operands swapped."""


class _Incomparable:
    """A value that no comparison can be made with."""


INCOMPARABLE = _Incomparable()


def parse_instant(text: str) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text, or ``None`` when it is not one.

    Accepts a ``Z`` or ``z`` suffix, an offset, or none (read as UTC), and any number of
    fractional digits (beyond six they are dropped).
    """
    value = text.strip()
    if not _ISO_DATE.match(value):
        return None
    value = _LONG_FRACTION.sub(r"\1", value)
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_number(value: Any) -> bool:
    """Whether ``value`` is a number (booleans are not)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _exact(number: Any) -> Decimal:
    return Decimal(str(number))


def _null_compare(op: str, left: Any, right: Any) -> bool:
    both = left is None and right is None
    if op == "eq":
        return both
    if op == "ne":
        return not both
    return False


def _apply(op: str, left: Any, right: Any) -> bool:
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    return _ORDERINGS[op](left, right)


def loose_compare(op: str, value: Any, literal: Any) -> bool:
    """``value op literal``, ``value`` read as the literal's type (see the module)."""
    if value is None or literal is None:
        return _null_compare(op, value, literal)
    left, right = _as_literal_type(value, literal)
    if left is INCOMPARABLE:
        return op == "ne"
    try:
        return _apply(op, left, right)
    except (TypeError, InvalidOperation):
        return False


def _as_literal_type(value: Any, literal: Any) -> tuple[Any, Any]:
    if isinstance(literal, datetime):
        moment = parse_instant(value) if isinstance(value, str) else None
        return (INCOMPARABLE if moment is None else moment), literal
    if isinstance(literal, bool) or isinstance(value, bool):
        return value, literal
    if is_number(literal):
        if is_number(value):
            return _exact(value), _exact(literal)
        if isinstance(value, str):
            try:
                return Decimal(value.strip()), _exact(literal)
            except InvalidOperation:
                return value, str(literal)
        return value, literal
    if isinstance(literal, str):
        return str(value).casefold(), literal.casefold()
    return value, literal


def strict_compare(op: str, left: Any, right: Any) -> bool:
    """``left op right`` for values of the same kind (see the module)."""
    if left is None or right is None:
        return _null_compare(op, left, right)
    a, b = _same_kind(left, right)
    try:
        return _apply(op, a, b)
    except (TypeError, InvalidOperation):
        raise ODataError(f"$filter: cannot compare {left!r} and {right!r} with {op}") from None


def _same_kind(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, datetime) or isinstance(right, datetime):
        return _instant(left), _instant(right)
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold(), right.casefold()
    if isinstance(left, bool) or isinstance(right, bool):
        return left, right
    if is_number(left) and is_number(right):
        return _exact(left), _exact(right)
    return left, right


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_instant(value) if isinstance(value, str) else None


def sort_key(value: Any) -> tuple[Any, ...]:
    """Where ``value`` goes in an ascending ``$orderby``: nulls first, then numbers and
    booleans, text (without regard to case), date-times, and other values as they come."""
    if value is None:
        return (0,)
    if isinstance(value, str):
        return (2, value.casefold())
    if isinstance(value, int | float | Decimal):
        return (1, value)
    if isinstance(value, datetime):
        return (3, value)
    return (4,)
