"""Ticket list calls that stay fast with a hundred thousand tickets.

A list call filters, sorts and pages the tickets one endpoint serves. Done naively that
is a pass over every ticket per page; an export of 100,000 tickets reads 1,000 pages.
``TicketIndex`` keeps the tickets sorted by ``(lastUpdate, id)`` and by ``id`` (rebuilt
only when ``TicketTable.version`` says they changed), so that the queries exports make:

- ``$orderby=lastUpdate asc`` (optionally ``, id asc``) with ``lastUpdate ge|gt <t>``
  among the ``and``-ed conditions of ``$filter``, and
- the default order by ``id`` with ``id ge|gt <n>`` (the paging Movidesk recommends),

start at the bound instead of scanning, and read only as far as the page needs. Any
other query is answered by filtering and sorting every served ticket, as before. The
answers are the same either way.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from pontes.plugin import odata

from .schema import action_as_read
from .timefmt import parse_instant

_LAST_UPDATE, _ID = odata.Property(("lastUpdate",)), odata.Property(("id",))
_BY_UPDATE = (((_LAST_UPDATE, False),), ((_LAST_UPDATE, False), (_ID, False)))
_BY_ID = (((_ID, False),),)


class TicketTable(dict):
    """Tickets by id; ``version`` grows with every change to the mapping."""

    version = 0

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.version += 1

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self.version += 1

    def pop(self, *args: Any) -> Any:
        self.version += 1
        return super().pop(*args)

    def clear(self) -> None:
        super().clear()
        self.version += 1

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self.version += 1


def visible(ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket as a list call shows it: deleted actions and clients left out, actions
    without their HTML."""
    return {**ticket,
            "actions": [action_as_read(a) for a in ticket["actions"] if not a.get("isDeleted")],
            "clients": [c for c in ticket["clients"] if not c.get("isDeleted")]}


class TicketIndex:
    """Sorted views of a state's ``tickets`` for list calls (see the module docstring)."""

    def __init__(self, state: Any):
        self.state = state
        self.table: TicketTable = state.tickets
        self._version: tuple[int, int] = (0, -1)
        self._dated: list[tuple[datetime, int]] = []
        self._undated: list[int] = []
        self._ids: list[int] = []
        self._instants: dict[int, datetime | None] = {}

    def _refresh(self) -> None:
        self.table = self.state.tickets
        version = (id(self.table), self.table.version)
        if self._version == version:
            return
        instants = {number: parse_instant(t["lastUpdate"]) if t.get("lastUpdate") else None
                    for number, t in self.table.items()}
        self._instants = instants
        self._dated = sorted((moment, number) for number, moment in instants.items()
                             if moment is not None)
        self._undated = sorted(number for number, moment in instants.items() if moment is None)
        self._ids = sorted(instants)
        self._version = version

    def page(self, past: bool, boundary: datetime, query: odata.Query) -> list[dict[str, Any]]:
        """The tickets of the page ``query`` asks for, as list calls show them.

        ``past`` selects ``/tickets/past`` (last change before ``boundary``) or
        ``/tickets``.
        """
        self._refresh()
        skip, top = query.skip, query.top
        if not top:
            return []
        order = tuple((key.path, key.descending) for key in query.orderby)
        if order in _BY_UPDATE:
            bound, rest = _bound(query.filter, _LAST_UPDATE, datetime)
            numbers = self._by_update(past, boundary, bound, skip if rest is None else 0)
        elif order in _BY_ID:
            bound, rest = _bound(query.filter, _ID, int | Decimal)
            numbers = self._by_id(past, boundary, bound)
        else:
            rows, _ = query.run(visible(t) for t in self._served(past, boundary))
            return rows
        if rest is None and order in _BY_UPDATE:
            skip = 0
        remaining = replace(query, filter=rest)
        found = []
        for number in numbers:
            ticket = self.table[number]
            if rest is not None:
                ticket = visible(ticket)
                if not remaining.matches(ticket):
                    continue
            if skip:
                skip -= 1
                continue
            found.append(ticket if rest is not None else visible(ticket))
            if len(found) == top:
                break
        return found

    def _served(self, past: bool, boundary: datetime) -> Iterator[dict[str, Any]]:
        for number in self._ids:
            if self._is_past(number, boundary) == past:
                yield self.table[number]

    def _is_past(self, number: int, boundary: datetime) -> bool:
        moment = self._instants[number]
        return moment is not None and moment < boundary

    def _by_update(self, past: bool, boundary: datetime, bound: tuple[Any, bool] | None,
                   offset: int) -> Iterator[int]:
        """Ticket numbers in (lastUpdate, id) order, from the ``offset``-th one on."""
        split = bisect_left(self._dated, (boundary,))
        start, stop = (0, split) if past else (split, len(self._dated))
        undated: list[int] = []
        if bound is not None:
            value, inclusive = bound
            first = bisect_left(self._dated, (value,)) if inclusive else _after(self._dated, value)
            start = max(start, first)
        elif not past:
            undated = self._undated
        yield from undated[offset:]
        for index in range(start + max(0, offset - len(undated)), stop):
            yield self._dated[index][1]

    def _by_id(self, past: bool, boundary: datetime,
               bound: tuple[Any, bool] | None) -> Iterator[int]:
        """Served ticket numbers in id order, from the bound on."""
        start = 0
        if bound is not None:
            value, inclusive = bound
            start = (bisect_left if inclusive else bisect_right)(self._ids, value)
        for index in range(start, len(self._ids)):
            number = self._ids[index]
            if self._is_past(number, boundary) == past:
                yield number


def _after(dated: list[tuple[datetime, int]], value: datetime) -> int:
    """The position of the first entry whose instant is later than ``value``."""
    position = bisect_left(dated, (value,))
    while position < len(dated) and dated[position][0] == value:
        position += 1
    return position


def _bound(tree: Any, prop: odata.Property, kind: Any) -> tuple[tuple[Any, bool] | None, Any]:
    """A lower bound (a ``kind`` value) on ``prop`` among the ``and``-ed conditions of
    ``tree``, and the conditions left to check on each row (``None`` when there are
    none)."""
    conditions = _conjuncts(tree) if tree is not None else []
    for position, condition in enumerate(conditions):
        if (isinstance(condition, odata.Compare) and condition.left == prop
                and condition.op in ("ge", "gt") and isinstance(condition.right, odata.Literal)
                and isinstance(condition.right.value, kind)
                and not isinstance(condition.right.value, bool)):
            rest = conditions[:position] + conditions[position + 1:]
            return (condition.right.value, condition.op == "ge"), _joined(rest)
    return None, tree


def _conjuncts(tree: Any) -> list[Any]:
    if isinstance(tree, odata.Logical) and tree.op == "and":
        return _conjuncts(tree.left) + _conjuncts(tree.right)
    return [tree]


def _joined(conditions: list[Any]) -> Any:
    if not conditions:
        return None
    joined = conditions[0]
    for condition in conditions[1:]:
        joined = odata.Logical("and", joined, condition)
    return joined
