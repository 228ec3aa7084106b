"""A sandbox's Starlette app: the vendor's routes behind fault injection and the request
log, next to the ``/_sandbox`` control routes."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .control import CONTROL_PREFIX, SandboxControl
from .faults import Fault


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

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        fault = self.control.take_fault(scope["path"], scope["method"])
        if fault is None:
            await self.app(scope, receive, logging_send)
        elif fault.commit_first:
            await self._commit_then_fail(fault, scope, receive, logging_send)
        else:
            await self._fail_first(fault, scope, receive, logging_send)
        if fault is not None and fault.drop:
            entry["status"] = None

    async def _fail_first(self, fault: Fault, scope: Scope, receive: Receive,
                          send: Send) -> None:
        """The fault instead of processing: the vendor's state stays as it was (a delay
        alone only postpones the processing)."""
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            await _drop(send)
        elif fault.status is not None:
            await _answer(fault, fault.status, scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _commit_then_fail(self, fault: Fault, scope: Scope, receive: Receive,
                                send: Send) -> None:
        """Process the request, then answer late, answer the fault's status, or drop the
        connection: the vendor did the work but the caller cannot know it."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            await _drop(send)
        elif fault.status is not None:
            await _answer(fault, fault.status, scope, receive, send)
        else:
            for message in held:
                await send(message)


async def _answer(fault: Fault, status: int, scope: Scope, receive: Receive,
                  send: Send) -> None:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(fault.retry_after))
    body = fault.body if fault.body is not None else {"message": "injected fault"}
    await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)


async def _drop(send: Send) -> None:
    """Start an answer and stop in the middle of its body: the server closes the
    connection, and the caller sees it cut off without a complete answer."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", b"64")]})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})


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
