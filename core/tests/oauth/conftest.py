"""Fixtures of the OAuth tests: the test vendor served on loopback, stores on SQLite and
PostgreSQL, and a runtime of the ``gate`` test plugin whose connection signs in with OAuth.

PostgreSQL tests use ``PONTES_TEST_POSTGRES_URL``, one fresh database per session (skipped,
with the reason, without it).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "support"))
sys.path.insert(0, str(HERE.parent / "engine" / "support"))

import oauth_vendor  # noqa: E402
from engine_support import (  # noqa: E402
    POSTGRES_ENV,
    ThreadedServer,
    empty_postgres,
    free_port,
    require_postgres,
)
from oauth_support import (  # noqa: E402
    ADMIN_TOKEN,
    SECRET_KEY,
    Pontes,
    Vendor,
    gate_config,
    gate_runtime,
)
from pontes.engine import Settings  # noqa: E402
from pontes.server.app import create_app  # noqa: E402
from pontes.store import Store  # noqa: E402


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this session (``None`` without the variable)."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        yield None
        return
    name = f"pontes_oauth_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
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
    """An open, migrated store."""
    opened = Store.open(store_url, key=SECRET_KEY.encode())
    yield opened
    opened.close()


@pytest.fixture
def vendor() -> Iterator[Vendor]:
    """The OAuth test vendor on a loopback port."""
    served = ThreadedServer(oauth_vendor.build_app()).start()
    with httpx.Client(base_url=served.url, timeout=10) as client:
        yield Vendor(served.url, client)
    served.stop()


@pytest.fixture
def pontes(store, store_url, vendor) -> Iterator[Pontes]:
    """A pontes server whose connection ``gate`` signs in at the test vendor (not yet
    logged in)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    runtime = gate_runtime(gate_config(store_url, vendor.url, url))
    settings = Settings(backoff_base=0.05, backoff_cap=0.2, idle_interval=0.1,
                        admin_token=ADMIN_TOKEN)
    served = ThreadedServer(create_app(runtime, store, settings, key=SECRET_KEY.encode()),
                            port).start()
    with httpx.Client(base_url=url, timeout=10,
                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as admin:
        yield Pontes(url, runtime, store, admin)
    served.stop()
