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
  "delay": 0, "path": "/tickets", "method": "POST", "body": {...}}``: the next ``count``
  matching requests fail (or are delayed by ``delay`` seconds when ``status`` is omitted);
  every key is optional; a wrong one is answered with 400 naming it;
- ``DELETE /_sandbox/faults``: clear queued faults;
- ``GET /_sandbox/requests``: ``[{method, path, query, status}]`` received so far
  (credentials in the path or query string are masked);
- ``GET /_sandbox/deliveries``: webhooks sent and the answers they got (waits for the
  pending ones first);
- ``POST /_sandbox/reset``: empty the state, the logs, the faults and the rate windows.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
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
    """One queued fault: fail (or delay) the next ``count`` matching requests.

    A request matches when its path starts with ``path`` and, if ``method`` is set, its
    method is ``method``. With a ``status`` the request is answered with that status,
    ``body`` (default ``{"message": "injected fault"}``) and ``Retry-After`` when
    ``retry_after`` is set; without one it is only delayed by ``delay`` seconds.
    """

    status: int | None = None
    count: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    path: str = ""
    method: str | None = None
    body: Any = None

    @classmethod
    def from_spec(cls, spec: Any) -> Fault:
        """A fault from the JSON body of ``POST /_sandbox/faults``.

        Raises ``ValueError`` naming the offending key.
        """
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object, e.g. {\"status\": 503}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise ValueError(f"unknown fault key(s) {unknown}; known: {sorted(known)}")
        fault = cls(**spec)
        if fault.status is not None and not (_is_int(fault.status) and 100 <= fault.status <= 599):
            raise ValueError(f"status must be an HTTP status (100-599), got {fault.status!r}")
        if not (_is_int(fault.count) and fault.count >= 1):
            raise ValueError(f"count must be a whole number >= 1, got {fault.count!r}")
        for name in ("retry_after", "delay"):
            value = getattr(fault, name)
            if value is not None and not (_is_number(value) and 0 <= value < math.inf):
                raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
        if not isinstance(fault.path, str):
            raise ValueError(f"path must be text, got {fault.path!r}")
        if fault.method is not None and not isinstance(fault.method, str):
            raise ValueError(f"method must be text, got {fault.method!r}")
        if fault.status is None and not fault.delay:
            raise ValueError("a fault needs a status, a delay, or both")
        return fault

    def matches(self, path: str, method: str | None = None) -> bool:
        """Whether this fault applies to a request for ``path`` (made with ``method``)."""
        if self.method is not None and method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path) and self.count > 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class WindowLimiter:
    """At most ``requests`` per ``per_seconds`` per key (a token, a user key).

    ``hit(key)`` records a request and returns ``None`` when it is allowed, or the seconds
    until the window frees a slot when it is not (a refused request is not counted).
    """

    requests: int
    per_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _hits: dict[str, deque[float]] = field(default_factory=dict, init=False, repr=False)

    def hit(self, key: str) -> float | None:
        """Count one request for ``key``; ``None`` if allowed, else seconds to wait."""
        now = self.clock()
        window = self._hits.setdefault(key, deque())
        while window and now - window[0] >= self.per_seconds:
            window.popleft()
        if len(window) >= self.requests:
            return max(0.0, self.per_seconds - (now - window[0]))
        window.append(now)
        return None

    def reset(self) -> None:
        """Forget every request counted so far."""
        self._hits.clear()


@dataclass
class Delivery:
    """A webhook the sandbox sent, and what came back."""

    url: str
    body: Any
    form: bool
    headers: dict[str, str] = field(default_factory=dict)
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

    def send(self, url: str, body: Any, *, form: bool = False,
             headers: Mapping[str, str] | None = None) -> Delivery:
        """Schedule a POST of ``body`` (JSON, or form-encoded when ``form``) to ``url``.

        ``headers`` are sent as given (a vendor's signature header, say). Returns the
        delivery record, filled in once the receiver answers.
        """
        delivery = Delivery(url=url, body=body, form=form, headers=dict(headers or {}))
        self.deliveries.append(delivery)
        task = asyncio.get_running_loop().create_task(self._deliver(delivery))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return delivery

    async def _deliver(self, delivery: Delivery) -> None:
        kwargs: dict[str, Any] = {"data": delivery.body} if delivery.form else {"json": delivery.body}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(delivery.url, headers=delivery.headers, **kwargs)
            delivery.status = response.status_code
            delivery.answer = response.text[:2000]
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"

    async def drain(self) -> None:
        """Wait until every scheduled delivery has been answered or has failed."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def reset(self) -> None:
        """Forget the deliveries logged so far (running ones still finish)."""
        self.deliveries.clear()


class SandboxControl:
    """The steerable part of a sandbox: faults, request log, webhook log, reset.

    ``reset_state`` empties the vendor state the sandbox keeps. ``secret_params`` are
    query parameters masked in the request log (credential-like names always are), and
    ``secrets`` are values masked wherever they appear in a logged path or query.
    """

    def __init__(self, reset_state: Callable[[], None], *,
                 secret_params: Sequence[str] = ("token",), secrets: Sequence[str] = ()):
        self._reset_state = reset_state
        self.faults: list[Fault] = []
        self.requests: list[dict[str, Any]] = []
        self.webhooks = WebhookSender()
        self.redactor = Redactor(secrets, params=secret_params)
        self.limiters: list[WindowLimiter] = []

    def limiter(self, requests: int, per_seconds: float = 60.0,
                clock: Callable[[], float] = time.monotonic) -> WindowLimiter:
        """A new ``WindowLimiter`` that ``reset()`` also empties."""
        limiter = WindowLimiter(requests, per_seconds, clock)
        self.limiters.append(limiter)
        return limiter

    def reset(self) -> None:
        """Forget all state, logs, faults and rate-limit windows."""
        self._reset_state()
        self.faults.clear()
        self.requests.clear()
        self.webhooks.reset()
        for limiter in self.limiters:
            limiter.reset()

    def take_fault(self, path: str, method: str | None = None) -> Fault | None:
        """The first queued fault matching the request, counted as used; or ``None``."""
        for fault in self.faults:
            if fault.matches(path, method):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def routes(self) -> list[BaseRoute]:
        """The ``/_sandbox`` routes (see the module docstring)."""

        async def add_fault(request: Request) -> Response:
            try:
                fault = Fault.from_spec(json.loads(await request.body() or b"null"))
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": f"bad fault: {exc}"}, status_code=400)
            self.faults.append(fault)
            return JSONResponse({"queued": len(self.faults)})

        async def clear_faults(request: Request) -> Response:
            self.faults.clear()
            return JSONResponse({"queued": 0})

        async def request_log(request: Request) -> Response:
            return JSONResponse(self.requests)

        async def delivery_log(request: Request) -> Response:
            await self.webhooks.drain()
            return JSONResponse([dataclasses.asdict(d) for d in self.webhooks.deliveries])

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
        redactor = self.control.redactor
        query = scope.get("query_string", b"").decode("latin-1")
        entry: dict[str, Any] = {
            "method": scope["method"],
            "path": redactor.text(scope["path"]),
            "query": redactor.url("?" + query)[1:] if query else "",
            "status": None,
        }
        self.control.requests.append(entry)
        fault = self.control.take_fault(scope["path"], scope["method"])
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(math.ceil(fault.retry_after))
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
    """A Starlette app serving a vendor's ``routes`` plus the ``/_sandbox`` control routes.

    ``on_startup`` coroutines run when the server starts.
    """
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
