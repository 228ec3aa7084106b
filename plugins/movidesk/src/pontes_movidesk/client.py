"""The Movidesk HTTP client: token in the query string, 10 calls a minute, OData lists.

Movidesk locks a token out for 60 s (then 120 s, then 300 s) after three failed calls in
a row, so the client retries a failed call only once; ``VendorClient`` raises a
``RateLimitedError`` instead of sleeping through a long ``Retry-After``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx
from pontes.plugin import NotFoundError, RateLimit, RetryPolicy, VendorClient, vendor_message

if TYPE_CHECKING:
    from .connector import MovideskSettings

DEFAULT_BASE_URL = "https://api.movidesk.com/public/v1"
"""The public API's address, the default ``base_url`` of a connection."""

TICKETS = "/tickets"
PAST_TICKETS = "/tickets/past"
ACTION_HTML = "/tickets/htmldescription"
PERSONS = "/persons"

RETRY = RetryPolicy(attempts=2)
"""One retry at most: a third failure in a row would lock the token out."""

TICKET_EXPAND = (
    "owner", "createdBy", "clients($expand=organization)", "actions",
    "customFieldValues($expand=items)",
)
"""The related lists and persons read with one ticket."""

PERSON_FIELDS = (
    "id", "codeReferenceAdditional", "isActive", "personType", "profileType",
    "businessName", "corporateName", "cpfCnpj", "role", "createdDate", "changedDate",
)
PERSON_EXPAND = ("emails", "contacts", "addresses", "relationships", "customFieldValues")


def build_client(connection_name: str, settings: MovideskSettings) -> VendorClient:
    """The ``VendorClient`` of one connection (its token is redacted everywhere)."""
    return VendorClient(
        connection=connection_name,
        base_url=settings.base_url or DEFAULT_BASE_URL,
        rate_limit=RateLimit(settings.requests_per_minute, 60.0),
        auth_params={"token": settings.token.get_secret_value()},
        secret_params=("token",),
        retry=RETRY,
        describe_error=describe_error,
    )


def describe_error(response: httpx.Response) -> str:
    """Movidesk's explanation of an error answer.

    The API is ASP.NET Web API: bodies are ``{"Message": ...}``, sometimes with a
    ``ModelState`` of field errors or an ``ExceptionMessage``, or a bare JSON string.
    """
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return vendor_message(response)
    if isinstance(body, dict):
        message = _text(body.get("Message") or body.get("message"))
        details = _model_state(body.get("ModelState") or body.get("modelState"))
        exception = _text(body.get("ExceptionMessage"))
        parts = [p for p in (message, details, exception) if p]
        if parts:
            return " ".join(parts)[:500]
    return vendor_message(response)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _model_state(state: Any) -> str | None:
    if not isinstance(state, dict) or not state:
        return None
    problems = []
    for field, errors in state.items():
        texts = errors if isinstance(errors, list) else [errors]
        problems.append(f"{field}: {'; '.join(str(t) for t in texts)}")
    return "(" + "; ".join(problems) + ")"


async def list_rows(client: VendorClient, path: str, *, select: Iterable[str],
                    filter: str | None = None, orderby: str | None = None,
                    top: int | None = None, skip: int | None = None,
                    expand: Iterable[str] = ()) -> list[dict[str, Any]]:
    """One page of a Movidesk list (a bare JSON array); ``$select`` is always sent."""
    params: dict[str, Any] = {"$select": ",".join(select)}
    if filter:
        params["$filter"] = filter
    if orderby:
        params["$orderby"] = orderby
    if top is not None:
        params["$top"] = top
    if skip:
        params["$skip"] = skip
    expand = list(expand)
    if expand:
        params["$expand"] = ",".join(expand)
    rows = await client.get_json(path, params=params)
    return list(rows or [])


async def get_person(client: VendorClient, person_id: str) -> dict[str, Any]:
    """One person by id (Cód. Ref.); ``NotFoundError`` when there is none."""
    person = await client.get_json(PERSONS, params={"id": person_id})
    if not person:
        raise NotFoundError(f"Movidesk has no person {person_id!r}")
    return person


async def get_ticket(client: VendorClient, ticket_id: str | int) -> dict[str, Any]:
    """One ticket with clients, actions and custom fields, recent or past.

    Tickets whose last change is over 90 days old are served only by ``/tickets/past``.
    """
    params = {"id": str(ticket_id), "$expand": ",".join(TICKET_EXPAND)}
    try:
        ticket = await client.get_json(TICKETS, params=params)
    except NotFoundError:
        ticket = None
    if not ticket:
        try:
            ticket = await client.get_json(PAST_TICKETS, params=params)
        except NotFoundError:
            ticket = None
    if not ticket:
        raise NotFoundError(f"Movidesk has no ticket {ticket_id!r}")
    return ticket


async def get_action_html(client: VendorClient, ticket_id: int | str,
                          action_id: int | str) -> str | None:
    """The HTML of one action of a ticket (``None`` when Movidesk has none for it).

    Ticket reads carry an action's ``htmlDescription`` only in some cases; this endpoint
    answers ``{"id": <action>, "description": "<html>"}``.
    """
    try:
        answer = await client.get_json(ACTION_HTML, params={"id": str(ticket_id),
                                                            "actionId": str(action_id)})
    except NotFoundError:
        return None
    return answer.get("description") if isinstance(answer, dict) else None


def created_id(answer: Any) -> Any:
    """The id in a create answer: ``{"id": ...}`` or a bare value."""
    if isinstance(answer, dict):
        for key in ("id", "Id", "ID"):
            if answer.get(key) not in (None, ""):
                return answer[key]
        return None
    return answer
