"""Building blocks shared by every vendor sandbox.

A sandbox is a Starlette app that answers like one vendor's API from in-memory state. The
vendor behaviour lives in each plugin; what every sandbox needs lives here:

- ``SandboxControl``: the ``/_sandbox`` endpoints a test or demo uses to steer it: queue
  faults (an HTTP status with an optional ``Retry-After``, or a slow answer), read the log
  of requests received, read the webhooks it sent, and reset its state;
- ``WindowLimiter``: a vendor-style requests-per-window limit that answers 429;
- ``WebhookSender``: posts JSON or form bodies to subscribed URLs, as vendors do, and
  records each delivery and its answer.

Control endpoints:

- ``POST /_sandbox/faults`` with ``{"status": 503, "count": 2, "retry_after": 1,
  "delay": 0, "path": "/tickets", "body": {...}}``: the next ``count`` matching requests
  fail (or are delayed by ``delay`` seconds when ``status`` is omitted);
- ``DELETE /_sandbox/faults``: clear queued faults;
- ``GET /_sandbox/requests``: ``[{method, path, query, status}]`` received so far
  (credentials in the query string are masked);
- ``GET /_sandbox/deliveries``: webhooks sent and the answers they got;
- ``POST /_sandbox/reset``: empty the state, the logs and the faults.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .http import Redactor

CONTROL_PREFIX = "/_sandbox"


@dataclass
class Fault:
    """One queued fault: fail (or delay) the next ``count`` requests whose path starts with ``path``."""

    status: int | None = None
    count: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    path: str = ""
    body: Any = None

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) and self.count > 0


@dataclass
class WindowLimiter:
    """At most ``requests`` per ``per_seconds`` per key (a token, a user key).

    ``hit(key)`` records a request and returns ``None`` when it is allowed, or the seconds
    until the window frees a slot when it is not.
    """

    requests: int
    per_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, key: str) -> float | None:
        now = self.clock()
        window = self._hits.setdefault(key, deque())
        while window and now - window[0] >= self.per_seconds:
            window.popleft()
        if len(window) >= self.requests:
            return max(0.0, self.per_seconds - (now - window[0]))
        window.append(now)
        return None

    def reset(self) -> None:
        self._hits.clear()


@dataclass
class Delivery:
    """A webhook the sandbox sent, and what came back."""

    url: str
    body: Any
    form: bool
    status: int | None = None
    answer: str | None = None
    error: str | None = None


class WebhookSender:
    """Posts webhooks the way a vendor does and keeps a log of every delivery.

    Deliveries run in the background so the API call that caused them answers first, as
    at the vendor. ``drain()`` waits for the pending ones (for tests and the demo).
    """

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._pending: set[asyncio.Task[None]] = set()

    def send(self, url: str, body: Any, *, form: bool = False) -> None:
        """Schedule a POST of ``body`` (JSON, or form-encoded when ``form``) to ``url``."""
        delivery = Delivery(url=url, body=body, form=form)
        self.deliveries.append(delivery)
        task = asyncio.get_running_loop().create_task(self._deliver(delivery))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        kwargs: dict[str, Any] = {"data": delivery.body} if delivery.form else {"json": delivery.body}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(delivery.url, **kwargs)
            delivery.status = response.status_code
            delivery.answer = response.text[:2000]
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"

    async def drain(self) -> None:
        """Wait until every scheduled delivery has been answered or has failed."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def reset(self) -> None:
        self.deliveries.clear()


class SandboxControl:
    """The steerable part of a sandbox: faults, request log, webhook log, reset."""

    def __init__(self, reset_state: Callable[[], None], *,
                 secret_params: Sequence[str] = ("token",)):
        self._reset_state = reset_state
        self.faults: list[Fault] = []
        self.requests: list[dict[str, Any]] = []
        self.webhooks = WebhookSender()
        self.redactor = Redactor(params=secret_params)
        self.limiters: list[WindowLimiter] = []

    def reset(self) -> None:
        """Forget all state, logs, faults and rate-limit windows."""
        self._reset_state()
        self.faults.clear()
        self.requests.clear()
        self.webhooks.reset()
        for limiter in self.limiters:
            limiter.reset()

    def take_fault(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(path):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def routes(self) -> list[BaseRoute]:
        """The ``/_sandbox`` routes (see the module docstring)."""

        async def add_fault(request: Request) -> Response:
            spec = await request.json()
            try:
                fault = Fault(**spec)
            except TypeError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            self.faults.append(fault)
            return JSONResponse({"queued": len(self.faults)})

        async def clear_faults(request: Request) -> Response:
            self.faults.clear()
            return JSONResponse({"queued": 0})

        async def request_log(request: Request) -> Response:
            return JSONResponse(self.requests)

        async def delivery_log(request: Request) -> Response:
            await self.webhooks.drain()
            return JSONResponse([d.__dict__ for d in self.webhooks.deliveries])

        async def reset(request: Request) -> Response:
            self.reset()
            return JSONResponse({"reset": True})

        return [
            Route(f"{CONTROL_PREFIX}/faults", add_fault, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/faults", clear_faults, methods=["DELETE"]),
            Route(f"{CONTROL_PREFIX}/requests", request_log, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/deliveries", delivery_log, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/reset", reset, methods=["POST"]),
        ]


class _FaultMiddleware:
    """Applies queued faults and logs every vendor-API request (not control calls)."""

    def __init__(self, app: ASGIApp, control: SandboxControl):
        self.app = app
        self.control = control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        entry = {
            "method": scope["method"],
            "path": scope["path"],
            "query": self.control.redactor.url("?" + scope.get("query_string", b"").decode())[1:],
            "status": None,
        }
        self.control.requests.append(entry)
        fault = self.control.take_fault(scope["path"])
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(int(fault.retry_after))
                body = fault.body if fault.body is not None else {"message": "injected fault"}
                response = JSONResponse(body, status_code=fault.status, headers=headers)
                entry["status"] = fault.status
                await response(scope, receive, send)
                return

        async def logging_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        await self.app(scope, receive, logging_send)


def sandbox_app(routes: Sequence[BaseRoute], control: SandboxControl, *,
                on_startup: Sequence[Callable[[], Awaitable[None]]] = ()) -> Starlette:
    """A Starlette app serving a vendor's ``routes`` plus the ``/_sandbox`` control routes."""
    startup = list(on_startup)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for hook in startup:
            await hook()
        yield

    app = Starlette(
        routes=[*control.routes(), *routes],
        middleware=[Middleware(_FaultMiddleware, control=control)],
        lifespan=lifespan,
    )
    app.state.control = control
    return app
