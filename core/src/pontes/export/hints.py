"""A compiled stream as dlt table hints: one dlt resource per stream, one table variant per
top-level table it fills (its own, and child tables loaded as tables of their own).

- a stream with a primary key is merged on it (``delete-insert``: a record loaded again
  replaces the old row and all its nested child rows); one without is appended;
- declared columns get their types up front, so a column exists with its type even
  while every value seen is null; nested tables get theirs through ``nested_hints``;
- a detached child table is merged on the parent key it repeats: each exported parent
  sends one row flagged ``_pontes_deleted`` that clears the rows loaded for it before
  (dlt's ``hard_delete``), then its current rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from .plan import DELETED_COLUMN, StreamPlan, TablePlan
from .values import DLT_TYPES

MERGE = {"disposition": "merge", "strategy": "delete-insert"}


def stream_resource(plan: StreamPlan, data: Iterator[Any], file_format: str) -> DltResource:
    """A dlt resource named after the stream, yielding ``data``, with every table hinted
    and written in ``file_format`` (dlt's loader file format)."""
    resource = dlt.resource(data, name=plan.name)
    resource.apply_hints(create_table_variant=True, file_format=file_format,
                         **root_hints(plan, file_format))
    for table in plan.root.detached:
        resource.apply_hints(create_table_variant=True, file_format=file_format,
                             **detached_hints(table, file_format))
    return resource


def root_hints(plan: StreamPlan, file_format: str) -> dict[str, Any]:
    """Hints of the stream's own table: merge on the primary key, or append without one."""
    hints: dict[str, Any] = {
        "table_name": plan.root.table,
        "write_disposition": MERGE if plan.primary_key else "append",
        "columns": columns_of(plan.root),
        "nested_hints": nested_hints(plan.root, file_format),
    }
    if plan.primary_key:
        hints["primary_key"] = list(plan.primary_key)
    return hints


def detached_hints(table: TablePlan, file_format: str) -> dict[str, Any]:
    """Hints of a child table loaded on its own: merged on the parent key, with deletions."""
    columns = columns_of(table)
    columns[DELETED_COLUMN] = {"name": DELETED_COLUMN, "data_type": "bool", "nullable": True,
                               "hard_delete": True}
    return {
        "table_name": table.table,
        "write_disposition": MERGE,
        "merge_key": list(table.merge_key),
        "columns": columns,
        "nested_hints": nested_hints(table, file_format),
    }


def columns_of(table: TablePlan) -> dict[str, dict[str, Any]]:
    """dlt column schemas of a table's declared columns (none for undeclared tables)."""
    return {name: {"name": name, "data_type": DLT_TYPES[column_type], "nullable": True}
            for name, column_type in table.column_types().items()}


def nested_hints(table: TablePlan, file_format: str,
                 prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Hints of every table nested below ``table`` (column types, file format), keyed by
    their path of names."""
    found: dict[tuple[str, ...], Any] = {}
    for child in table.nested:
        path = (*prefix, child.name)
        found[path] = dlt.mark.make_nested_hints(columns=columns_of(child) or None,
                                                 file_format=file_format)
        found.update(nested_hints(child, file_format, path))
    return found
