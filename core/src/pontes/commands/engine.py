"""CLI commands of the engine: ``serve``, ``worker``, ``db upgrade``, ``events``,
``replay``, ``links``, ``action-token``.

``register(cli)`` adds them to the main ``pontes`` group. Every command reads the
configuration given by ``--config`` (or ``$PONTES_CONFIG``);
``events``, ``replay`` and ``links`` need only its ``store`` URL, so they work while the
server runs and even when a plugin is broken; they never create a database (a SQLite
file that is not there yet is an error saying so).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import click

from ..config import load_config
from ..keys import installation_key
from ..paths import require_existing_store
from ..store import EVENT_STATUSES, Store
from ..tables import echo_table
from .common import clean_failures, config_option
from .scale import db_group, worker_command


@contextmanager
def _store(config_path: str) -> Iterator[Store]:
    with clean_failures():
        config = load_config(config_path)
        require_existing_store(config.store, config.source)
        store = Store.open(config.store)
    try:
        yield store
    finally:
        store.close()


@click.command("serve")
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--no-worker", is_flag=True,
              help="PostgreSQL store: take webhooks but leave running events to workers.")
def serve_command(config_path: str, host: str, port: int, no_worker: bool) -> None:
    """Run the server: webhooks, actions, admin API, and events (with SQLite, or a
    PostgreSQL store unless --no-worker)."""
    from ..server import serve

    with clean_failures():
        serve(config_path, host, port, worker=not no_worker)


@click.command("events")
@config_option
@click.option("--status", type=click.Choice(EVENT_STATUSES), help="Only events in this status.")
@click.option("--integration", help="Only events of this integration.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Only events received since then (UTC).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def events_command(config_path: str, status: str | None, integration: str | None,
                   since: datetime | None, limit: int, as_json: bool) -> None:
    """List events, newest first."""
    with _store(config_path) as store:
        found = store.events.list(status=status, integration=integration,
                                  since=since.replace(tzinfo=UTC) if since else None,
                                  limit=limit)
    if as_json:
        for event in found:
            click.echo(json.dumps(event.as_dict(), ensure_ascii=False))
        return
    if not found:
        click.echo("no events")
        return
    echo_table(["ID", "STATUS", "INTEGRATION", "TYPE", "TRIES", "RECEIVED (UTC)", "LAST ERROR"],
               [[e.id, e.status, e.integration, e.type, e.attempts,
                 f"{e.received_at:%Y-%m-%d %H:%M:%S}",
                 (e.last_error or "").replace("\n", " ")[:80]] for e in found],
               right=["ID", "TRIES"])


@click.command("replay")
@config_option
@click.argument("event_id", type=int, required=False)
@click.option("--dead", is_flag=True, help="Replay every dead event.")
@click.option("--integration", help="With --dead: only this integration's dead events.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def replay_command(config_path: str, event_id: int | None, dead: bool,
                   integration: str | None, as_json: bool) -> None:
    """Run a dead (or succeeded) event again: `replay ID`, or `replay --dead`."""
    if (event_id is None) == (not dead):
        raise click.UsageError("give either an event ID or --dead")
    with _store(config_path) as store:
        if dead:
            count = store.events.replay_dead(integration)
            click.echo(json.dumps({"queued": count}) if as_json
                       else f"queued {count} dead event(s) to run again")
            return
        outcome = store.events.replay(event_id)
    if outcome.missing:
        raise click.ClickException(f"no event {event_id}")
    if not outcome.queued:
        raise click.ClickException(f"event {event_id} is {outcome.status}; only dead or "
                                   "succeeded events can be replayed")
    click.echo(json.dumps({"queued": 1, "event_id": event_id, "was": outcome.status})
               if as_json else f"queued event {event_id} (was {outcome.status}) to run again")


@click.command("links")
@config_option
@click.option("--kind", help="Only groups of this kind.")
@click.option("--connection", help="Only groups with an id at this connection.")
@click.option("--remote-id", help="Only the group holding this remote id.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--all", "everything", is_flag=True,
              help="Also show the records recipes keep of their own steps (step:...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
def links_command(config_path: str, kind: str | None, connection: str | None,
                  remote_id: str | None, limit: int, everything: bool, as_json: bool) -> None:
    """Show which remote ids in which connections stand for one thing."""
    with _store(config_path) as store:
        groups = store.links.groups(kind=kind, connection=connection, remote_id=remote_id,
                                    limit=limit, internal=everything or kind is not None)
    if as_json:
        for group in groups:
            click.echo(json.dumps(group.as_dict(), ensure_ascii=False))
        return
    if not groups:
        click.echo("no links")
        return
    echo_table(["KIND", "ID", "REMOTE IDS"],
               [[group.kind, group.id, ", ".join(f"{c}={r}" for c, r in group.refs.items())]
                for group in groups])


@click.command("action-token")
@config_option
@click.argument("connection")
def action_token_command(config_path: str, connection: str) -> None:
    """Print the token and URL for `POST /actions/<connection>/<action>`."""
    from ..server.auth import action_token

    with clean_failures():
        config = load_config(config_path)
    if connection not in config.connections:
        known = ", ".join(sorted(config.connections)) or "none"
        raise click.ClickException(f"no connection {connection!r}; configured: {known}")
    with clean_failures():
        token = action_token(installation_key(config.key_file), connection)
    click.echo(f"url:    {config.public_url.rstrip('/')}/actions/{connection}/<action>")
    click.echo(f"header: Authorization: Bearer {token}")


def register(cli: click.Group) -> None:
    """Add the engine's commands to the ``pontes`` command group."""
    for command in (serve_command, worker_command, db_group, events_command, replay_command,
                    links_command, action_token_command):
        cli.add_command(command)
