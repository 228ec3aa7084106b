"""The Ploomes HTTP client and the few calls every action is made of.

Collections answer ``{"@odata.context": ..., "value": [...]}``; the helpers here unwrap
that envelope, page with ``$skip`` in pages of at most 300 rows, and read one record
by id with ``$filter=Id eq n`` as Ploomes clients do.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from pontes.errors import NotFoundError, VendorError
from pontes.http import RateLimit, VendorClient, vendor_message

from .odata import MAX_TOP, Query, eq, record_id
from .settings import DEFAULT_BASE_URL, PloomesSettings

USER_KEY_HEADER = "User-Key"


def describe_error(response: httpx.Response) -> str:
    """The Ploomes explanation of an error answer.

    Ploomes runs ASP.NET OData, whose errors read ``{"error": {"code", "message",
    "details": [{"message"}], "innererror": {"message"}}}``; the message and the details
    are joined. Other bodies fall back to the generic reading.
    """
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return vendor_message(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not error.get("message"):
        return vendor_message(response)
    parts = [str(error["message"])]
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("message"):
            parts.append(str(detail["message"]))
    inner = error.get("innererror")
    if isinstance(inner, dict) and inner.get("message"):
        parts.append(str(inner["message"]))
    return "; ".join(parts)


def build_client(connection: str, settings: PloomesSettings, **options: Any) -> VendorClient:
    """The ``VendorClient`` of a Ploomes connection (``options`` go to the client as-is)."""
    return VendorClient(
        connection=connection,
        base_url=settings.base_url or DEFAULT_BASE_URL,
        rate_limit=RateLimit(settings.requests_per_minute, 60.0),
        headers={USER_KEY_HEADER: settings.user_key.get_secret_value(),
                 "Accept": "application/json"},
        timeout=settings.timeout_seconds,
        describe_error=describe_error,
        **options,
    )


def unwrap(body: Any) -> list[dict[str, Any]]:
    """The records of an answer: the ``value`` list of the envelope, or the object itself."""
    if body is None:
        return []
    if isinstance(body, dict) and isinstance(body.get("value"), list):
        return body["value"]
    if isinstance(body, list):
        return body
    return [body]


async def fetch_page(client: VendorClient, path: str, query: Query) -> list[dict[str, Any]]:
    """One page of ``path`` (at most 300 rows whatever ``query.top`` says)."""
    return unwrap(await client.get_json(path, params=query.params()))


async def fetch_all(client: VendorClient, path: str, query: Query,
                    limit: int | None = None) -> list[dict[str, Any]]:
    """Every row of ``path`` matching ``query`` (up to ``limit``), paging with ``$skip``.

    Rows are ordered by ``Id`` unless the query orders them, so pages do not overlap.
    """
    ordered = query if query.orderby else Query(query.filter, query.expand, query.select, "Id")
    rows: list[dict[str, Any]] = []
    skip = query.skip or 0
    while limit is None or len(rows) < limit:
        size = MAX_TOP if limit is None else min(MAX_TOP, limit - len(rows))
        page = await fetch_page(client, path, ordered.page(size, skip))
        rows.extend(page)
        if len(page) < size:
            break
        skip += len(page)
    return rows


async def fetch_first(client: VendorClient, path: str, query: Query) -> dict[str, Any] | None:
    """The first row matching ``query``, or ``None``."""
    page = await fetch_page(client, path, query.page(1, query.skip or 0))
    return page[0] if page else None


async def fetch_by_id(client: VendorClient, entity: str, record: Any, *,
                      expand: tuple[str, ...] = (), condition: str | None = None,
                      what: str | None = None) -> dict[str, Any]:
    """The record of ``entity`` with id ``record``; ``NotFoundError`` when there is none.

    ``condition`` narrows the match (``TypeId eq 2`` for a person).
    """
    identifier = record_id(record, f"{what or entity} id")
    clause = eq("Id", identifier)
    found = await fetch_first(client, f"/{entity}", Query(
        filter=f"{clause} and {condition}" if condition else clause, expand=expand))
    if found is None:
        raise NotFoundError(f"Ploomes has no {what or entity} with id {identifier}",
                            status=404, url=f"/{entity}")
    return found


async def create(client: VendorClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a new record and return it as Ploomes answered (envelope unwrapped)."""
    rows = unwrap(await client.post_json(path, json=body))
    if not rows or "Id" not in rows[0]:
        raise VendorError(f"Ploomes answered POST {path} without the new record", url=path)
    return rows[0]
