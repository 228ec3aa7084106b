"""A webhook receiver for tests: where a sandbox posts the webhooks it sends.

``WebhookReceiver`` records every POST to ``url(name)`` (its path, headers and body), in
arrival order, and answers as the test says: ``replies[name]`` is a list of ``Reply``,
each delivery to that path taking the next and the last repeating; other paths get
``default_reply`` (``{"ok": true}``, or what a vendor's tests expect of a receiver). A path in
``triggers`` answers as the pontes server does instead: the delivery is parsed by that
webhook trigger (its events kept in ``events``) and the trigger's ack, or a 400 naming
the problem, comes back.

The ``webhook_receiver`` fixture (``pontes.testing.pytest_plugin``) serves one on loopback
for the test session and hands each test an empty one: register ``url()`` at the sandbox,
then read ``bodies()``, ``to(name)`` or ``wait_for(n)``.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..connector import WebhookRequest, WebhookTrigger
from ..errors import InvalidPayload
from ..models import Event


@dataclass(frozen=True)
class Reply:
    """What the receiver answers a delivery: a JSON body or plain ``text``, a status, and
    how many seconds it waits first."""

    body: Any = field(default_factory=lambda: {"ok": True})
    status: int = 200
    text: str | None = None
    delay: float = 0.0

    def response(self) -> Response:
        """This reply as a response."""
        if self.text is not None:
            return PlainTextResponse(self.text, status_code=self.status)
        return JSONResponse(copy.deepcopy(self.body), status_code=self.status)


@dataclass(frozen=True)
class Delivery:
    """One POST the receiver got: the path it was posted to (``hook`` for ``url()``), its
    headers (lower-case names) and its raw body."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The delivery's ``Content-Type`` header, or ``""``."""
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        """The body decoded as JSON."""
        return json.loads(self.body)


class WebhookReceiver:
    """Records what is posted to it and answers each path as the test says; ``base_url``
    is set once it is served."""

    def __init__(self) -> None:
        self.base_url = ""
        self.deliveries: list[Delivery] = []
        self.replies: dict[str, list[Reply]] = {}
        self.default_reply = Reply()
        self.triggers: dict[str, WebhookTrigger] = {}
        self.events: list[Event] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])

    def url(self, name: str = "hook") -> str:
        """Where to post deliveries meant for ``name``."""
        return f"{self.base_url}/{name}"

    def to(self, name: str) -> list[Delivery]:
        """The deliveries posted to ``url(name)``, oldest first."""
        with self._lock:
            return [delivery for delivery in self.deliveries if delivery.path == name]

    def bodies(self, name: str | None = None) -> list[Any]:
        """The JSON bodies posted to ``url(name)``, or to any path without ``name``."""
        with self._lock:
            return [delivery.json() for delivery in self.deliveries
                    if name is None or delivery.path == name]

    def headers(self, name: str = "hook") -> list[dict[str, str]]:
        """The headers of the deliveries posted to ``url(name)``."""
        return [delivery.headers for delivery in self.to(name)]

    def clear(self) -> None:
        """Forget what was received, the replies set and the triggers served."""
        with self._lock:
            self.deliveries.clear()
            self.events.clear()
        self.replies.clear()
        self.default_reply = Reply()
        self.triggers.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """The bodies once at least ``count`` arrived; an ``AssertionError`` saying how many
        did after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} webhook deliveries, got "
                                     f"{len(self.deliveries)}")
            time.sleep(0.02)
        return self.bodies()

    async def _receive(self, request: Request) -> Response:
        delivery = Delivery(request.path_params["path"], dict(request.headers),
                            await request.body())
        with self._lock:
            self.deliveries.append(delivery)
        trigger = self.triggers.get(delivery.path)
        if trigger is not None:
            return self._as_pontes(trigger, delivery, dict(request.query_params))
        reply = self._next_reply(delivery.path)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return reply.response()

    def _next_reply(self, path: str) -> Reply:
        queue = self.replies.get(path) or [self.default_reply]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def _as_pontes(self, trigger: WebhookTrigger, delivery: Delivery,
                   query: dict[str, str]) -> Response:
        """Parse ``delivery`` with ``trigger`` and answer as the pontes server does."""
        request = WebhookRequest(connection=trigger.connector, headers=delivery.headers,
                                 query=query, body=delivery.body, data=delivery.json(),
                                 content_type=delivery.content_type)
        try:
            events = trigger.parse(request)
        except InvalidPayload as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        with self._lock:
            self.events.extend(events)
        return JSONResponse(trigger.ack.body, status_code=trigger.ack.status)
