"""pytest fixtures for plugin tests, loaded automatically wherever pontes is installed.

- ``pontes_registry``: the registry of every installed plugin, loaded once per session
  (override it to test a plugin that is not installed);
- ``sandbox_url``: a function ``(connector name) -> base URL`` that serves a fresh app of
  that connector's sandbox on a loopback port until the test ends;
- ``sandbox_connection``: a function ``(connector name, **settings overrides) ->
  Connection`` to a fresh sandbox with the sandbox's own credentials. It is an async
  fixture (its clients are closed after the test), so use it from ``@pytest.mark.anyio``
  tests;
- ``browser_page`` and ``chromium_browser``: a page in Debian's Chromium, headless, driven
  by Playwright (``pontes.testing.browser``); async too;
- ``postgres_database``: the URL of a PostgreSQL database made for the test session on the
  server ``PONTES_TEST_POSTGRES_URL`` names, dropped at its end; ``None`` without that
  variable (``pontes.testing.databases``);
- ``webhook_receiver``: an empty ``WebhookReceiver`` (``pontes.testing.receiver``) where a
  sandbox can post its webhooks: ``.url(name)``, ``.bodies(name)``, ``.to(name)``,
  ``.wait_for(n)``, with ``.replies`` to answer as a test needs and ``.triggers`` to
  answer as pontes does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from ..connection import Connection
from ..plugins import load_plugins
from ..registry import Registry
from .connections import connect, sandbox_of, sandbox_settings, unique_name
from .databases import fresh_postgres_database, postgres_admin_url
from .receiver import WebhookReceiver
from .server import serve_app

pytest_plugins = ["pontes.testing.browser"]


@pytest.fixture(scope="session")
def pontes_registry() -> Registry:
    """Everything the installed plugins register (``load_plugins()``, once per session)."""
    return load_plugins().registry


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session (``None`` without
    ``PONTES_TEST_POSTGRES_URL``); tests that share it empty it first
    (``pontes.testing.databases.empty_postgres``)."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        yield None
        return
    with fresh_postgres_database(admin_url) as url:
        yield url


@pytest.fixture(scope="session")
def _served_webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    with serve_app(receiver.app) as url:
        receiver.base_url = url
        yield receiver


@pytest.fixture
def webhook_receiver(_served_webhook_receiver: WebhookReceiver) -> WebhookReceiver:
    """The session's webhook receiver, with nothing received yet."""
    _served_webhook_receiver.clear()
    return _served_webhook_receiver


@pytest.fixture
def sandbox_url(pontes_registry: Registry) -> Iterator[Callable[[str], str]]:
    """``sandbox_url("movidesk")`` serves a fresh sandbox app and returns its base URL."""
    with ExitStack() as servers:

        def run_sandbox(connector: str) -> str:
            app = sandbox_of(pontes_registry, connector).app()
            return servers.enter_context(serve_app(app))

        yield run_sandbox


@pytest.fixture
async def sandbox_connection(
    pontes_registry: Registry, sandbox_url: Callable[[str], str]
) -> AsyncIterator[Callable[..., Connection]]:
    """``sandbox_connection("movidesk")`` is a ``Connection`` to a fresh sandbox.

    Keyword arguments override settings fields; ``base_url=`` reuses a sandbox already
    served (from ``sandbox_url``) instead of starting one; ``name=`` names the connection
    (by default a name no other test uses, such as ``movidesk-3``, so the connection's
    rate budget is its own).
    """
    opened: list[Connection] = []

    def make(connector: str, *, name: str | None = None, base_url: str | None = None,
             **overrides: Any) -> Connection:
        url = base_url or sandbox_url(connector)
        settings = sandbox_settings(pontes_registry, connector, url, **overrides)
        connection = connect(pontes_registry, connector, settings, name or unique_name(connector))
        opened.append(connection)
        return connection

    try:
        yield make
    finally:
        for connection in opened:
            await connection.aclose()
