"""The Usedesk HTTP client and the calls the actions and triggers are made of.

Every Usedesk method is a ``POST https://api.usedesk.ru/<method>`` whose parameters,
``api_token`` among them, travel in the body (sent here as JSON). Usedesk reports a
failure in the body, ``{"error": "..."}`` (sometimes with a ``code``), whatever the HTTP
status: ``call`` raises such an answer as ``VendorValidationError`` with Usedesk's words,
and answers with an error status become the usual typed errors. Lists come at most
``PAGE_SIZE`` items a call; ``offset`` numbers the pages (0, 1, 2...).

Usedesk's methods are all POSTs, but the reads may be sent again after a timeout or a
5xx (``retry_safe``); a create is never sent twice.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
from pontes.plugin import (
    Connection,
    NotFoundError,
    RateLimit,
    VendorClient,
    VendorValidationError,
    vendor_message,
)

if TYPE_CHECKING:
    from .connector import UsedeskSettings

DEFAULT_BASE_URL = "https://api.usedesk.ru"

CHANNELS = "/channels"
TICKETS = "/tickets"
TICKET = "/ticket"
CREATE_TICKET = "/create/ticket"
UPDATE_TICKET = "/update/ticket"
CREATE_COMMENT = "/create/comment"
CLIENTS = "/clients"
CLIENT = "/client"
CREATE_CLIENT = "/create/client"
UPDATE_CLIENT = "/update/client"

READS = frozenset({CHANNELS, TICKETS, TICKET, CLIENTS, CLIENT})
"""Methods that only read: safe to send again after an ambiguous failure."""

SETS = frozenset({UPDATE_TICKET, UPDATE_CLIENT})
"""Methods that set values (a second call changes nothing more): also safe to repeat."""

PAGE_SIZE = 100
"""The most items one list call returns."""


def build_client(connection_name: str, settings: UsedeskSettings) -> VendorClient:
    """The ``VendorClient`` of one connection (its token is masked wherever it could show)."""
    return VendorClient(
        connection=connection_name,
        base_url=settings.base_url,
        rate_limit=RateLimit(settings.requests_per_minute, 60.0),
        secrets=[settings.api_token.get_secret_value()],
        secret_params=("api_token",),
        describe_error=describe_error,
    )


def describe_error(response: httpx.Response) -> str:
    """Usedesk's explanation of an error answer: ``error``, with its ``code`` if any."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return vendor_message(response)
    return error_text(body) or vendor_message(response)


def error_text(body: Any) -> str | None:
    """The text of a Usedesk error body (``{"error": ..., "code"?: ...}``), or ``None``
    when ``body`` is not one."""
    if not isinstance(body, dict) or body.get("error") in (None, "", False):
        return None
    error = body["error"]
    text = error if isinstance(error, str) else json.dumps(error, ensure_ascii=False)
    code = body.get("code")
    return f"{text} (code {code})" if code not in (None, "") else text


async def call(connection: Connection, method: str,
               params: dict[str, Any] | None = None) -> Any:
    """Call Usedesk's ``method`` with ``params`` (``None`` values are left out) and the
    connection's token; the decoded answer. An ``error`` body raises
    ``VendorValidationError`` with Usedesk's words, whatever the HTTP status."""
    settings: UsedeskSettings = connection.settings  # type: ignore[assignment]
    client = connection.client
    body = {key: value for key, value in (params or {}).items() if value is not None}
    body["api_token"] = settings.api_token.get_secret_value()
    answer = await client.post_json(method, json=body,
                                    retry_safe=method in READS or method in SETS)
    text = error_text(answer)
    if text is not None:
        raise VendorValidationError(client.redactor.text(text), status=200,
                                    url=f"{client.base_url.rstrip('/')}{method}")
    return answer


async def list_pages(connection: Connection, method: str, params: dict[str, Any],
                     *, most: int | None = None) -> list[dict[str, Any]]:
    """Every item of a paged list (``offset`` 0, 1, 2...), or its first ``most``.

    A page shorter than ``PAGE_SIZE`` is the last one.
    """
    found: list[dict[str, Any]] = []
    offset = 0
    while most is None or len(found) < most:
        page = await call(connection, method, {**params, "offset": offset})
        items = [item for item in (page or []) if isinstance(item, dict)]
        found.extend(items)
        if len(page or []) < PAGE_SIZE:
            break
        offset += 1
    return found if most is None else found[:most]


async def get_ticket(connection: Connection, ticket_id: str | int) -> dict[str, Any]:
    """One ticket as ``/ticket`` answers it: ``{ticket, tags, changes, custom_fields,
    comments}``; ``NotFoundError`` when the answer holds no ticket."""
    answer = await call(connection, TICKET, {"ticket_id": ticket_id})
    if not isinstance(answer, dict) or not isinstance(answer.get("ticket"), dict):
        raise NotFoundError(f"Usedesk has no ticket {ticket_id!r}")
    return answer


async def get_client(connection: Connection, client_id: str | int) -> dict[str, Any]:
    """One client as a flat object (``id``, ``name``, ``emails``, ``phones``...).

    Usedesk's answer is read in the shapes public code shows for it: the client object
    itself, or ``{"client": {...}, "emails": [...], ...}`` (alone or in a list), whose
    lists are then put into the client.
    """
    answer = await call(connection, CLIENT, {"client_id": client_id})
    if isinstance(answer, list):
        answer = answer[0] if answer else None
    if isinstance(answer, dict) and isinstance(answer.get("client"), dict):
        answer = {**answer["client"],
                  **{key: value for key, value in answer.items() if key != "client"}}
    if not isinstance(answer, dict) or answer.get("id") in (None, ""):
        raise NotFoundError(f"Usedesk has no client {client_id!r}")
    return answer


async def search_clients(connection: Connection, query: str, *,
                         exact: bool) -> list[dict[str, Any]]:
    """The clients ``/clients`` finds for ``query`` (a name, e-mail or phone): matching
    it whole with ``exact``, in part otherwise. Only the first page is read."""
    return await call(connection, CLIENTS, {
        "query": query, "search_type": "full_match" if exact else "partial_match",
        "offset": 0}) or []
