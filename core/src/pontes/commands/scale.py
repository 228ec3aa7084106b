"""CLI commands for installations on PostgreSQL: ``worker`` and ``db upgrade``.

``pontes worker -c F [--concurrency N]`` runs events and polls without the web side;
``pontes db upgrade -c F`` brings the store's schema (pontes' tables and Procrastinate's)
to this version, which ``serve`` and ``worker`` also do when they start.
"""

from __future__ import annotations

import click

from ..config import load_config
from ..store import head_revision, migrate, open_engine, schema_revision
from .common import clean_failures, config_option


@click.command("worker")
@config_option
@click.option("--concurrency", type=click.IntRange(1, 1000),
              help="Events run at once [default: $PONTES_CONCURRENCY or 8].")
@click.option("--metrics-port", type=click.IntRange(1, 65535),
              help="Serve this worker's Prometheus metrics on this port.")
@click.option("--metrics-host", default="127.0.0.1", show_default=True,
              help="Address of the metrics endpoint.")
def worker_command(config_path: str, concurrency: int | None, metrics_port: int | None,
                   metrics_host: str) -> None:
    """Run events and polls from a PostgreSQL store (as many workers as you like)."""
    from ..server.worker import work

    with clean_failures():
        work(config_path, concurrency=concurrency, metrics_port=metrics_port,
             metrics_host=metrics_host)


@click.group("db")
def db_group() -> None:
    """The store's schema."""


@db_group.command("upgrade")
@config_option
def db_upgrade_command(config_path: str) -> None:
    """Apply pending migrations (pontes' and Procrastinate's schema) to the store."""
    with clean_failures():
        config = load_config(config_path)
        engine = open_engine(config.store)
    try:
        before = schema_revision(engine)
        migrate(engine)
        after = schema_revision(engine)
    finally:
        engine.dispose()
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"{url} is up to date (revision {after})")
    else:
        click.echo(f"{url} upgraded from revision {before or 'none'} to {after} "
                   f"(newest: {head_revision()})")
