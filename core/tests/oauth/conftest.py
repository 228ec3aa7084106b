"""Fixtures of the OAuth tests: the test vendor served on loopback, and a runtime of the
``gate`` test plugin whose connection signs in with OAuth.

The stores (``store_url``, ``store``, on SQLite and PostgreSQL) are the core tests' own
(core/tests/conftest.py), sealed here with the test server's key; without
``PONTES_TEST_POSTGRES_URL`` the PostgreSQL variants are skipped, with the reason.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "support"))
sys.path.insert(0, str(HERE.parent / "engine" / "support"))

import oauth_vendor  # noqa: E402
from engine_support import ThreadedServer, free_port  # noqa: E402
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


@pytest.fixture
def store_key() -> bytes:
    """The test server's installation key, which seals the vault of ``store``
    (core/tests/conftest.py)."""
    return SECRET_KEY.encode()


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
