"""Tables that exist before any row reaches them.

dlt creates a table only once a row for it has gone through its normalizer. A stream
with no records yet, or a child table no record has filled, would then be missing from
the warehouse, and queries written against ``docs/export.md`` would fail. After each
stream, ``create_missing_tables`` makes the tables it declares that the destination
lacks: a skeleton record (one row per table, every declared column given a value of its
type) is extracted and normalized in a scratch dlt pipeline, which then creates the
tables at the destination with exactly the columns a real load would give them. The
skeleton is never loaded, and the export's own pipeline and state are not touched.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from typing import Any

import dlt

from .destination import Destination
from .plan import StreamPlan, TablePlan

_SAMPLE_VALUES: dict[str, Any] = {
    "text": "", "integer": 0, "float": 0.0, "boolean": False,
    "timestamp": datetime(1970, 1, 1, tzinfo=UTC), "date": date(1970, 1, 1), "json": None,
}
"""A value of each column type (JSON stays empty: its column comes from the hints)."""


def existing_tables(client: Any) -> set[str]:
    """The tables of the dataset of a dlt SQL client (none when it has no schema yet)."""
    if not client.has_dataset():
        return set()
    rows = client.execute_sql("select table_name from information_schema.tables "
                              "where table_schema = %s", client.dataset_name)
    return {name for (name,) in rows}


def declared_tables(plan: StreamPlan) -> list[str]:
    """The tables of a stream whose columns are declared (a table without declared columns
    gets the ones dlt infers from its first rows)."""
    return [table.table for table in plan.root.tables() if table.columns or table.parent_key]


def create_missing_tables(plan: StreamPlan, destination: Destination, dataset: str,
                          schema: Any, pipeline_name: str, existing: set[str]) -> list[str]:
    """Create the declared tables of ``plan`` absent from ``existing``; the ones made."""
    from .hints import stream_resource

    missing = [name for name in declared_tables(plan) if name not in existing]
    if not missing or not plan.root.columns:
        return []
    with tempfile.TemporaryDirectory(prefix="pontes-export-tables-") as scratch:
        pipeline = dlt.pipeline(pipeline_name=pipeline_name,
                                destination=destination.dlt_destination(),
                                dataset_name=dataset, pipelines_dir=scratch)
        resource = stream_resource(plan, iter(skeleton_items(plan)), destination.file_format())
        pipeline.extract(resource, schema=schema.clone())
        pipeline.normalize()
        pipeline.sync_schema(schema.name)
    return missing


def skeleton_items(plan: StreamPlan) -> list[Any]:
    """One row for each table of the stream, as the export hands rows to dlt."""
    items = [dlt.mark.with_table_name([_skeleton_row(plan.root)], plan.root.table)]
    for table in plan.root.detached:
        items.append(dlt.mark.with_table_name([_skeleton_row(table)], table.table))
    return items


def _skeleton_row(table: TablePlan) -> dict[str, Any]:
    row: dict[str, Any] = {name: _SAMPLE_VALUES[kind]
                           for name, kind in table.column_types().items()}
    for child in table.nested:
        row[child.name] = [_skeleton_row(child)]
    return row
