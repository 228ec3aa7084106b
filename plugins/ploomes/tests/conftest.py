"""Fixtures: a fresh Ploomes sandbox for each test, connections to it, and a webhook
receiver served on loopback.

- ``ploomes_url``: the base URL of this test's sandbox (``sandbox_url`` of
  ``pontes.testing``), seeded with the demo account;
- ``api``: a plain HTTP client for it, authenticated as the seeded administrator;
- ``make_connection(**settings)`` and ``connection``: connections to it through the
  installed plugin (``sandbox_connection`` of ``pontes.testing``), each with its own name
  and so its own rate budget;
- ``receiver``: a webhook endpoint that records what the sandbox posts to it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from pontes.plugin import Connection
from pontes.testing import serve_app
from pontes_ploomes.sandbox.seed import SANDBOX_USER_KEY
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


@pytest.fixture
def ploomes_url(sandbox_url: Callable[[str], str]) -> str:
    """The base URL of a fresh Ploomes sandbox with its seeded account."""
    return sandbox_url("ploomes")


@pytest.fixture
def api(ploomes_url: str) -> Iterator[httpx.Client]:
    """A plain HTTP client for the sandbox, authenticated as the seeded administrator."""
    with httpx.Client(base_url=ploomes_url, headers={"User-Key": SANDBOX_USER_KEY}) as client:
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


@pytest.fixture
def make_connection(sandbox_connection, ploomes_url: str) -> Callable[..., Connection]:
    """``make_connection(**settings)``: a connection to the sandbox (settings overridden)."""
    return partial(sandbox_connection, "ploomes", base_url=ploomes_url)


@pytest.fixture
def connection(make_connection) -> Connection:
    """A connection to the sandbox with the default settings."""
    return make_connection()
