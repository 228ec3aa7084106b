"""Fixtures for the Usedesk plugin tests.

- ``usedesk``: a fresh sandbox served on loopback (``Sandbox``: its URL, an HTTP client,
  and the account state behind it), built with the options a test gives through
  ``usedesk_options``;
- ``receiver``: a small server on loopback that records what is posted to it and
  answers as the test says (Usedesk's webhooks and dynamic blocks are posted to it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pontes.testing import serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pontes_usedesk.sandbox.app import SANDBOX_API_TOKEN, build_app
from pontes_usedesk.sandbox.state import UsedeskState

TOKEN = SANDBOX_API_TOKEN


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Sandbox:
    """A served Usedesk sandbox: ``call(method, **params)`` posts to its API as the
    documentation says (JSON body with ``api_token``)."""

    url: str
    http: httpx.Client
    state: UsedeskState

    def call(self, method: str, **params: Any) -> httpx.Response:
        return self.http.post(method, json={"api_token": TOKEN, **params})

    def control(self, path: str, body: Any = None, method: str = "POST") -> httpx.Response:
        return self.http.request(method, f"/_sandbox{path}",
                                 json=body if body is not None else None)

    def deliveries(self) -> list[dict[str, Any]]:
        return self.http.get("/_sandbox/deliveries").json()


@pytest.fixture
def usedesk_options() -> dict[str, Any]:
    """Options of the sandbox ``usedesk`` builds (override in a test module)."""
    return {}


@pytest.fixture
def usedesk(usedesk_options: dict[str, Any]) -> Iterator[Sandbox]:
    app = build_app(**usedesk_options)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield Sandbox(url, http, app.state.usedesk)


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST to ``url(name)``; ``answers[name]`` is ``(status, JSON body,
    delay in seconds)``, ``(200, {"html": "<p>ok</p>"}, 0)`` by default."""

    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: dict[str, tuple[int, Any, float]] = field(default_factory=dict)

    def url(self, name: str = "hook") -> str:
        return f"{self.base_url}/{name}"

    def to(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path == name]

    def app(self) -> Starlette:
        async def record(request: Request) -> Response:
            name = request.path_params["name"]
            self.received.append(Received(name, request.headers.get("content-type", ""),
                                          await request.body()))
            status, body, delay = self.answers.get(name, (200, {"html": "<p>ok</p>"}, 0))
            if delay:
                await asyncio.sleep(delay)
            return JSONResponse(body, status_code=status)

        return Starlette(routes=[Route("/{name}", record, methods=["POST"])])


@pytest.fixture(scope="session")
def served_receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serve_app(found.app()) as url:
        found.base_url = url
        yield found


@pytest.fixture
def receiver(served_receiver: Receiver) -> Receiver:
    """The loopback receiver, emptied for this test."""
    served_receiver.received.clear()
    served_receiver.answers.clear()
    return served_receiver
