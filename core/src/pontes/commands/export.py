"""``pontes export``: load a connection's streams into DuckDB or PostgreSQL.

``register(cli)`` adds the command to the main ``pontes`` group. It needs the optional
dependencies of ``pontes[export]`` (dlt, DuckDB, tqdm) only when it runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import click

from .common import config_option, fails_cleanly
from .oauth import signed_in_runtime


def register(cli: click.Group) -> None:
    """Add ``export`` to ``cli``."""
    cli.add_command(export_command)


@click.command("export")
@click.argument("connection")
@config_option
@click.option("--to", "to", default=None, metavar="DESTINATION",
              help="A DuckDB file (a path or duckdb:///path) or a postgresql:// URL "
                   "[default: pontes.duckdb].")
@click.option("--streams", default=None, metavar="A,B",
              help="Export only these streams (comma-separated) [default: all].")
@click.option("--full-refresh", is_flag=True,
              help="Read everything again and replace what was exported before.")
@click.option("--dataset", default=None,
              help="Schema that receives the tables [default: the connection's name].")
@click.option("--batch-size", default=None, type=click.IntRange(min=1),
              help="Records per load package; an interrupted export resumes from the last "
                   "one [default: 10000].")
@click.option("--work-dir", default=None, type=click.Path(file_okay=False),
              help="Where dlt keeps its working files [default: dlt's own].")
@click.option("--no-progress", is_flag=True,
              help="Do not draw progress bars (each API call is logged instead).")
@fails_cleanly
def export_command(connection: str, config_path: str, to: str | None, streams: str | None,
                   full_refresh: bool, dataset: str | None, batch_size: int | None,
                   work_dir: str | None, no_progress: bool) -> None:
    """Export the streams of CONNECTION (tables and child tables) to a warehouse.

    Streams with a cursor load only what changed since the last export, unless
    --full-refresh. Progress is committed package by package: run the same command again
    after an interruption and it goes on where it stopped.
    """
    try:
        from ..export import (
            DEFAULT_BATCH_SIZE,
            Progress,
            TqdmProgress,
            export,
            parse_destination,
        )
    except ImportError as exc:
        raise click.ClickException(f"export needs pontes[export] (pip install "
                                   f"'pontes[export]'): {exc}") from None
    if not no_progress and logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    destination = parse_destination(to or "pontes.duckdb")
    chosen = [name.strip() for name in streams.split(",") if name.strip()] if streams else None
    with signed_in_runtime(config_path) as (runtime, _logins):
        try:
            found = runtime.connections.get(connection)
            if found is None:
                known = ", ".join(sorted(runtime.connections)) or "none"
                raise click.ClickException(f"no connection {connection!r} in {config_path}; "
                                           f"expected one of: {known}")
            click.echo(f"Exporting {connection} ({found.connector.title}) to "
                       f"{destination.describe()}", err=True)
            report = export(found, destination, streams=chosen, full_refresh=full_refresh,
                            dataset=dataset, work_dir=work_dir,
                            batch_size=batch_size or DEFAULT_BATCH_SIZE,
                            progress=Progress() if no_progress else TqdmProgress())
        finally:
            asyncio.run(runtime.aclose())
    click.echo(_summary(report))


def _summary(report: Any) -> str:
    lines = [f"dataset {report.dataset} in {report.destination}:"]
    for stream in report.streams:
        mode = "full refresh" if stream.full_refresh else "changes"
        lines.append(f"  {stream.name}: {stream.rows} rows ({mode}), {stream.packages} "
                     f"package(s), {stream.api_calls} API call(s), cursor {stream.cursor}")
        for table, rows in sorted(stream.child_rows.items()):
            lines.append(f"    {table}: {rows} rows")
    return "\n".join(lines)
