"""Fixtures of the engine tests: the Ledger sandbox served on loopback, and the pontes
server as a real subprocess (helpers in support/).

The stores (``store_url``, ``store``, on SQLite and PostgreSQL) are the core tests' own
(core/tests/conftest.py), sealed here with ``SECRET_KEY``; PostgreSQL tests use the
session's database of ``pontes.testing`` (``PONTES_TEST_POSTGRES_URL``), emptied between
tests, and are skipped, with the reason, without it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "support"))

import ledger_plugin  # noqa: E402
from engine_support import (  # noqa: E402
    SECRET_KEY,
    Sandbox,
    ServerProcess,
    ThreadedServer,
    free_port,
    ledger_config,
    server_env,
)

# --- stores (store_url and store: core/tests/conftest.py) ---------------------------------


@pytest.fixture
def store_key() -> bytes:
    """The engine tests' servers use ``SECRET_KEY``; so does the vault of ``store``."""
    return SECRET_KEY.encode()


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
