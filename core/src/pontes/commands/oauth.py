"""``pontes oauth``: log connections in with OAuth, and see where each one stands.

- ``pontes oauth login CONNECTION``: the vendor's authorize URL to open in a browser; the
  vendor then sends the browser to the server's callback, which stores the tokens;
- ``pontes oauth exchange CONNECTION --code CODE``: for vendors that show a one-time code
  instead of calling back;
- ``pontes oauth status``: every connection's login status.

``pontes check`` reports the same status through ``signed_in_runtime``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..keys import installation_key
from ..oauth.session import LoginStatus, OAuthSession
from ..oauth.state import make_state
from ..oauth.wiring import attach_oauth, login_statuses, uses_oauth
from ..runtime import Runtime
from ..store import Store
from .common import build_runtime, config_option, fails_cleanly


@contextmanager
def signed_in_runtime(config_path: str) -> Iterator[tuple[Runtime, dict[str, LoginStatus]]]:
    """The configuration's runtime with OAuth sessions over its store, and every
    connection's login status; the store and the connections are closed afterwards. The
    store is opened only when a connection signs in with OAuth."""
    runtime = build_runtime(config_path)
    if not any(uses_oauth(connection) for connection in runtime.connections.values()):
        yield runtime, {name: LoginStatus(name, "not_oauth") for name in runtime.connections}
        return
    key = runtime.key or installation_key(runtime.config.key_file)
    store = Store.open(runtime.config.store, key=key)
    try:
        attach_oauth(runtime, store.vault)
        yield runtime, login_statuses(runtime, store.vault)
    finally:
        for connection in runtime.connections.values():
            if connection.oauth is not None:
                connection.oauth.close()
        store.close()


def _session(runtime: Runtime, name: str) -> OAuthSession:
    connection = runtime.connections.get(name)
    if connection is None:
        known = ", ".join(sorted(runtime.connections)) or "none"
        raise click.ClickException(f"no connection {name!r}; configured: {known}")
    if connection.oauth is None:
        raise click.ClickException(
            f"connections.{name}: {connection.connector.title} connections of this "
            "configuration do not sign in with OAuth")
    return connection.oauth


@click.group("oauth")
def oauth_group() -> None:
    """Log connections in with OAuth2 and show their login status."""


@oauth_group.command("login")
@click.argument("connection")
@config_option
@fails_cleanly
def login_command(connection: str, config_path: str) -> None:
    """Print the URL to open to log CONNECTION in (the server must be running to take
    the vendor's callback)."""
    with signed_in_runtime(config_path) as (runtime, _statuses):
        session = _session(runtime, connection)
        state = make_state(runtime.key or installation_key(runtime.config.key_file),
                           connection)
        click.echo(f"Open this URL in a browser and allow access:\n\n"
                   f"  {session.authorize_url(state)}\n\n"
                   f"The vendor then sends you to {session.redirect_uri}, which stores the "
                   "tokens. A vendor that shows a code instead: pontes oauth exchange "
                   f"{connection} --code CODE")


@oauth_group.command("exchange")
@click.argument("connection")
@click.option("--code", required=True, help="The one-time authorization code the vendor showed.")
@config_option
@fails_cleanly
def exchange_command(connection: str, code: str, config_path: str) -> None:
    """Exchange a one-time authorization code for CONNECTION's tokens and store them."""
    with signed_in_runtime(config_path) as (runtime, _statuses):
        tokens = _session(runtime, connection).exchange_code(code)
    until = f" (access token valid until {tokens.expires_at:%Y-%m-%d %H:%M} UTC)" \
        if tokens.expires_at else ""
    click.echo(f"{connection}: logged in{until}")


@oauth_group.command("status")
@config_option
@fails_cleanly
def status_command(config_path: str) -> None:
    """Show every connection's login status; exit 1 when one needs a login."""
    with signed_in_runtime(config_path) as (_runtime, statuses):
        for name, status in statuses.items():
            click.echo(f"  {name}: {status.describe()}")
    waiting = [name for name, status in statuses.items() if status.state == "needs_login"]
    if waiting:
        raise click.ClickException(f"needs login: {', '.join(waiting)}")


def register(cli: click.Group) -> None:
    """Add ``pontes oauth`` to the ``pontes`` command group."""
    cli.add_command(oauth_group)
