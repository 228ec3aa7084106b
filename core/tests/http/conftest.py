"""A scripted vendor served by uvicorn on loopback, and clients pointed at it."""

from __future__ import annotations

import asyncio
from collections import deque

import pytest
from pontes.http import RetryPolicy, VendorClient
from pontes.testing import serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


class Vendor:
    """A scripted vendor: answers the queued responses in order, then 200 ``{"ok": true}``.

    Records every request it receives; ``/slow`` answers after ``slow_seconds``.
    """

    def __init__(self) -> None:
        self.script: deque[Response] = deque()
        self.received: list[Request] = []
        self.slow_seconds = 1.0

    def then(self, status: int, body: object = None, *, headers: dict[str, str] | None = None,
             text: str | None = None, media_type: str | None = None) -> Vendor:
        if text is not None:
            response: Response = PlainTextResponse(text, status_code=status, headers=headers,
                                                   media_type=media_type or "text/plain")
        else:
            response = JSONResponse(body, status_code=status, headers=headers)
        self.script.append(response)
        return self

    async def answer(self, request: Request) -> Response:
        self.received.append(request)
        if request.url.path == "/slow":
            await asyncio.sleep(self.slow_seconds)
        if self.script:
            return self.script.popleft()
        return JSONResponse({"ok": True})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.answer,
                                       methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])


@pytest.fixture
def vendor():
    scripted = Vendor()
    with serve_app(scripted.app()) as base_url:
        scripted.base_url = base_url
        yield scripted


@pytest.fixture
def waits() -> list[float]:
    return []


def _client_for(base_url: str, waits: list[float], *, attempts: int = 4, base: float = 0.5,
                cap: float = 20.0, max_inline_wait: float = 20.0, **kwargs) -> VendorClient:
    async def record(seconds: float) -> None:
        waits.append(seconds)

    return VendorClient(
        connection=kwargs.pop("connection", "test-vendor"),
        base_url=base_url,
        retry=RetryPolicy(attempts=attempts, base=base, cap=cap, max_inline_wait=max_inline_wait),
        sleep=record,
        **kwargs,
    )


@pytest.fixture
def client_for():
    """``client_for(base_url, waits, attempts=..., **VendorClient options)``: a client whose
    retries record their waits in ``waits`` instead of sleeping."""
    return _client_for
