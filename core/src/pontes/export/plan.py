"""A stream compiled for export: its tables, typed columns and keys, and the shaping of
each raw vendor record into the rows those tables receive.

``compile_stream(stream)`` checks the declaration once (every mistake is an
``ExportError`` naming the stream and the field) and returns a ``StreamPlan`` whose
``shape(record)`` turns one raw record into its root row (with nested child lists under
the child names, which the loader turns into child tables) and the rows of the child
tables loaded as tables of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from ..connector import ChildTable, Column, Stream
from .errors import ExportError
from .values import Converter, converter, to_date, to_timestamp

DELETED_COLUMN = "_pontes_deleted"
"""Marks the rows that clear a parent's rows from a child table loaded as its own table."""

_RESERVED_PREFIXES = ("_dlt_", DELETED_COLUMN)
_LAG_TYPES = ("timestamp", "date", "integer", "float")


@dataclass(frozen=True)
class ColumnPlan:
    """A declared column: name, type, where its value is in the raw record, converter.

    ``key`` is the source when it is a single key (the common case, read faster).
    """

    name: str
    type: str
    source: tuple[str, ...]
    convert: Converter

    @property
    def key(self) -> str | None:
        """The source key when the source is a single key, else ``None``."""
        return self.source[0] if len(self.source) == 1 else None


@dataclass(frozen=True)
class ParentKey:
    """A child column that repeats the value of one of its parent row's columns."""

    column: str
    parent_column: str
    type: str | None
    convert: Converter | None


@dataclass(frozen=True)
class TablePlan:
    """One destination table of a stream, and how its rows are cut from raw records.

    ``columns`` empty means the rows are the raw records as they come. ``nested`` tables
    travel inside their parent row under ``name``; ``detached`` ones are loaded as tables
    of their own and replace, per parent, the rows loaded before (``merge_key``).
    """

    name: str
    table: str
    source: tuple[str, ...] = ()
    columns: tuple[ColumnPlan, ...] = ()
    parent_key: tuple[ParentKey, ...] = ()
    nested: tuple[TablePlan, ...] = ()
    detached: tuple[TablePlan, ...] = ()
    merge_key: tuple[str, ...] = ()
    _child_sources: frozenset[str] = field(default=frozenset(), repr=False)
    readers: tuple[tuple[str, str | None, tuple[str, ...], Converter], ...] = \
        field(default=(), repr=False)
    """(name, single key or ``None``, source path, converter) of each declared column."""

    def column_types(self) -> dict[str, str]:
        """Declared column name -> column type, parent-key columns included."""
        types = {c.name: c.type for c in self.columns}
        for key in self.parent_key:
            if key.type is not None:
                types[key.column] = key.type
        return types

    def tables(self) -> list[TablePlan]:
        """This table and every table below it, parents first."""
        found = [self]
        for child in (*self.nested, *self.detached):
            found += child.tables()
        return found


@dataclass
class Shaped:
    """One raw record cut into rows: the root row (nested lists inside), its key and
    cursor value, the rows of detached child tables, and row counts per child table."""

    row: dict[str, Any]
    key: tuple[Any, ...] | None
    cursor: Any
    detached: list[tuple[TablePlan, dict[str, Any]]]
    counts: dict[str, int]


@dataclass(frozen=True)
class StreamPlan:
    """A checked stream: its root table plan, keys and cursor handling."""

    stream: Stream
    root: TablePlan
    primary_key: tuple[str, ...]
    cursor_field: str | None
    cursor_type: str | None

    @property
    def name(self) -> str:
        """The stream's name."""
        return self.stream.name

    def shape(self, record: Mapping[str, Any]) -> Shaped:
        """Cut one raw record into the rows of this stream's tables.

        Raises ``ExportError`` naming the table and column of a value that does not fit
        its declared type, or when the record lacks its primary key.
        """
        if not isinstance(record, Mapping):
            raise ExportError(f"stream {self.name!r}: read() yielded {type(record).__name__}, "
                              "expected a record (a dict)")
        detached: list[tuple[TablePlan, dict[str, Any]]] = []
        counts: dict[str, int] = {}
        row = _shape_row(self, self.root, record, None, detached, counts)
        key = None
        if self.primary_key:
            key = tuple(row.get(column) for column in self.primary_key)
            if any(part is None for part in key):
                raise ExportError(f"stream {self.name!r}: a record has no value for its "
                                  f"primary key {', '.join(self.primary_key)}: "
                                  f"{_preview(record)}")
        cursor = row.get(self.cursor_field) if self.cursor_field else None
        return Shaped(row, key, cursor, detached, counts)

    def encode_cursor(self, value: Any) -> Any:
        """A cursor value as it is kept in the export state (JSON-friendly)."""
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value

    def decode_cursor(self, value: Any) -> Any:
        """A cursor value read back from the export state."""
        if value is None:
            return None
        if self.cursor_type == "timestamp":
            return to_timestamp(value)
        if self.cursor_type == "date":
            return to_date(value)
        return value

    def read_start(self, stored: Any) -> Any:
        """The cursor to pass to ``read``: the stored one moved back by the stream's lag."""
        if stored is None or not self.stream.lag:
            return stored
        lag = self.stream.lag
        if self.cursor_type == "timestamp":
            return stored - timedelta(seconds=lag)
        if self.cursor_type == "date":
            return stored - timedelta(days=lag)
        return type(stored)(stored - lag)


