"""Fixtures for the Jivo plugin tests.

- ``examples``: one body per Webhooks API event, written in the shapes and id types of
  Jivo's documented examples (``tests/examples/*.json``), built apart from the sandbox
  but with its channel id (``widget_id`` 51234), so one posted to a demo installation runs;
- ``receiver``: a small Starlette app served on a loopback port that answers webhooks the
  way a test tells it to and keeps what it received;
- ``jivo_sandbox``: an HTTP client on a fresh Jivo sandbox (``sandbox_url`` of
  ``pontes.testing``);
- ``jivo_connection``: connections with given settings, to no sandbox (Jivo calls us, so
  loading an event needs none); ``sandbox_connection`` of ``pontes.testing`` gives one
  with the sandbox's settings.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pontes.plugin import Connection, Event, InvalidPayload, WebhookRequest
from pontes.registry import Registry
from pontes.testing import connect, serve_app
from pontes_jivo.triggers import ACK, parse_webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

EXAMPLES = Path(__file__).parent / "examples"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def examples() -> dict[str, dict[str, Any]]:
    """A fresh copy of every documented-shape body, by ``event_name``."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*.json"))}


@dataclass
class Reply:
    """What the receiver answers: a JSON body or plain text, a status, an optional delay."""

    body: Any = field(default_factory=lambda: {"result": "ok"})
    status: int = 200
    text: str | None = None
    delay: float = 0.0


@dataclass
class Receiver:
    """A webhook receiver on loopback: ``url(name)`` is where to post, ``received`` what came.

    ``replies[name]`` is a list of ``Reply``: each delivery to ``/<name>`` takes the next
    one, and the last is repeated. ``/pontes`` answers as the pontes server does: the
    plugin's trigger parses the delivery (kept in ``events``) and the trigger's ack or a
    400 naming the problem comes back.
    """

    base_url: str = ""
    replies: dict[str, list[Reply]] = field(default_factory=dict)
    received: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def url(self, name: str = "ok") -> str:
        return f"{self.base_url}/{name}"

    def bodies(self, name: str) -> list[dict[str, Any]]:
        return [body for path, body, _ in self.received if path == name]

    def answer_for(self, name: str) -> Reply:
        queue = self.replies.get(name) or [Reply()]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def app(self) -> Starlette:
        async def pontes(request: Request) -> Response:
            body = await request.body()
            delivery = WebhookRequest(connection="jivo", headers=dict(request.headers),
                                      query=dict(request.query_params), body=body,
                                      data=json.loads(body),
                                      content_type=request.headers.get("content-type", ""))
            self.received.append(("pontes", delivery.data, dict(request.headers)))
            try:
                self.events.extend(parse_webhook(delivery))
            except InvalidPayload as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            return JSONResponse(ACK.body, status_code=ACK.status)

        async def hook(request: Request) -> Response:
            name = request.path_params["name"]
            self.received.append((name, json.loads(await request.body()),
                                  dict(request.headers)))
            reply = self.answer_for(name)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.text is not None:
                return PlainTextResponse(reply.text, status_code=reply.status)
            return JSONResponse(copy.deepcopy(reply.body), status_code=reply.status)

        return Starlette(routes=[Route("/pontes", pontes, methods=["POST"]),
                                 Route("/{name}", hook, methods=["POST"])])


@pytest.fixture(scope="session")
def served_receiver() -> Iterator[Receiver]:
    """One receiver served for the whole session (``receiver`` empties it for each test)."""
    found = Receiver()
    with serve_app(found.app()) as url:
        found.base_url = url
        yield found


@pytest.fixture
def receiver(served_receiver: Receiver) -> Receiver:
    """A loopback webhook receiver with no replies set and nothing received (``Receiver``)."""
    served_receiver.replies.clear()
    served_receiver.received.clear()
    served_receiver.events.clear()
    return served_receiver


@pytest.fixture
async def jivo_sandbox(sandbox_url: Callable[[str], str]) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh Jivo sandbox: no chats and its default settings."""
    async with httpx.AsyncClient(base_url=sandbox_url("jivo"), timeout=30) as client:
        yield client


@pytest.fixture
def jivo_connection(pontes_registry: Registry) -> Callable[..., Connection]:
    """``jivo_connection(name="jivo", **settings)``: a connection with those settings."""

    def make(name: str = "jivo", **settings: Any) -> Connection:
        model = pontes_registry.connectors["jivo"].settings.model_validate(
            {"plugin": "jivo", **settings})
        return connect(pontes_registry, "jivo", model, name)

    return make
