"""A collection's query options, read and checked, applied to in-memory records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .evaluate import Evaluator, member_key
from .model import EntityType
from .syntax import Property
from .values import sort_key


@dataclass(frozen=True)
class OrderKey:
    """One ``$orderby`` item: the property path and whether it sorts descending."""

    path: Property
    descending: bool = False


@dataclass(frozen=True)
class Query:
    """The options of one collection, or of one navigation inside ``$expand``.

    ``entity`` is the type of the records (``None``: objects of no declared type);
    ``select`` lists declared property names (``"*"`` for all of them; ``None``: no
    ``$select``); ``expand`` holds the options of each expanded navigation; ``top`` is
    ``None`` when every row is wanted (top-level collections always have one);
    ``asked_top`` is the ``$top`` as asked, before the dialect cut it (``None``: not
    asked).
    """

    entity: EntityType | None
    evaluator: Evaluator = field(repr=False, compare=False)
    filter: Any = None
    select: tuple[str, ...] | None = None
    expand: Mapping[str, Query] = field(default_factory=dict)
    orderby: tuple[OrderKey, ...] = ()
    top: int | None = None
    skip: int = 0
    count: bool = False
    asked_top: int | None = None

    @cached_property
    def _test(self) -> Callable[[Any], bool] | None:
        if self.filter is None:
            return None
        return self.evaluator.condition(self.filter, self.entity)

    @cached_property
    def _sort_keys(self) -> list[tuple[Callable[[Any], Any], bool]]:
        return [(self.evaluator.reader(key.path, self.entity), key.descending)
                for key in self.orderby]

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether ``record`` passes ``$filter`` (every record does without one)."""
        return self._test is None or self._test(record)

    def sorted(self, records: Iterable[Mapping[str, Any]]) -> list[Any]:
        """``records`` in ``$orderby`` order (nulls first when ascending; stable)."""
        rows = list(records)
        for read, descending in reversed(self._sort_keys):
            rows.sort(key=lambda row, read=read: sort_key(read(row)), reverse=descending)
        return rows

    def run(self, records: Iterable[Mapping[str, Any]]) -> tuple[list[Any], int]:
        """The page of ``records`` the options ask for (filtered, ordered, ``$skip`` and
        ``$top`` applied), and how many records matched before paging."""
        test = self._test
        rows = list(records) if test is None else [row for row in records if test(row)]
        if self.orderby:
            rows = self.sorted(rows)
        end = None if self.top is None else self.skip + self.top
        return rows[self.skip:end], len(rows)

    def next_page(self, matched: int) -> tuple[int, int | None] | None:
        """Where the rest of an answer is when the dialect's page limit cut it short:
        the ``$skip`` and ``$top`` of the next page (``$top`` ``None`` when none was
        asked), given how many records ``matched``. ``None`` when nothing is left, when
        the ``$top`` asked was met, or when the dialect gives no next links."""
        if not self.evaluator.dialect.next_links or self.top is None:
            return None
        shown_end = self.skip + self.top
        wanted_end = matched if self.asked_top is None else min(matched, self.skip + self.asked_top)
        if shown_end >= wanted_end:
            return None
        return shown_end, None if self.asked_top is None else self.asked_top - self.top

    def shape(self, record: Mapping[str, Any]) -> Any:
        """``record`` as answered: the selected properties and the expanded navigations."""
        if self.entity is None:
            return self._shape_untyped(record)
        entity = self.entity
        shaped: dict[str, Any] = {}
        for name in self._selected(entity):
            if name in self.expand:
                shaped[name] = self._expanded(entity, name, record)
            elif name not in entity.navigations:
                shaped[name] = record.get(name)
            elif not entity.navigations[name].expand_only:
                shaped[name] = self.evaluator.related(entity, name, record)
        for name in self.expand:
            if name not in shaped:
                shaped[name] = self._expanded(entity, name, record)
        return shaped

    def shape_related(self, value: Any) -> Any:
        """An expanded navigation's value as answered: a list goes through ``run`` and each
        item through ``shape``; a single record through ``shape``."""
        if value is None:
            return None
        if isinstance(value, list):
            rows, _ = self.run(value)
            return [self.shape(row) for row in rows]
        return self.shape(value)

    def _selected(self, entity: EntityType) -> tuple[str, ...]:
        if self.select is None or "*" in self.select:
            shown = tuple(name for name, navigation in entity.navigations.items()
                          if not navigation.expand_only)
            return (*entity.properties, *shown)
        return self.select

    def _expanded(self, entity: EntityType, name: str, record: Mapping[str, Any]) -> Any:
        return self.expand[name].shape_related(self.evaluator.related(entity, name, record))

    def _shape_untyped(self, item: Any) -> Any:
        if not isinstance(item, Mapping):
            return item
        ignore_case = self.evaluator.dialect.ignore_case
        if self.select is None or "*" in self.select:
            shaped = dict(item)
        else:
            keys = (member_key(item, name, ignore_case) for name in self.select)
            shaped = {key: item[key] for key in keys if key is not None}
        for name, inner in self.expand.items():
            key = member_key(item, name, ignore_case)
            if key is not None:
                shaped[key] = inner.shape_related(item[key])
        return shaped
