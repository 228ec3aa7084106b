"""Exporting a connection's streams into a warehouse through dlt.

``export(connection, destination)`` loads every stream the connection's plugin declares
(or the chosen ones) into one dataset: each stream is read from its cursor and loaded in
packages of ``batch_size`` records; each package carries the stream's new cursor in the
dlt state, committed together with its rows. An export that is killed resumes from the
last committed package: a package that was extracted but not loaded is loaded first, and
records read again are merged on their primary key.

The dlt pipeline is named after the dataset and the destination, and keeps its working
files under ``work_dir`` (dlt's default directory when not given; the command passes the
pontes data directory's, see ``places``). When those files are gone, dlt restores the
state from the destination itself. The staging schema dlt merges through is dropped once
every stream is loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..connection import Connection
from ..errors import PontesError
from ..http import Redactor
from .chunks import CURSOR_STATE_KEY, Chunker
from .destination import Destination
from .errors import ExportError
from .feed import LoopThread, RecordFeed
from .plan import StreamPlan, compile_stream
from .progress import Progress

DEFAULT_BATCH_SIZE = 10_000
NAMING = "pontes.export.naming"
DLT_SETTINGS = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DATA_WRITER__DISABLE_COMPRESSION": "true",
}
"""dlt settings an export uses unless the environment sets them: no usage reports sent to
dlt's authors, and uncompressed working files (faster; they are deleted once loaded)."""


@dataclass
class StreamReport:
    """What one stream's export did."""

    name: str
    full_refresh: bool
    rows: int = 0
    child_rows: dict[str, int] = field(default_factory=dict)
    packages: int = 0
    api_calls: int = 0
    cursor: Any = None


@dataclass
class ExportReport:
    """What an export did: where it went and one report per stream."""

    destination: str
    dataset: str
    pipeline: str
    streams: list[StreamReport] = field(default_factory=list)


def stream_plans(connection: Connection, names: Sequence[str] | None = None) -> list[StreamPlan]:
    """The compiled streams of ``connection``'s connector, all or those ``names``d."""
    available = connection.streams
    if not available:
        raise ExportError(f"connection {connection.name!r} ({connection.connector.title}) "
                          "declares no streams to export")
    chosen = list(available) if not names else list(dict.fromkeys(names))
    unknown = [name for name in chosen if name not in available]
    if unknown:
        raise ExportError(f"--streams: no stream {unknown[0]!r} in {connection.name!r}; "
                          f"its streams are: {', '.join(available)}")
    return [compile_stream(available[name]) for name in chosen]


def export(connection: Connection, destination: Destination, *,
           streams: Sequence[str] | None = None, full_refresh: bool = False,
           dataset: str | None = None, work_dir: str | Path | None = None,
           batch_size: int = DEFAULT_BATCH_SIZE, progress: Progress | None = None) -> ExportReport:
    """Export ``connection``'s streams to ``destination`` and report what was done.

    ``full_refresh`` reads everything again and replaces what each stream loaded before;
    otherwise streams with a cursor read only what changed since the last export.
    Raises ``ExportError`` (or the vendor's error) when the export cannot finish; what was
    committed before stays, and the next export goes on from there.
    """
    plans = stream_plans(connection, streams)
    dataset = dataset or default_dataset(connection.name, destination)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", dataset):
        raise ExportError(f"--dataset: {dataset!r} must be letters, digits and '_', "
                          "not starting with a digit")
    if destination.kind == "duckdb" and Path(destination.location).stem.lower() == dataset.lower():
        raise ExportError(f"--dataset: DuckDB cannot tell the dataset {dataset!r} from the "
                          f"database file {Path(destination.location).name!r}; choose another "
                          "--dataset or file name")
    return _Export(connection, destination, dataset, work_dir, batch_size,
                   progress or Progress()).run(plans, full_refresh)


