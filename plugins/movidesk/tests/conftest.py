"""Fixtures: Movidesk sandboxes served by uvicorn on loopback, and connections to them."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from pontes.connection import Connection
from pontes.plugins import load_plugins
from pontes_movidesk.sandbox import SANDBOX_TOKEN, build_app, sandbox_settings
from pontes_movidesk.settings import MovideskSettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

FAST = 6000
"""Requests per minute for sandboxes whose rate limit is not under test."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Served:
    """An ASGI app served by uvicorn in a thread on a free 127.0.0.1 port."""

    def __init__(self, app: Any):
        self.app = app
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class Sandbox(Served):
    """A served Movidesk sandbox with helpers for its control endpoints."""

    def __init__(self, requests_per_minute: int = FAST, **options: Any):
        self.requests_per_minute = requests_per_minute
        super().__init__(build_app(requests_per_minute=requests_per_minute, **options))
        self.api = self.url + "/public/v1"

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, self.url + "/_sandbox" + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def call(self, method: str, path: str, token: str | None = SANDBOX_TOKEN,
             **params: Any) -> httpx.Response:
        """A raw call to the vendor API (``json=`` goes in the body)."""
        body = params.pop("json", None)
        if token is not None:
            params["token"] = token
        return httpx.request(method, self.api + path, params=params, json=body, timeout=10)

    def stored_ticket(self, ticket_id: int) -> dict[str, Any]:
        return next(t for t in self.control("GET", "/state")["tickets"] if t["id"] == ticket_id)

    def settings(self, **overrides: Any) -> MovideskSettings:
        entry = sandbox_settings(self.url, requests_per_minute=self.requests_per_minute)
        return MovideskSettings.model_validate({**entry, **overrides})


class Receiver(Served):
    """A webhook receiver that records every JSON body posted to it."""

    def __init__(self):
        self.bodies: list[Any] = []

        async def hook(request: Request) -> JSONResponse:
            self.bodies.append(await request.json())
            return JSONResponse({"ok": True})

        super().__init__(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
        self.hook_url = self.url + "/hook"


@pytest.fixture(scope="session")
def registry():
    return load_plugins(["movidesk"]).registry


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[Sandbox]:
    served = Sandbox()
    yield served
    served.stop()


@pytest.fixture
def sandbox(shared_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, reset to its demo data before the test."""
    shared_sandbox.control("POST", "/reset")
    return shared_sandbox


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    served = Receiver()
    yield served
    served.stop()


_names = itertools.count(1)


@pytest.fixture
async def connect(registry):
    """``connect(sandbox, **settings)``: a Connection with a name no other test uses."""
    opened: list[Connection] = []

    def make(target: Sandbox, name: str | None = None, **overrides: Any) -> Connection:
        connection = registry.connect(name or f"movidesk-test-{next(_names)}", "movidesk",
                                      target.settings(**overrides))
        opened.append(connection)
        return connection

    yield make
    for connection in opened:
        await connection.aclose()


@pytest.fixture
async def conn(connect, sandbox) -> Connection:
    """A connection to the shared sandbox."""
    return connect(sandbox)
