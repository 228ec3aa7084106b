"""Reading request bodies within a size limit and a deadline, and rendering JSON answers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic_core import to_jsonable_python
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response


class BodyTooLarge(Exception):
    """The request body is larger than the limit."""


class BodyTooSlow(Exception):
    """The request body did not arrive within the deadline."""


async def read_body(request: Request, limit: int, timeout: float | None = None) -> bytes:
    """The whole body; ``BodyTooLarge`` as soon as it exceeds ``limit`` bytes,
    ``BodyTooSlow`` when it has not all arrived ``timeout`` seconds after the headers."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge
                chunks.append(chunk)
    except TimeoutError:
        raise BodyTooSlow from None
    return b"".join(chunks)


class SafeJSONResponse(JSONResponse):
    """A JSON answer that renders any text: a lone surrogate is written as its ``\\uXXXX``
    escape instead of failing the answer."""

    def render(self, content: Any) -> bytes:
        """The UTF-8 JSON text of ``content``."""
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None,
                          separators=(",", ":"))
        return text.encode("utf-8", "backslashreplace")


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer of any value pydantic can serialise (models, datetimes...)."""
    return SafeJSONResponse(to_jsonable_python(content, fallback=str), status_code=status,
                            headers=headers)


def error(code: int, text: str, /, **details: Any) -> Response:
    """``{"error": text, ...details}`` with HTTP status ``code``."""
    return json_response({"error": text, **details}, code)


def closing(response: Response) -> Response:
    """``response``, telling the client that the connection closes after it (the rest of
    a request that was cut short is not read)."""
    response.headers["connection"] = "close"
    return response


def answer(status: int, body: Any) -> Response:
    """A webhook acknowledgement: empty, text, or JSON, as the vendor expects."""
    if body is None:
        return Response(status_code=status)
    if isinstance(body, str):
        return PlainTextResponse(body, status_code=status)
    return json_response(body, status)


def not_found() -> Response:
    """The same answer as an unknown path, so a wrong webhook token reveals nothing."""
    return PlainTextResponse("Not Found", status_code=404)
