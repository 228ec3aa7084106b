"""Reading request bodies within a size limit, and rendering JSON answers."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response


class BodyTooLarge(Exception):
    """The request body is larger than the limit."""


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or ``BodyTooLarge`` as soon as it exceeds ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer of any value pydantic can serialise (models, datetimes...)."""
    return JSONResponse(to_jsonable_python(content, fallback=str), status_code=status,
                        headers=headers)


def error(code: int, text: str, /, **details: Any) -> Response:
    """``{"error": text, ...details}`` with HTTP status ``code``."""
    return json_response({"error": text, **details}, code)


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
