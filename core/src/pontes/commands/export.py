"""``pontes export``: load a connection's streams into DuckDB or PostgreSQL, and
``pontes export status``: what the destination holds.

``register(cli)`` adds the group to the main ``pontes`` group; ``pontes export CONNECTION``
is short for ``pontes export run CONNECTION``. The commands need the optional
dependencies of ``pontes[export]`` (dlt, DuckDB, tqdm) only when they run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from .common import config_option, fails_cleanly
from .oauth import signed_in_runtime


def register(cli: click.Group) -> None:
    """Add ``export`` (with ``run`` and ``status``) to ``cli``."""
    cli.add_command(export_group)


class _RunByDefault(click.Group):
    """A group whose first argument, when it names no subcommand, goes to ``run``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group("export", cls=_RunByDefault)
def export_group() -> None:
    """Export a connection's streams to a warehouse (``export CONNECTION`` runs one), or
    show what a warehouse holds (``export status CONNECTION``)."""


def to_option(command: Any) -> Any:
    """``--to DESTINATION``."""
    return click.option(
        "--to", "to", default=None, metavar="DESTINATION",
        help="A DuckDB file (a path or duckdb:///path) or a postgresql:// URL; 'duckdb' or "
             "nothing: <connection>.duckdb beside the configuration file.")(command)


def dataset_option(command: Any) -> Any:
    """``--dataset NAME``."""
    return click.option(
        "--dataset", default=None,
        help="Schema that receives the tables [default: the connection's name; 'main' in "
             "the connection's own DuckDB file].")(command)


def streams_option(command: Any) -> Any:
    """``--streams A,B``."""
    return click.option("--streams", default=None, metavar="A,B",
                        help="Only these streams (comma-separated) [default: all].")(command)


@export_group.command("run")
@click.argument("connection")
@config_option
@to_option
@streams_option
@click.option("--full-refresh", is_flag=True,
              help="Read everything again and replace what was exported before.")
@dataset_option
@click.option("--batch-size", default=None, type=click.IntRange(min=1),
              help="Records per load package; an interrupted export resumes from the last "
                   "one [default: 10000].")
@click.option("--work-dir", default=None, type=click.Path(file_okay=False),
              help="Where dlt keeps its working files [default: dlt/ in the pontes data "
                   "directory: $PONTES_DATA_DIR, data_dir: in the configuration, or "
                   "pontes-data/ beside the store].")
@click.option("--no-progress", is_flag=True,
              help="Do not draw progress bars (with --verbose, each API call is logged).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@fails_cleanly
def export_command(connection: str, config_path: str, to: str | None, streams: str | None,
                   full_refresh: bool, dataset: str | None, batch_size: int | None,
                   work_dir: str | None, no_progress: bool, as_json: bool) -> None:
    """Export the streams of CONNECTION (tables and child tables) to a warehouse.

    Streams with a cursor load only what changed since the last export, unless
    --full-refresh. Progress is committed package by package: run the same command again
    after an interruption and it goes on where it stopped.
    """
    export_api = _export_package()
    with _connection(config_path, connection) as (runtime, found):
        destination = _destination(to, connection, config_path)
        work = Path(work_dir) if work_dir else export_api.dlt_work_dir(
            runtime.config.store, _config_dir(config_path), runtime.config.data_dir)
        click.echo(f"Exporting {connection} ({found.connector.title}) to "
                   f"{destination.describe()}", err=True)
        report = export_api.export(
            found, destination, streams=_names(streams), full_refresh=full_refresh,
            dataset=dataset, work_dir=work,
            batch_size=batch_size or export_api.DEFAULT_BATCH_SIZE,
            progress=export_api.Progress() if no_progress else export_api.TqdmProgress())
    click.echo(json.dumps(asdict(report), indent=2, default=str) if as_json
               else _summary(report))


@export_group.command("status")
@click.argument("connection")
@config_option
@to_option
@streams_option
@dataset_option
@fails_cleanly
def status_command(connection: str, config_path: str, to: str | None, streams: str | None,
                   dataset: str | None) -> None:
    """Show what a warehouse holds of CONNECTION: each stream's cursor, its newest load,
    the rows of its tables and how far its cursor is behind now."""
    export_api = _export_package()
    with _connection(config_path, connection) as (_runtime, found):
        destination = _destination(to, connection, config_path)
        status = export_api.export_status(found, destination, streams=_names(streams),
                                          dataset=dataset)
    click.echo(_status_text(status))


def _export_package() -> Any:
    try:
        from .. import export
    except ImportError as exc:
        raise click.ClickException(f"export needs pontes[export] (pip install "
                                   f"'pontes[export]'): {exc}") from None
    return export


@contextmanager
def _connection(config_path: str, name: str) -> Iterator[tuple[Any, Any]]:
    """The runtime and its connection ``name`` (a click error naming the known ones)."""
    with signed_in_runtime(config_path) as (runtime, _logins):
        try:
            found = runtime.connections.get(name)
            if found is None:
                known = ", ".join(sorted(runtime.connections)) or "none"
                raise click.ClickException(f"no connection {name!r} in {config_path}; "
                                           f"expected one of: {known}")
            yield runtime, found
        finally:
            asyncio.run(runtime.aclose())


def _config_dir(config_path: str) -> Path:
    return Path(config_path).resolve().parent


def _destination(to: str | None, connection: str, config_path: str) -> Any:
    from ..export import parse_destination
    from ..export.places import destination_text

    return parse_destination(destination_text(to, connection, _config_dir(config_path)))


def _names(streams: str | None) -> list[str] | None:
    return [name.strip() for name in streams.split(",") if name.strip()] if streams else None


def _summary(report: Any) -> str:
    lines = [f"dataset {report.dataset} in {report.destination}:"]
    for stream in report.streams:
        mode = "full refresh" if stream.full_refresh else "changes"
        lines.append(f"  {stream.name}: {stream.rows} rows ({mode}), {stream.packages} "
                     f"package(s), {stream.api_calls} API call(s), cursor {stream.cursor}")
        for table, rows in sorted(stream.child_rows.items()):
            lines.append(f"    {table}: {rows} rows")
    return "\n".join(lines)


def _status_text(status: Any) -> str:
    if not status.exported:
        return (f"dataset {status.dataset} in {status.destination}: nothing exported yet")
    lines = [f"dataset {status.dataset} in {status.destination}:"]
    for stream in status.streams:
        last = stream.last_load.strftime("%Y-%m-%d %H:%M:%S UTC") if stream.last_load \
            else "never"
        lag = f", lag {_duration(stream.lag)}" if stream.lag is not None else ""
        cursor = stream.cursor.isoformat() if hasattr(stream.cursor, "isoformat") \
            else stream.cursor
        lines.append(f"  {stream.name}: cursor {cursor}{lag}, last load {last}")
        for table, rows in stream.rows.items():
            lines.append(f"    {table}: {'no table' if rows is None else f'{rows} rows'}")
    return "\n".join(lines)


def _duration(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {seconds}s"
