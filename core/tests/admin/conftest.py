"""Fixtures of the admin tests: the Ledger sandbox and a pontes server on loopback (the
real app under uvicorn, in this process), with a signed-in browser-like client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "engine" / "support"))
sys.path.insert(0, str(Path(__file__).parent / "support"))

import ledger_plugin  # noqa: E402
from admin_support import Served, sign_in  # noqa: E402
from engine_support import (  # noqa: E402
    SECRET_KEY,
    ThreadedServer,
    free_port,
    ledger_config,
    ledger_runtime,
    quick_settings,
)
from pontes.server import create_app  # noqa: E402
from pontes.store import Store  # noqa: E402
from pontes.testing.databases import (  # noqa: E402
    fresh_postgres_database,
    postgres_admin_url,
    require_postgres,
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(request, tmp_path_factory) -> Iterator[str]:
    """The store of a module's server: a SQLite file, or a PostgreSQL database of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('admin') / 'pontes.db'}"
        return
    with fresh_postgres_database(require_postgres(postgres_admin_url()), "pontes_admin") as url:
        yield url


@pytest.fixture(scope="module")
def served(store_url) -> Iterator[Served]:
    sandbox = ThreadedServer(ledger_plugin.sandbox_app_factory()).start()
    port = free_port()
    config = ledger_config(store_url, sandbox.url, f"http://127.0.0.1:{port}",
                           max_attempts=1)
    store = Store.open(config["store"], key=SECRET_KEY.encode())
    runtime = ledger_runtime(config)
    app = create_app(runtime, store, quick_settings(),
                     key=SECRET_KEY.encode())
    server = ThreadedServer(app, port).start()
    try:
        yield Served(server.url, sandbox.url, store, runtime)
    finally:
        server.stop()
        sandbox.stop()
        store.close()


@pytest.fixture
def operator(served) -> Iterator[httpx.Client]:
    """A client signed in to the admin pages."""
    client, answer = sign_in(served.url)
    assert answer.status_code == 303
    yield client
    client.close()
