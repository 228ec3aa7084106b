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
- ``progress``: progress bars.

dlt is an optional dependency: ``pip install 'pontes[export]'``.
"""

from __future__ import annotations

from .destination import Destination, parse_destination
from .errors import ExportError
from .plan import StreamPlan, compile_stream
from .progress import Progress, TqdmProgress
from .runner import DEFAULT_BATCH_SIZE, ExportReport, StreamReport, export, stream_plans

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Destination",
    "ExportError",
    "ExportReport",
    "Progress",
    "StreamPlan",
    "StreamReport",
    "TqdmProgress",
    "compile_stream",
    "export",
    "parse_destination",
    "stream_plans",
]