def default_dataset(connection: str, destination: Destination) -> str:
    """The dataset a connection exports into when none is given: the connection's name, or
    DuckDB's own ``main`` schema in a DuckDB file named after the connection (DuckDB cannot
    tell a schema from a database file of the same name)."""
    name = _identifier(connection)
    if destination.kind == "duckdb" and Path(destination.location).stem.lower() == name.lower():
        return "main"
    return name


def pipeline_name(dataset: str, destination: Destination) -> str:
    """The dlt pipeline of a dataset at a destination (its state is kept under this name)."""
    return f"pontes_{dataset}_{destination.fingerprint()}"


def open_pipeline(destination: Destination, dataset: str, work_dir: str | Path | None) -> Any:
    """The dlt pipeline loading ``dataset`` at ``destination``, working in ``work_dir``."""
    import dlt

    for name, value in DLT_SETTINGS.items():
        os.environ.setdefault(name, value)
    return dlt.pipeline(
        pipeline_name=pipeline_name(dataset, destination),
        destination=destination.dlt_destination(),
        dataset_name=dataset,
        pipelines_dir=str(work_dir) if work_dir is not None else None,
    )


class _Export:
    """One export run over one dlt pipeline."""

    def __init__(self, connection: Connection, destination: Destination, dataset: str,
                 work_dir: str | Path | None, batch_size: int, progress: Progress):
        self.connection = connection
        self.destination = destination
        self.dataset = dataset
        self.work_dir = work_dir
        self.batch_size = batch_size
        self.progress = progress
        self.schema_name = _identifier(connection.name)
        self.pipeline_name = pipeline_name(dataset, destination)
        password = _password(destination)
        self.redactor = Redactor([password] if password else [])

    def run(self, plans: list[StreamPlan], full_refresh: bool) -> ExportReport:
        """Load pending packages, then export each stream in turn."""
        report = ExportReport(self.destination.describe(), self.dataset, self.pipeline_name)
        io = LoopThread()
        try:
            with self._dlt_errors("preparing the destination"):
                pipeline = self._pipeline()
                pipeline.sync_destination()
                self._finish_pending(pipeline)
            for plan in plans:
                report.streams.append(self._export_stream(io, pipeline, plan, full_refresh))
            with self._dlt_errors("dropping the staging schema"):
                self._drop_staging(pipeline)
        finally:
            io.run(self.connection.aclose())
            io.close()
            self.progress.close()
        return report

    def _pipeline(self) -> Any:
        return open_pipeline(self.destination, self.dataset, self.work_dir)

    def _drop_staging(self, pipeline: Any) -> None:
        """Drop the staging schema dlt merges through (``<dataset>_staging``): it holds
        only copies of rows already merged."""
        with pipeline.sql_client() as client, client.with_staging_dataset():
            if client.has_dataset():
                client.drop_dataset()

    def _schema(self, pipeline: Any) -> Any:
        from dlt.common.schema import Schema

        if self.schema_name in pipeline.schemas:
            return pipeline.schemas[self.schema_name]
        return Schema(self.schema_name, normalizers={"names": NAMING})

    def _finish_pending(self, pipeline: Any) -> None:
        """Load what an interrupted export extracted but did not load."""
        if not pipeline.has_pending_data:
            return
        if pipeline.list_extracted_load_packages():
            pipeline.normalize()
        if pipeline.list_normalized_load_packages():
            self._check(pipeline.load())

    def _export_stream(self, io: LoopThread, pipeline: Any, plan: StreamPlan,
                       full_refresh: bool) -> StreamReport:
        refresh = full_refresh or plan.cursor_field is None
        stored = None if refresh else plan.decode_cursor(self._stored_cursor(pipeline, plan))
        report = StreamReport(plan.name, refresh, cursor=stored)
        self.progress.stream_started(plan.name, refresh)
        feed = RecordFeed(io, plan.stream, self.connection, plan.read_start(stored))
        chunker = Chunker(plan, feed, self.batch_size, stored, self.progress)
        try:
            with self._counting_calls(report), self._dlt_errors(f"stream {plan.name!r}"):
                first = True
                while first or chunker.has_more():
                    self._load_chunk(pipeline, plan, chunker, wipe=first and refresh)
                    first = False
                    report.packages += 1
                    self.progress.rows_loaded(plan.name, chunker.rows)
            with self._dlt_errors(f"creating the tables of stream {plan.name!r}"):
                self._create_missing_tables(pipeline, plan)
        finally:
            feed.close()
        report.rows = chunker.rows
        report.child_rows = dict(chunker.child_rows)
        report.cursor = chunker.cursor
        self.progress.stream_finished(plan.name)
        return report

    def _create_missing_tables(self, pipeline: Any, plan: StreamPlan) -> None:
        """Create the stream's declared tables that no row has reached yet."""
        from .tables import create_missing_tables, existing_tables

        with pipeline.sql_client() as client:
            existing = existing_tables(client)
        create_missing_tables(plan, self.destination, self.dataset, self._schema(pipeline),
                              self.pipeline_name, existing)

    def _load_chunk(self, pipeline: Any, plan: StreamPlan, chunker: Chunker, wipe: bool) -> None:
        from .hints import stream_resource

        resource = stream_resource(plan, chunker.chunk(), self.destination.file_format())
        pipeline.extract(resource, schema=self._schema(pipeline),
                         refresh="drop_data" if wipe else None)
        pipeline.normalize()
        self._check(pipeline.load())

    def _stored_cursor(self, pipeline: Any, plan: StreamPlan) -> Any:
        sources = pipeline.state.get("sources", {})
        resources = sources.get(self.schema_name, {}).get("resources", {})
        return resources.get(plan.name, {}).get(CURSOR_STATE_KEY)

    def _check(self, info: Any) -> None:
        if info is not None and info.has_failed_jobs:
            failed = [job for package in info.load_packages
                      for job in package.jobs.get("failed_jobs", [])]
            reason = failed[0].failed_message if failed else "a load job failed"
            raise ExportError(f"loading into {self.destination.describe()} failed: "
                              f"{self.redactor.text(str(reason))}")

    @contextmanager
    def _counting_calls(self, report: StreamReport) -> Iterator[None]:
        name = self.connection.name

        def count(connection: str, method: str, status: int | None, seconds: float) -> None:
            if connection == name:
                report.api_calls += 1

        observers = self.connection.call_observers
        observers.append(count)
        try:
            yield
        finally:
            observers.remove(count)

    @contextmanager
    def _dlt_errors(self, what: str) -> Iterator[None]:
        """Raise our own or the vendor's error out of dlt's wrappers; name dlt's own."""
        from dlt.pipeline.exceptions import PipelineStepFailed

        try:
            yield
        except PipelineStepFailed as exc:
            cause = _pontes_cause(exc)
            if cause is not None:
                raise cause from None
            raise ExportError(f"{what}: {self.destination.describe()}: "
                              f"{self.redactor.text(_root_message(exc))}") from None
        except PontesError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("dlt"):
                raise ExportError(f"{what}: {self.destination.describe()}: "
                                  f"{self.redactor.text(_root_message(exc))}") from None
            raise


def _pontes_cause(exc: BaseException) -> PontesError | None:
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, PontesError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _root_message(exc: BaseException) -> str:
    current = exc
    while (current.__cause__ or current.__context__) is not None:
        current = current.__cause__ or current.__context__
    first_line = str(current).strip().splitlines()
    return f"{type(current).__name__}: {first_line[0] if first_line else ''}"


def _identifier(name: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return cleaned if not cleaned[:1].isdigit() else f"_{cleaned}"


def _password(destination: Destination) -> str | None:
    if destination.kind != "postgres":
        return None
    from urllib.parse import unquote, urlsplit

    password = urlsplit(destination.location).password
    return unquote(password) if password else None
