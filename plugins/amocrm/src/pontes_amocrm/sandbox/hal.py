"""amoCRM's answer shapes: HAL lists with ``_links.next`` (204 when empty) and RFC 7807
``problem+json`` errors."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

HAL = "application/hal+json"
PROBLEM = "application/problem+json"
MAX_LIMIT = 250
DEFAULT_LIMIT = 50


def problem(status: int, title: str, detail: str,
            errors: list[dict[str, Any]] | None = None) -> Response:
    """An error as amoCRM answers it; ``errors`` are ``validation-errors`` (400 only)."""
    body: dict[str, Any] = {"title": title, "type": f"https://httpstatus.es/{status}",
                            "status": status, "detail": detail}
    if errors:
        body["validation-errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def invalid(request_id: str, path: str, code: str, detail: str) -> Response:
    """A 400 naming one bad field of the array element ``request_id``."""
    return problem(400, "Bad Request", "Request validation failed", [
        {"request_id": request_id, "errors": [{"code": code, "path": path, "detail": detail}]}])


def hal(body: dict[str, Any], status: int = 200) -> Response:
    """A ``application/hal+json`` answer."""
    return JSONResponse(body, status_code=status, media_type=HAL)


def page_of(request: Request, entity: str, rows: list[dict[str, Any]]) -> Response:
    """One page of ``rows`` (``page`` from 1, ``limit`` up to 250) with ``_links.self`` and,
    when more remain, ``_links.next``; 204 with no body when the page is empty."""
    try:
        page = max(1, int(request.query_params.get("page", "1")))
        limit = int(request.query_params.get("limit", str(DEFAULT_LIMIT)))
    except ValueError:
        return problem(400, "Bad Request", "page and limit must be whole numbers")
    if not 1 <= limit <= MAX_LIMIT:
        return problem(400, "Bad Request", f"limit must be between 1 and {MAX_LIMIT}")
    chunk = rows[(page - 1) * limit: page * limit]
    if not chunk:
        return Response(status_code=204)
    links = {"self": {"href": str(request.url)}}
    if page * limit < len(rows):
        links["next"] = {"href": str(request.url.include_query_params(page=page + 1))}
    return hal({"_page": page, "_links": links, "_embedded": {entity: chunk}})
