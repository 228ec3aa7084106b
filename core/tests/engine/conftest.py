"""Fixtures of the engine tests: stores on SQLite and PostgreSQL, the Ledger sandbox served
on loopback, and the pontes server as a real subprocess (helpers in support/).

PostgreSQL tests use ``PONTES_TEST_POSTGRES_URL`` (a server where we may create
databases): one fresh database per test session, emptied between tests and dropped at the
end. Without the variable they are skipped, with the reason.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).parent / "support"))

import ledger_plugin  # noqa: E402
from engine_support import (  # noqa: E402
    POSTGRES_ENV,
    SECRET_KEY,
    Sandbox,
    ServerProcess,
    ThreadedServer,
    empty_postgres,
    free_port,
    ledger_config,
    require_postgres,
    server_env,
)
from pontes.store import Store  # noqa: E402


@pytest.fixture
def anyio_backend():
    return "asyncio"


# --- stores -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this session (``None`` without the variable)."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        yield None
        return
    name = f"pontes_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path, postgres_database) -> str:
    """A URL of an empty store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pontes.db'}"
    url = require_postgres(postgres_database)
    empty_postgres(url)
    return url


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    """An open, migrated store (both databases)."""
    opened = Store.open(store_url, key=SECRET_KEY.encode())
    yield opened
    opened.close()


# --- the Ledger sandbox -------------------------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    served = ThreadedServer(ledger_plugin.sandbox_app_factory()).start()
    with httpx.Client(base_url=served.url, timeout=10) as client:
        yield Sandbox(served.url, client)
    served.stop()


@pytest.fixture
def start_server(tmp_path, sandbox) -> Iterator[Callable[..., ServerProcess]]:
    """Start a server subprocess for a configuration (stopped after the test)."""
    started: list[ServerProcess] = []

    def start(store_url: str, *, env: dict[str, str] | None = None,
              **config_options: Any) -> ServerProcess:
        port = free_port()
        config = ledger_config(store_url, sandbox.url, f"http://127.0.0.1:{port}",
                               **config_options)
        path = tmp_path / f"pontes-{port}.yaml"
        path.write_text(yaml.safe_dump(config))
        server = ServerProcess(path, server_env(**(env or {})), port,
                               tmp_path / f"server-{port}.log")
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
        server.admin.close()
