"""Warehouse export: a connection's streams into DuckDB or PostgreSQL, through dlt.

A plugin declares its tables as ``pontes.connector.Stream`` (name, primary key, cursor,
typed columns, child tables) through the ``register_streams`` hook; this package turns
them into a dlt source and loads it:

- ``plan``: a stream checked and compiled, and the shaping of raw records into rows;
- ``values``: the conversion of vendor values to the declared column types;
- ``naming``: table and column names kept exactly as declared;
- ``hints``: the dlt resource of a stream (merge keys, column types, child tables);
- ``feed``: the stream's async read, run on its own event loop thread;
- ``chunks``: records cut into load packages, each committing its own cursor;
- ``destination``: ``--to`` parsed (a DuckDB file or a PostgreSQL URL);
- ``runner``: ``export()``, the whole run;
- ``places``: the default DuckDB file and dlt's working directory (the pontes data
  directory);
- ``tables``: the declared tables created before any row reaches them;
- ``status``: ``export_status()``, what a destination holds of a connection;
- ``progress``: progress bars.

dlt is an optional dependency: ``pip install 'pontes[export]'``.
"""

from __future__ import annotations

from .destination import Destination, parse_destination
from .errors import ExportError
from .places import data_directory, default_duckdb_file, dlt_work_dir
from .plan import StreamPlan, compile_stream
from .progress import Progress, TqdmProgress
from .runner import DEFAULT_BATCH_SIZE, ExportReport, StreamReport, export, stream_plans
from .status import ExportStatus, StreamStatus, export_status

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Destination",
    "ExportError",
    "ExportReport",
    "ExportStatus",
    "Progress",
    "StreamPlan",
    "StreamReport",
    "StreamStatus",
    "TqdmProgress",
    "compile_stream",
    "data_directory",
    "default_duckdb_file",
    "dlt_work_dir",
    "export",
    "export_status",
    "parse_destination",
    "stream_plans",
]
