"""The Zoho Desk HTTP client: the API host, the ``orgId`` header, paging and errors.

Zoho Desk's API v1 lives under ``/api/v1`` on the data centre's Desk host
(``desk.zoho.eu``...). Calls carry ``Authorization: Zoho-oauthtoken <token>`` (core's OAuth
puts it on, or the ``access_token`` setting) and, on every path but ``/organizations``,
the portal's ``orgId`` header, which ``desk_get``/``desk_post``/``desk_patch``/
``desk_delete`` add. Lists page with ``from`` (1-based) and ``limit`` (at most 100) and
carry no total: a short or empty page (204, no body) is the last. Errors are
``{"errorCode", "message", "errors": [{"fieldName", "errorMessage"}]}``, which
``describe_error`` keeps whole. Every call spends API credits of the portal's day, which
the client's rate limit keeps within ``daily_credits``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from pontes.plugin import (
    Connection,
    RateLimit,
    VendorClient,
    vendor_message,
    zoho_authorization,
    zoho_error,
)

if TYPE_CHECKING:
    from .connector import ZohodeskSettings

API_PREFIX = "/api/v1"
MAX_LIMIT = 100
"""The longest page Zoho Desk answers."""
DAY = 86_400.0


def describe_error(response: httpx.Response) -> str:
    """Zoho Desk's explanation of an error: ``errorCode: message``, then each field at
    fault as ``fieldName: errorMessage``, so the bad field is named."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return vendor_message(response)
    if not isinstance(body, dict) or "errorCode" not in body:
        return vendor_message(response)
    code = str(body["errorCode"])
    parts = [f"{code}: {body.get('message') or zoho_error(code) or 'refused'}"]
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            parts.append(f"{error.get('fieldName', '?')}: {error.get('errorMessage', '')}"
                         .rstrip(": "))
    return "; ".join(parts)


def build_client(connection_name: str, settings: ZohodeskSettings,
                 **options: Any) -> VendorClient:
    """The ``VendorClient`` of a Zoho Desk connection: the portal's API address, its daily
    API credits as the rate budget, and the ``access_token`` when one is set (OAuth
    connections get theirs from core)."""
    headers = {"Accept": "application/json"}
    secrets = [settings.client_secret.get_secret_value()]
    if settings.access_token is not None:
        token = settings.access_token.get_secret_value()
        headers["Authorization"] = zoho_authorization(token)
        secrets.append(token)
    if settings.refresh_token is not None:
        secrets.append(settings.refresh_token.get_secret_value())
    return VendorClient(
        connection=connection_name,
        base_url=settings.desk_host + API_PREFIX,
        rate_limit=RateLimit(settings.daily_credits, DAY),
        headers=headers,
        secrets=secrets,
        timeout=settings.timeout_seconds,
        describe_error=describe_error,
        **options,
    )


def _org(connection: Connection, headers: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**(headers or {}), "orgId": connection.settings.org_id}


async def desk_get(connection: Connection, path: str, **kwargs: Any) -> Any:
    """GET ``path`` of the portal (``orgId`` added); ``None`` for a 204."""
    return await connection.client.get_json(path, headers=_org(connection), **kwargs)


async def desk_post(connection: Connection, path: str, body: Any, *,
                    retry_safe: bool = False) -> Any:
    """POST ``body`` to ``path`` of the portal (not sent again after an ambiguous failure
    unless ``retry_safe``)."""
    return await connection.client.post_json(path, json=body, headers=_org(connection),
                                              retry_safe=retry_safe)


async def desk_patch(connection: Connection, path: str, body: Any) -> Any:
    """PATCH ``body`` to ``path`` of the portal; a PATCH only sets values, so it is safe
    to send again."""
    return await connection.client.patch_json(path, json=body, headers=_org(connection),
                                               retry_safe=True)


async def desk_delete(connection: Connection, path: str) -> Any:
    """DELETE ``path`` of the portal."""
    return await connection.client.delete(path, headers=_org(connection))


def rows(body: Any) -> list[dict[str, Any]]:
    """The records of a list answer (``data``); none for a 204."""
    if not isinstance(body, dict):
        return []
    data = body.get("data")
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


async def pages(connection: Connection, path: str, *, params: Mapping[str, Any] | None = None,
                limit: int = MAX_LIMIT) -> AsyncIterator[list[dict[str, Any]]]:
    """Every page of a list, ``limit`` (at most 100) records each, from ``from=1`` on,
    until a page comes back short or empty."""
    limit = min(limit, MAX_LIMIT)
    start = 1
    while True:
        body = await desk_get(connection, path,
                              params={**(params or {}), "from": str(start), "limit": str(limit)})
        page = rows(body)
        if page:
            yield page
        if len(page) < limit:
            return
        start += len(page)


async def fetch_all(connection: Connection, path: str, *,
                    params: Mapping[str, Any] | None = None,
                    most: int | None = None) -> list[dict[str, Any]]:
    """The records of every page of a list (up to ``most``)."""
    found: list[dict[str, Any]] = []
    async for page in pages(connection, path, params=params,
                            limit=min(MAX_LIMIT, most or MAX_LIMIT)):
        found.extend(page)
        if most is not None and len(found) >= most:
            return found[:most]
    return found
