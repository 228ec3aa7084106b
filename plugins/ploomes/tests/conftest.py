"""Fixtures: the Ploomes sandbox and a webhook receiver served by uvicorn on loopback,
and live connections to the sandbox through the installed plugin."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pontes.connection import Connection
from pontes.plugins import load_plugins
from pontes.testing import serve_app
from pontes_ploomes.sandbox import SANDBOX_USER_KEY, PloomesSandbox, sandbox_settings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@pytest.fixture
def anyio_backend():
    return "asyncio"


class Receiver:
    """A webhook endpoint that records every JSON body posted to it."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.lock = threading.Lock()

        async def receive(request: Request) -> JSONResponse:
            body = await request.json()
            with self.lock:
                self.bodies.append(body)
            return JSONResponse({"ok": True})

        self.app = Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """The bodies once at least ``count`` arrived (fails the test after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"expected {count} webhook deliveries, got {len(self.bodies)}")
            time.sleep(0.02)
        return list(self.bodies)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[tuple[PloomesSandbox, str]]:
    emulator = PloomesSandbox()
    with serve_app(emulator.app()) as url:
        yield emulator, url


@pytest.fixture
def sandbox(sandbox_server) -> PloomesSandbox:
    """The running sandbox, reset to its seeded account."""
    emulator, url = sandbox_server
    httpx.post(f"{url}/_sandbox/reset").raise_for_status()
    emulator.url = url
    return emulator


@pytest.fixture
def api(sandbox) -> Iterator[httpx.Client]:
    """A plain HTTP client for the sandbox, authenticated as the seeded administrator."""
    with httpx.Client(base_url=sandbox.url, headers={"User-Key": SANDBOX_USER_KEY}) as client:
        yield client


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    with serve_app(receiver.app) as url:
        yield receiver, url


@pytest.fixture
def receiver(receiver_server) -> Receiver:
    """A webhook receiver with an empty log; ``receiver.url`` is where to post."""
    receiver, url = receiver_server
    with receiver.lock:
        receiver.bodies.clear()
    receiver.url = f"{url}/hooks/ploomes"
    return receiver


@pytest.fixture(scope="session")
def registry():
    return load_plugins(["ploomes"]).registry


_names = itertools.count(1)


@pytest.fixture
async def make_connection(sandbox, registry):
    """Build connections to the sandbox (each with its own name, so its own rate budget)."""
    made: list[Connection] = []

    def make(**overrides: Any) -> Connection:
        connector = registry.connectors["ploomes"]
        settings = connector.settings.model_validate({**sandbox_settings(sandbox.url),
                                                      **overrides})
        connection = registry.connect(f"ploomes-{next(_names)}", "ploomes", settings)
        made.append(connection)
        return connection

    yield make
    for connection in made:
        await connection.aclose()


@pytest.fixture
def conn(make_connection) -> Connection:
    """A connection to the sandbox with the default settings."""
    return make_connection()
