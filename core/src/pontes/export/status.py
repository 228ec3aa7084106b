"""What a destination holds of a connection's export: ``pontes export status``.

The answer comes from the destination alone, as dlt would restore it: the state of the
newest completed load (each stream's cursor), and per stream the newest load that wrote
rows into its table, the rows of its tables and the lag of its cursor behind now. dlt
runs in a scratch working directory, so the export's own working files are left alone.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..connection import Connection
from .chunks import CURSOR_STATE_KEY
from .destination import Destination
from .runner import _identifier, default_dataset, open_pipeline, stream_plans
from .tables import existing_tables


@dataclass
class StreamStatus:
    """One stream at the destination: cursor, newest load, rows per table, lag."""

    name: str
    cursor: Any = None
    last_load: datetime | None = None
    rows: dict[str, int | None] = field(default_factory=dict)
    lag: timedelta | None = None


@dataclass
class ExportStatus:
    """A dataset at a destination; ``exported`` is false when nothing was loaded yet."""

    destination: str
    dataset: str
    exported: bool
    streams: list[StreamStatus] = field(default_factory=list)


def export_status(connection: Connection, destination: Destination, *,
                  streams: Sequence[str] | None = None, dataset: str | None = None,
                  now: datetime | None = None) -> ExportStatus:
    """The status of ``connection``'s streams at ``destination`` (see the module docstring)."""
    plans = stream_plans(connection, streams)
    dataset = dataset or default_dataset(connection.name, destination)
    status = ExportStatus(destination.describe(), dataset, exported=False)
    now = now or datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="pontes-export-status-") as scratch:
        pipeline = open_pipeline(destination, dataset, scratch)
        pipeline.sync_destination()
        resources = (pipeline.state.get("sources", {}).get(_identifier(connection.name), {})
                     .get("resources", {}))
        with pipeline.sql_client() as client:
            status.exported = client.has_dataset()
            existing = existing_tables(client)
            for plan in plans:
                stream = StreamStatus(plan.name)
                stream.cursor = plan.decode_cursor(
                    resources.get(plan.name, {}).get(CURSOR_STATE_KEY))
                for table in plan.root.tables():
                    stream.rows[table.table] = (_count(client, table.table)
                                                if table.table in existing else None)
                if plan.root.table in existing:
                    stream.last_load = _last_load(client, plan.root.table)
                stream.lag = _lag(stream.cursor, now)
                status.streams.append(stream)
    return status


def _count(client: Any, table: str) -> int:
    name = client.make_qualified_table_name(table)
    return client.execute_sql(f"select count(*) from {name}")[0][0]


def _last_load(client: Any, table: str) -> datetime | None:
    name = client.make_qualified_table_name(table)
    loads = client.make_qualified_table_name("_dlt_loads")
    rows = client.execute_sql(
        f"select max(l.inserted_at) from {loads} as l where l.status = 0 and l.load_id in "
        f"(select distinct _dlt_load_id from {name})")
    moment = rows[0][0] if rows else None
    if isinstance(moment, datetime) and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _lag(cursor: Any, now: datetime) -> timedelta | None:
    """How far a timestamp cursor is behind ``now`` (none for other cursors)."""
    if isinstance(cursor, datetime):
        return now - cursor
    return None