def compile_stream(stream: Stream) -> StreamPlan:
    """Check ``stream`` and compile it; ``ExportError`` says what is wrong and where."""
    where = f"stream {stream.connector}:{stream.name}"
    if not stream.name:
        raise ExportError(f"{where}: the stream needs a name")
    root = _table_plan(where, stream.name, stream.table or stream.name, (), stream.columns,
                       stream.children, {}, None, stream.primary_key, is_root=True)
    types = root.column_types()
    for column in stream.primary_key:
        if types and column not in types:
            raise ExportError(f"{where}: primary_key column {column!r} is not among its "
                              f"columns ({', '.join(types)})")
    cursor_type = None
    if stream.cursor_field is not None:
        if types and stream.cursor_field not in types:
            raise ExportError(f"{where}: cursor_field {stream.cursor_field!r} is not among "
                              f"its columns ({', '.join(types)})")
        cursor_type = types.get(stream.cursor_field)
    lag = stream.lag
    if not isinstance(lag, int | float) or isinstance(lag, bool) or lag < 0:
        raise ExportError(f"{where}: lag must be a number >= 0, got {lag!r}")
    if lag and cursor_type not in _LAG_TYPES:
        raise ExportError(f"{where}: lag needs a cursor_field declared as one of "
                          f"{', '.join(_LAG_TYPES)} (cursor type: {cursor_type})")
    names = [plan.table for plan in root.tables()]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ExportError(f"{where}: two tables would be named {duplicates[0]!r}")
    return StreamPlan(stream, root, tuple(stream.primary_key), stream.cursor_field, cursor_type)


def _table_plan(where: str, name: str, table: str, source: tuple[str, ...],
                columns: Mapping[str, Any], children: tuple[Any, ...],
                parent_key: Mapping[str, str], parent: TablePlan | None,
                primary_key: tuple[str, ...], is_root: bool = False) -> TablePlan:
    where = f"{where}: table {table!r}" if not is_root else where
    keys = _parent_keys(where, columns, parent_key, parent)
    key_columns = {key.column for key in keys}
    plans = tuple(_column_plan(where, column, spec) for column, spec in columns.items()
                  if column not in key_columns)
    draft = TablePlan(name, table, source, plans, keys)
    nested: list[TablePlan] = []
    detached: list[TablePlan] = []
    seen: set[str] = set()
    for child in children:
        spec = ChildTable(name=child) if isinstance(child, str) else child
        if not isinstance(spec, ChildTable) or not spec.name:
            raise ExportError(f"{where}: children holds {child!r}; expected a name or a "
                              "ChildTable with a name")
        if spec.name in seen:
            raise ExportError(f"{where}: two children are named {spec.name!r}")
        seen.add(spec.name)
        if spec.name in {c.name for c in plans}:
            raise ExportError(f"{where}: child {spec.name!r} has the name of a column")
        if spec.table is not None and not is_root:
            raise ExportError(f"{where}: child {spec.name!r} sets table=, which only the "
                              "children of a stream's own table may do")
        child_source = _path(spec.path or spec.name)
        child_table = spec.table or f"{table}__{spec.name}"
        plan = _table_plan(where, spec.name, child_table, child_source, spec.columns,
                           spec.children, spec.parent_key, draft, primary_key)
        if spec.table is not None:
            plan = _detach(where, plan, spec, primary_key)
            detached.append(plan)
        else:
            nested.append(plan)
    child_sources = frozenset(p.source[0] for p in (*nested, *detached) if len(p.source) == 1)
    readers = tuple((c.name, c.key, c.source, c.convert) for c in plans)
    return TablePlan(name, table, source, plans, keys, tuple(nested), tuple(detached),
                     _child_sources=child_sources, readers=readers)


