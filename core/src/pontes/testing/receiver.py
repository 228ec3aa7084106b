"""A webhook receiver for tests: where a sandbox posts the webhooks it sends.

``WebhookReceiver`` records the JSON body of every POST, whatever its path, in arrival
order. The ``webhook_receiver`` fixture (``pontes.testing.pytest_plugin``) serves one on
loopback for the test session and hands each test an empty one: register ``.url`` at the
sandbox, then read ``.bodies`` or ``.wait_for(n)``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class WebhookReceiver:
    """Records the JSON bodies posted to it; ``url`` is set once it is served."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.url = ""
        self._lock = threading.Lock()

        async def receive(request: Request) -> JSONResponse:
            body = await request.json()
            with self._lock:
                self.bodies.append(body)
            return JSONResponse({"ok": True})

        self.app = Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])

    def clear(self) -> None:
        """Forget the bodies received so far."""
        with self._lock:
            self.bodies.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        """The bodies once at least ``count`` arrived; an ``AssertionError`` saying how many
        did after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.bodies) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} webhook deliveries, got "
                                     f"{len(self.bodies)}")
            time.sleep(0.02)
        with self._lock:
            return list(self.bodies)
