"""Fixtures: Movidesk sandboxes served on loopback with ``pontes.testing.serve_app``, and,
through ``pontes.testing``, connections to them and a webhook receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from pontes.plugin import Connection
from pontes.testing import serve_app
from pontes.testing.receiver import WebhookReceiver
from pontes_movidesk.sandbox.app import SANDBOX_TOKEN, build_app

FAST = 6000
"""Requests per minute for sandboxes whose rate limit is not under test."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Served:
    """An ASGI app served on a free 127.0.0.1 port until ``stop()``."""

    def __init__(self, app: Any):
        self.app = app
        self._serving = ExitStack()
        self.url = self._serving.enter_context(serve_app(app))

    def stop(self) -> None:
        self._serving.close()


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
def receiver(webhook_receiver: WebhookReceiver) -> WebhookReceiver:
    """Where the sandbox's automations post (``pontes.testing``'s receiver)."""
    return webhook_receiver


@pytest.fixture
def connect(sandbox_connection) -> Callable[..., Connection]:
    """``connect(sandbox, **settings)``: a Connection with a name no other test uses.

    Its settings are the sandbox's (with the rate the sandbox was built with) and the
    keyword overrides; ``pontes.testing`` closes it after the test.
    """

    def make(target: Sandbox, name: str | None = None, **overrides: Any) -> Connection:
        overrides = {"requests_per_minute": target.requests_per_minute, **overrides}
        return sandbox_connection("movidesk", name=name, base_url=target.url, **overrides)

    return make


@pytest.fixture
def conn(connect, sandbox) -> Connection:
    """A connection to the shared sandbox."""
    return connect(sandbox)
