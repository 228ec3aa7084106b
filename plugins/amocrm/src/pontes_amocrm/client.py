"""The amoCRM HTTP client and HAL paging.

amoCRM's API v4 lives under ``/api/v4`` on the account's own host and takes
``Authorization: Bearer <token>`` (a long-lived token from the settings, or OAuth's, which
core puts on every call). Lists answer ``application/hal+json``,
``{"_embedded": {"<entity>": [...]}, "_links": {"next": {"href": ...}}}``, at most 250 a
page, and a list with nothing in it answers 204 with no body. Errors are
``application/problem+json``; a 400's ``validation-errors`` name the path of each bad
field, which ``describe_error`` keeps in the message.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from pontes.plugin import RateLimit, VendorClient, VendorError, vendor_message

from .hosts import check_host

if TYPE_CHECKING:
    from .connector import AmocrmSettings

API_PREFIX = "/api/v4"
MAX_LIMIT = 250
"""The largest page amoCRM answers."""


def describe_error(response: httpx.Response) -> str:
    """amoCRM's explanation of an error: the problem's ``title``/``detail``, then every
    validation error as ``path: code: detail`` (``custom_fields_values.0.field_id:
    NotSupportedChoice: ...``), so the bad field is named."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return vendor_message(response)
    if not isinstance(body, dict) or not ("title" in body or "detail" in body):
        return vendor_message(response)
    parts = [str(body.get("detail") or body.get("title"))]
    for group in body.get("validation-errors") or []:
        for error in (group or {}).get("errors") or []:
            path = error.get("path") or "?"
            parts.append(f"{path}: {error.get('code', 'invalid')}: {error.get('detail', '')}"
                         .rstrip(": "))
    return "; ".join(parts)


def build_client(connection_name: str, settings: AmocrmSettings, **options: Any) -> VendorClient:
    """The ``VendorClient`` of an amoCRM connection: the account's host, 7 calls a second,
    and the long-lived token when one is set (OAuth connections get theirs from core)."""
    headers = {"Accept": "application/hal+json"}
    if settings.long_lived_token is not None:
        headers["Authorization"] = f"Bearer {settings.long_lived_token.get_secret_value()}"
    secrets = [settings.client_secret.get_secret_value()] if settings.client_secret else []
    return VendorClient(
        connection=connection_name,
        base_url=settings.base_url,
        rate_limit=RateLimit(settings.requests_per_second, 1.0),
        headers=headers,
        secrets=secrets,
        timeout=settings.timeout_seconds,
        describe_error=describe_error,
        **options,
    )


def embedded(body: Any, entity: str) -> list[dict[str, Any]]:
    """The records of a HAL answer (``_embedded.<entity>``); none for an empty (204) one."""
    if not isinstance(body, dict):
        return []
    rows = (body.get("_embedded") or {}).get(entity)
    return rows if isinstance(rows, list) else []


def next_href(body: Any) -> str | None:
    """The ``_links.next.href`` of a HAL answer, when there is a next page."""
    if not isinstance(body, dict):
        return None
    href = ((body.get("_links") or {}).get("next") or {}).get("href")
    return href if isinstance(href, str) and href else None


def link_request(client: VendorClient, href: str, allowed_hosts: list[str]
                 ) -> tuple[str, dict[str, str]]:
    """The path and query of a ``_links.next`` href, to be asked of the connection's own
    host. The href's host must pass the SSRF guard and be the account's, so the token
    never goes where an answer points."""
    parts = urlsplit(href)
    if parts.netloc:
        host = check_host(href, allowed_hosts, what="_links.next")
        if host != urlsplit(client.base_url).hostname:
            raise VendorError(f"amoCRM's next page points at another host ({host})", url=href)
    return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))


async def pages(client: VendorClient, path: str, entity: str, *,
                params: Mapping[str, Any] | None = None,
                allowed_hosts: list[str] | None = None,
                limit: int = MAX_LIMIT) -> AsyncIterator[list[dict[str, Any]]]:
    """Every page of a list, ``limit`` (at most 250) records each, following
    ``_links.next`` until there is none; a 204 is an empty list. A link seen twice ends
    the paging."""
    query = {**(params or {}), "limit": str(min(limit, MAX_LIMIT))}
    body = await client.get_json(path, params=query)
    seen: set[str] = set()
    while True:
        rows = embedded(body, entity)
        if rows:
            yield rows
        href = next_href(body)
        if not rows or href is None or href in seen:
            return
        seen.add(href)
        next_path, next_query = link_request(client, href, allowed_hosts or [])
        body = await client.get_json(next_path, params=next_query)


async def fetch_all(client: VendorClient, path: str, entity: str, *,
                    params: Mapping[str, Any] | None = None,
                    allowed_hosts: list[str] | None = None,
                    most: int | None = None) -> list[dict[str, Any]]:
    """The records of every page of a list (up to ``most``)."""
    rows: list[dict[str, Any]] = []
    async for page in pages(client, path, entity, params=params, allowed_hosts=allowed_hosts,
                            limit=min(MAX_LIMIT, most or MAX_LIMIT)):
        rows.extend(page)
        if most is not None and len(rows) >= most:
            return rows[:most]
    return rows


def created_ids(body: Any, entity: str, path: str) -> list[int]:
    """The ids of the records a POST created, in the order sent."""
    ids = [row.get("id") for row in embedded(body, entity)]
    if not ids or not all(isinstance(i, int) for i in ids):
        raise VendorError(f"amoCRM answered POST {path} without the new records' ids", url=path)
    return ids
