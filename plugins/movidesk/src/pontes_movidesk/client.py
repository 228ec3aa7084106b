"""The Movidesk HTTP client: token in the query string, 10 calls a minute, OData lists.

Movidesk locks a token out for 60 s (then 120 s, then 300 s) after three failed calls in
a row. ``MovideskClient`` sends each call once and keeps to that rule through a
``lockout.LockoutGuard``; a failed event is tried again by the engine, and a long
``Retry-After`` is raised as a ``RateLimitedError`` instead of slept through.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any

import httpx
from pontes.plugin import (
    NotFoundError,
    RateLimit,
    RateLimitedError,
    RetryPolicy,
    VendorClient,
    vendor_message,
)

from .lockout import DEFAULT_HOLD, LockoutGuard, Outcome, shared_guard

if TYPE_CHECKING:
    from .connector import MovideskSettings

DEFAULT_BASE_URL = "https://api.movidesk.com/public/v1"
"""The public API's address, the default ``base_url`` of a connection."""

TICKETS = "/tickets"
PAST_TICKETS = "/tickets/past"
ACTION_HTML = "/tickets/htmldescription"
PERSONS = "/persons"

RETRY = RetryPolicy(attempts=1)
"""No call is repeated inline: each ``request`` is one call, so the lock-out guard counts
exactly the calls Movidesk counts."""

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


class MovideskClient(VendorClient):
    """A ``VendorClient`` that never lets its token fail three times in a row.

    Every call waits for its turn from ``lockout`` (a ``LockoutGuard``): one call at a
    time, a harmless read first after two failures in a row, none after a 429 until its
    ``Retry-After``; each call's outcome is counted there. The guard is the client's own
    until ``attach`` gives it the one its account shares in the runtime.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.lockout = LockoutGuard()

    def attach(self, budgets: Any, *args: Any, **kwargs: Any) -> MovideskClient:
        """``VendorClient.attach``, and take the lock-out guard of this client's account
        among the clients sharing ``budgets``."""
        super().attach(budgets, *args, **kwargs)
        self.lockout = shared_guard(budgets, self.account)
        return self

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call, when the lock-out rule allows it (see ``VendorClient.request``)."""
        await self.lockout.turn(self._end_failure_series, self.retry.max_inline_wait)
        return await self._counted(super().request(method, path, **kwargs))

    async def _end_failure_series(self) -> None:
        """The cheapest read there is (one ticket id), whose success ends a series."""
        await self._counted(super().request("GET", TICKETS,
                                            params={"$select": "id", "$top": 1}),
                            ends_series=True)

    async def _counted(self, call: Awaitable[httpx.Response], *,
                       ends_series: bool = False) -> httpx.Response:
        """Await ``call`` and report its outcome to the guard."""
        try:
            response = await call
        except RateLimitedError as error:
            if error.status is None:
                self.lockout.finished(Outcome.NOT_SENT, ends_series=ends_series)
            else:
                self.lockout.finished(Outcome.FAILED, error.retry_after or DEFAULT_HOLD,
                                      ends_series=ends_series)
            raise
        except BaseException:
            self.lockout.finished(Outcome.FAILED, ends_series=ends_series)
            raise
        self.lockout.finished(Outcome.SUCCEEDED, ends_series=ends_series)
        return response


def build_client(connection_name: str, settings: MovideskSettings) -> MovideskClient:
    """The ``MovideskClient`` of one connection (its token is redacted everywhere)."""
    return MovideskClient(
        connection=connection_name,
        base_url=settings.base_url or DEFAULT_BASE_URL,
        rate_limit=RateLimit(settings.requests_per_minute, settings.rate_window_seconds),
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
