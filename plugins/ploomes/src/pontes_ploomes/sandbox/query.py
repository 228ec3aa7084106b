"""Reading collections with OData options: ``$filter``, ``$expand`` (with nested
options), ``$select``, ``$orderby``, ``$top`` (at most 300), ``$skip`` and ``$count``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .filters import FilterError, compile_filter, parse_number
from .schema import RESOURCES, Resource
from .store import Store

MAX_TOP = 300
SYSTEM_OPTIONS = {"$filter", "$expand", "$select", "$orderby", "$top", "$skip", "$count"}


@dataclass(frozen=True)
class _Bound:
    """A stored row seen as a row of its resource (so navigations can be followed)."""

    row: dict[str, Any]
    resource: Resource


@dataclass
class Options:
    """The query options of one collection (or of one ``$expand``-ed navigation)."""

    filter: str | None = None
    select: list[str] = field(default_factory=list)
    expand: dict[str, Options] = field(default_factory=dict)
    orderby: str | None = None
    top: int | None = None
    skip: int = 0
    count: bool = False


def _split(text: str, separator: str) -> list[str]:
    parts, depth, quoted, current = [], 0, False, []
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == separator and depth == 0 and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if depth != 0 or quoted:
        raise FilterError(f"unbalanced parentheses or quotes in {text!r}")
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def parse_options(params: Mapping[str, str], *, nested: bool = False) -> Options:
    """``Options`` from query parameters (``nested`` for those inside ``$expand``)."""
    options = Options()
    for name, value in params.items():
        if not name.startswith("$"):
            continue
        if name not in SYSTEM_OPTIONS:
            raise FilterError(f"The query parameter '{name}' is not supported.")
        if name == "$filter":
            options.filter = value
        elif name == "$select":
            options.select = [s.strip() for s in value.split(",") if s.strip()]
        elif name == "$expand":
            options.expand = parse_expand(value)
        elif name == "$orderby":
            options.orderby = value
        elif name == "$top":
            options.top = parse_number(value, "$top")
        elif name == "$skip":
            options.skip = parse_number(value, "$skip")
        elif name == "$count":
            options.count = value.strip().lower() == "true"
    if nested and options.count:
        raise FilterError("$count is not supported inside $expand")
    return options


def parse_expand(text: str) -> dict[str, Options]:
    """``Owner($select=Id,Name),Phones`` -> ``{"Owner": Options(select=[...]), "Phones": ...}``."""
    expanded = {}
    for item in _split(text, ","):
        name, _, rest = item.partition("(")
        inner: dict[str, str] = {}
        if rest:
            if not rest.endswith(")"):
                raise FilterError(f"malformed $expand item {item!r}")
            for option in _split(rest[:-1], ";"):
                key, _, value = option.partition("=")
                inner[key.strip()] = value.strip()
        expanded[name.strip()] = parse_options(inner, nested=True)
    return expanded


def _unknown(name: str, resource: Resource) -> FilterError:
    return FilterError(f"Could not find a property named '{name}' on type "
                       f"'Ploomes.API.{resource.path}'.")


class Reader:
    """Answers collection reads from a ``Store``."""

    def __init__(self, store: Store):
        self.store = store

    def navigate(self, row: dict[str, Any], resource: Resource, name: str) -> Any:
        """The value of navigation ``name`` of ``row``."""
        navigation = resource.navigations[name]
        if navigation.kind == "inline":
            return row.get(name) or []
        target = RESOURCES[navigation.target or ""]
        if navigation.kind == "single":
            key = row.get(navigation.key or "")
            return self.store.get(target.path, key) if key is not None else None
        return [r for r in self.store.rows(target.path) if r.get(navigation.key or "") == row["Id"]]

    def _get(self, obj: Any, name: str) -> Any:
        if isinstance(obj, _Bound):
            if name in obj.resource.fields:
                return obj.row.get(name)
            if name not in obj.resource.navigations:
                raise _unknown(name, obj.resource)
            value = self.navigate(obj.row, obj.resource, name)
            navigation = obj.resource.navigations[name]
            if navigation.kind == "inline":
                return value
            target = RESOURCES[navigation.target or ""]
            if isinstance(value, list):
                return [_Bound(v, target) for v in value]
            return _Bound(value, target) if value is not None else None
        if isinstance(obj, dict):
            if name not in obj:
                raise FilterError(f"Could not find a property named '{name}'.")
            return obj[name]
        raise FilterError(f"'{name}' cannot be read from a value")

    def _sort_key(self, resource: Resource, orderby: str):
        keys = []
        for part in _split(orderby, ","):
            words = part.split()
            if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
                raise FilterError(f"malformed $orderby {part!r}")
            keys.append((words[0].split("/"), len(words) == 2 and words[1].lower() == "desc"))

        def value_of(row: Any, path: list[str]) -> Any:
            value: Any = _Bound(row, resource)
            for step in path:
                value = None if value is None else self._get(value, step)
            if isinstance(value, str):
                return value.casefold()
            if isinstance(value, int | float) and not isinstance(value, bool):
                return Decimal(str(value))
            return value

        return keys, value_of

    def _ordered(self, rows: list[dict[str, Any]], resource: Resource,
                 orderby: str) -> list[dict[str, Any]]:
        keys, value_of = self._sort_key(resource, orderby)
        for path, descending in reversed(keys):
            present = [r for r in rows if value_of(r, path) is not None]
            absent = [r for r in rows if value_of(r, path) is None]
            present.sort(key=lambda r, p=path: value_of(r, p), reverse=descending)
            rows = present + absent if descending else absent + present
        return rows

    def select(self, rows: list[dict[str, Any]], resource: Resource,
               options: Options) -> tuple[list[dict[str, Any]], int]:
        """The rows matching ``options`` (filtered, ordered, paged) and how many matched."""
        if options.filter:
            predicate = compile_filter(options.filter, self._get)
            rows = [r for r in rows if predicate(_Bound(r, resource))]
        if options.orderby:
            rows = self._ordered(rows, resource, options.orderby)
        total = len(rows)
        top = MAX_TOP if options.top is None else min(options.top, MAX_TOP)
        return rows[options.skip:options.skip + top], total

    def shape(self, row: dict[str, Any], resource: Resource, options: Options) -> dict[str, Any]:
        """A row as answered: the selected fields and the expanded navigations."""
        for name in options.select:
            if name not in resource.fields and name not in resource.navigations:
                raise _unknown(name, resource)
        for name in options.expand:
            if name not in resource.navigations:
                raise _unknown(name, resource)
        names = [n for n in options.select if n in resource.fields] or list(resource.fields)
        shaped = {name: row.get(name) for name in names}
        for name, inner in options.expand.items():
            shaped[name] = self._expanded(row, resource, name, inner)
        return shaped

    def _expanded(self, row: dict[str, Any], resource: Resource, name: str,
                  options: Options) -> Any:
        navigation = resource.navigations[name]
        value = self.navigate(row, resource, name)
        if navigation.kind == "inline":
            items = value
            if options.select:
                items = [{k: item.get(k) for k in options.select} for item in items]
            return [dict(item) for item in items]
        target = RESOURCES[navigation.target or ""]
        if navigation.kind == "single":
            return self.shape(value, target, options) if value is not None else None
        matched, _ = self.select(value, target, options)
        return [self.shape(r, target, options) for r in matched]

    def read(self, path: str, params: Mapping[str, str]) -> tuple[list[dict[str, Any]], int, bool]:
        """The answer rows of ``GET /<path>``, the match count and whether it was asked."""
        resource = RESOURCES[path]
        options = parse_options(params)
        matched, total = self.select(self.store.rows(path), resource, options)
        return [self.shape(r, resource, options) for r in matched], total, options.count
