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
from starlette.types import ASGIApp, Receive, Scope, Send

from .control import CONTROL_PREFIX, SandboxControl


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