def _detach(where: str, plan: TablePlan, spec: ChildTable,
            primary_key: tuple[str, ...]) -> TablePlan:
    by_parent = {key.parent_column: key.column for key in plan.parent_key}
    missing = [column for column in primary_key if column not in by_parent]
    if not primary_key or missing:
        raise ExportError(f"{where}: child {spec.name!r} is loaded as table {spec.table!r}, "
                          "so its parent_key must repeat the stream's whole primary key "
                          f"({', '.join(primary_key) or 'none declared'})")
    merge_key = tuple(by_parent[column] for column in primary_key)
    return replace(plan, merge_key=merge_key)


def _parent_keys(where: str, columns: Mapping[str, Any], parent_key: Mapping[str, str],
                 parent: TablePlan | None) -> tuple[ParentKey, ...]:
    if parent_key and parent is None:
        raise ExportError(f"{where}: parent_key is for child tables")
    parent_types = parent.column_types() if parent is not None else {}
    keys = []
    for column, parent_column in parent_key.items():
        _check_column_name(where, column)
        if parent_types and parent_column not in parent_types:
            raise ExportError(f"{where}: parent_key {column!r} copies {parent_column!r}, "
                              f"which is not a column of the parent ({', '.join(parent_types)})")
        column_type = _column_type(where, column, columns[column]) if column in columns \
            else parent_types.get(parent_column)
        keys.append(ParentKey(column, parent_column, column_type,
                              converter(column_type) if column_type else None))
    return tuple(keys)


def _column_plan(where: str, name: str, spec: Any) -> ColumnPlan:
    _check_column_name(where, name)
    column_type = _column_type(where, name, spec)
    source = spec.source if isinstance(spec, Column) and spec.source else name
    return ColumnPlan(name, column_type, _path(source), converter(column_type))


def _column_type(where: str, name: str, spec: Any) -> str:
    column_type = spec.type if isinstance(spec, Column) else spec
    try:
        converter(column_type)
    except ValueError as exc:
        raise ExportError(f"{where}: column {name!r}: {exc}") from None
    return column_type


def _check_column_name(where: str, name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ExportError(f"{where}: column names must be non-empty text, got {name!r}")
    if name.startswith(_RESERVED_PREFIXES):
        raise ExportError(f"{where}: column {name!r}: names starting with "
                          f"{' or '.join(_RESERVED_PREFIXES)} are the loader's own")


def _path(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split("."))


def _get(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    if len(path) == 1:
        return record.get(path[0])
    value: Any = record
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _items(record: Mapping[str, Any], path: tuple[str, ...]) -> list[Any]:
    value = _get(record, path)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _shape_row(stream: StreamPlan, plan: TablePlan, raw: Any,
               parent_row: dict[str, Any] | None,
               detached: list[tuple[TablePlan, dict[str, Any]]],
               counts: dict[str, int]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raw = {"value": raw}
    if plan.columns:
        try:
            row = {name: convert(raw.get(key) if key is not None else _get(raw, source))
                   for name, key, source, convert in plan.readers}
        except (ValueError, TypeError):
            row = _shape_slowly(stream, plan, raw)
    else:
        skip = plan._child_sources
        row = {k: v for k, v in raw.items() if k not in skip} if skip else dict(raw)
    for key in plan.parent_key:
        value = parent_row.get(key.parent_column) if parent_row is not None else None
        row[key.column] = _convert(stream, plan, key.column, key.convert, value)
    for child in plan.nested:
        rows = [_shape_row(stream, child, item, row, detached, counts)
                for item in _items(raw, child.source)]
        row[child.name] = rows
        counts[child.table] = counts.get(child.table, 0) + len(rows)
    for child in plan.detached:
        for item in _items(raw, child.source):
            detached.append((child, _shape_row(stream, child, item, row, detached, counts)))
            counts[child.table] = counts.get(child.table, 0) + 1
    return row


def _shape_slowly(stream: StreamPlan, plan: TablePlan, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Convert column by column, to name the column whose value does not fit."""
    return {c.name: _convert(stream, plan, c.name, c.convert, _get(raw, c.source))
            for c in plan.columns}


def _convert(stream: StreamPlan, plan: TablePlan, column: str, convert: Converter | None,
             value: Any) -> Any:
    if convert is None:
        return value
    try:
        return convert(value)
    except (ValueError, TypeError) as exc:
        raise ExportError(f"stream {stream.name!r}: table {plan.table!r}: column "
                          f"{column!r}: {exc}") from None


def _preview(record: Mapping[str, Any], limit: int = 200) -> str:
    text = repr(dict(record))
    return text if len(text) <= limit else text[:limit] + "..."

