"""The Bigin HTTP client, its paging and its write answers.

Bigin's API v2 lives under ``/bigin/v2`` on the data centre's API host
(``https://www.zohoapis.com``, ``.eu``, ...) and takes ``Authorization:
Zoho-oauthtoken <token>``, which core's OAuth puts on every call. Reads answer
``{"data": [...], "info": {"page", "per_page", "count", "more_records"}}``, an array even
for one record, and 204 with no body when nothing matches. Writes carry
``{"data": [...]}`` and answer one entry per record in ``data``, each with its own
``status`` (``success`` or ``error``), ``code``, ``message`` and ``details``: an HTTP 2xx
says nothing about a given record. A request-level error answers
``{"code", "message", "details", "status": "error"}``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from pontes.plugin import (
    RateLimit,
    VendorClient,
    VendorError,
    VendorValidationError,
    vendor_message,
    zoho_authorization,
)

if TYPE_CHECKING:
    from .connector import BiginSettings

API_PREFIX = "/bigin/v2"
MAX_PER_PAGE = 200
"""The largest page Bigin answers."""
MAX_WRITE = 100
"""The most records one insert, update or upsert carries."""
CREDIT_WINDOW = 24 * 3600.0
"""Bigin counts its API credits over a rolling day."""


def _entry_text(entry: Mapping[str, Any]) -> str:
    details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
    text = f"{entry.get('code', 'ERROR')}: {entry.get('message') or 'error'}"
    if details.get("api_name"):
        text += f" ({details['api_name']})"
    return text


def describe_error(response: httpx.Response) -> str:
    """Bigin's explanation of an error answer: ``CODE: message (api_name)`` for the
    request, or for each record of a refused write."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return vendor_message(response)
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        entries = [e for e in body["data"] if isinstance(e, dict) and e.get("status") == "error"]
        if entries:
            return "; ".join(_entry_text(e) for e in entries)
    if isinstance(body, dict) and "code" in body:
        return _entry_text(body)
    return vendor_message(response)


def build_client(connection_name: str, settings: BiginSettings, **options: Any) -> VendorClient:
    """The ``VendorClient`` of a Bigin connection: the data centre's API host, the day's
    credits as its budget, and the ``access_token`` when one is set (OAuth connections
    get theirs from core)."""
    secrets = [value.get_secret_value() for value in (settings.client_secret,
                                                      settings.refresh_token) if value]
    headers = {}
    if settings.access_token is not None:
        headers["Authorization"] = zoho_authorization(settings.access_token.get_secret_value())
    return VendorClient(
        connection=connection_name,
        base_url=settings.api_url,
        headers=headers,
        rate_limit=RateLimit(settings.daily_credits, CREDIT_WINDOW),
        secrets=secrets,
        timeout=settings.timeout_seconds,
        describe_error=describe_error,
        **options,
    )


def rows_of(body: Any) -> list[dict[str, Any]]:
    """The records of a read (``data``); none for a 204."""
    if not isinstance(body, dict):
        return []
    rows = body.get("data")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


async def pages(client: VendorClient, path: str, *, params: Mapping[str, Any] | None = None,
                per_page: int = MAX_PER_PAGE) -> AsyncIterator[list[dict[str, Any]]]:
    """Every page of a list or search, ``per_page`` (at most 200) records each, asking
    for the next ``page`` while ``info.more_records`` is true."""
    page = 1
    while True:
        query = {**(params or {}), "page": str(page), "per_page": str(min(per_page,
                                                                           MAX_PER_PAGE))}
        body = await client.get_json(path, params=query)
        rows = rows_of(body)
        if rows:
            yield rows
        info = body.get("info") if isinstance(body, dict) else None
        if not rows or not isinstance(info, dict) or not info.get("more_records"):
            return
        page += 1


async def fetch_all(client: VendorClient, path: str, *, params: Mapping[str, Any] | None = None,
                    most: int | None = None) -> list[dict[str, Any]]:
    """The records of every page (up to ``most``)."""
    found: list[dict[str, Any]] = []
    async for page in pages(client, path, params=params,
                            per_page=min(MAX_PER_PAGE, most or MAX_PER_PAGE)):
        found.extend(page)
        if most is not None and len(found) >= most:
            return found[:most]
    return found


def write_entries(body: Any, sent: int, path: str) -> list[dict[str, Any]]:
    """The per-record answers of a write, one for each of the ``sent`` records."""
    entries = rows_of(body)
    if len(entries) != sent:
        raise VendorError(f"Bigin answered {path} with {len(entries)} results for {sent} "
                          f"records", url=path)
    return entries


def succeeded(entry: Mapping[str, Any], path: str) -> dict[str, Any]:
    """The ``details`` of a record's successful write (its ``id`` and times); a
    ``VendorValidationError`` with Bigin's code, message and field when it failed."""
    if entry.get("status") != "success":
        raise VendorValidationError(f"Bigin refused the record: {_entry_text(entry)}",
                                    status=400, url=path)
    details = entry.get("details")
    if not isinstance(details, dict) or not details.get("id"):
        raise VendorError(f"Bigin answered {path} without the record's id", url=path)
    return details
