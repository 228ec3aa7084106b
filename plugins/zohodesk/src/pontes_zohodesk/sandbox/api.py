"""The sandbox's Zoho Desk API v1 endpoints (under ``/api/v1``), over ``DeskState``.

Lists take ``from`` (1-based, default 1) and ``limit`` (default 10, at most 100) and
answer ``{"data": [...]}`` with no total and no cursor, or 204 with no body when nothing
is left. Bodies are JSON; refusals are ``DeskError`` (see ``records``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .events import DeskWebhooks, create_webhook
from .fields import check_layout, field_api_routes
from .records import (
    REPLY_STATUSES,
    DeskError,
    add_comment,
    add_thread,
    check_fields,
    create_ticket,
    invalid,
    not_found,
    ticket_view,
    update_comment,
    update_ticket,
    write_account,
    write_contact,
)
from .state import DEPARTMENT_ID, SUPPORT_ADDRESS, DeskState

API = "/api/v1"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
TICKET_SORTS = {"createdTime", "modifiedTime", "dueDate", "ticketNumber", "responseDueDate",
                "customerResponseTime"}
REPLY_FIELDS = {"channel", "fromEmailAddress", "to", "cc", "bcc", "content", "contentType",
                "ticketStatus", "isForward", "attachmentIds"}
RECORD_SORTS = {"createdTime", "modifiedTime"}
"""What a contacts or accounts list can be sorted by (a guess: see the plugin README)."""
SEARCH_SORTS = ("relevance", "modifiedTime", "createdTime", "customerResponseTime")
TICKET_SEARCH_FIELDS = ("subject", "ticketNumber", "status", "email", "phone", "contactId",
                        "accountId", "departmentId", "priority", "channel", "category")
Handler = Callable[[Request], Any]


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (a 422 otherwise)."""
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DeskError(422, "UNPROCESSABLE_ENTITY", "The body must be a JSON object")
    return body


def page(request: Request, items: Iterable[dict[str, Any]]) -> Response:
    """One page of ``items`` for ``from`` and ``limit``; 204 when it is empty."""
    params = request.query_params
    try:
        start = int(params.get("from", "1"))
        limit = int(params.get("limit", str(DEFAULT_LIMIT)))
    except ValueError:
        raise invalid("from", "from and limit are whole numbers") from None
    if start < 0:
        raise invalid("from", "from is 0 or more")
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid("limit", f"limit is 1 to {MAX_LIMIT}")
    rows = list(items)[max(start, 1) - 1:max(start, 1) - 1 + limit]
    if not rows:
        return Response(status_code=204)
    return JSONResponse({"data": rows})


def _matches(value: Any, wanted: str) -> bool:
    """Zoho Desk's search match: ``*`` is a wildcard, letter case is ignored; phones are
    compared by their digits."""
    if value is None:
        return False
    text, wanted = str(value).casefold(), wanted.casefold()
    pattern = "^" + ".*".join(re.escape(part) for part in wanted.split("*")) + "$"
    if re.match(pattern, text):
        return True
    digits = re.sub(r"\D", "", wanted)
    return len(digits) >= 6 and re.sub(r"\D", "", text).endswith(digits)


def search(request: Request, records: Iterable[dict[str, Any]],
           fields: dict[str, tuple[str, ...]]) -> Response:
    """``/contacts/search`` and ``/accounts/search``: ``_all`` (a wildcard match on any
    field) or field parameters, every one given must match."""
    params = request.query_params
    asked = {key: params[key] for key in (*fields, "_all") if params.get(key)}
    if not asked:
        raise DeskError(422, "UNPROCESSABLE_ENTITY", "Give _all or a field to search by")
    found = [record for record in records
             if all(_hit(record, fields, key, value) for key, value in asked.items())]
    return page(request, found)


def _hit(record: dict[str, Any], fields: dict[str, tuple[str, ...]], key: str,
         value: str) -> bool:
    """Whether ``record`` matches one search parameter (``_all``: any text field contains
    the term)."""
    if key == "_all":
        return any(_matches(v, f"*{value}*") for v in record.values() if isinstance(v, str))
    return any(_matches(record.get(name), value) for name in fields[key])


def sorted_records(request: Request, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A contacts or accounts list in ``sortBy`` order (``createdTime`` or
    ``modifiedTime``, a leading ``-`` for newest first); as stored without it."""
    sort = request.query_params.get("sortBy")
    if sort is None:
        return list(records)
    if sort.lstrip("-") not in RECORD_SORTS:
        raise invalid("sortBy", f"one of {', '.join(sorted(RECORD_SORTS))}")
    key = sort.lstrip("-")
    return sorted(records, key=lambda r: (r.get(key) or "", int(r["id"])),
                  reverse=sort.startswith("-"))


def _sorted_tickets(request: Request, tickets: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    sort = request.query_params.get("sortBy", "-createdTime")
    key = sort.lstrip("-")
    if key not in TICKET_SORTS:
        raise invalid("sortBy", f"one of {', '.join(sorted(TICKET_SORTS))}")
    number = (lambda t: int(t["ticketNumber"])) if key == "ticketNumber" else (
        lambda t: t.get(key) or "")
    return sorted(tickets, key=number, reverse=sort.startswith("-"))


def api_routes(state: DeskState, webhooks: DeskWebhooks, *, edition: str) -> list[Route]:
    """Every API route (see the module docstring of ``app``)."""

    def ticket_of(request: Request) -> dict[str, Any]:
        ticket = state.tickets.get(request.path_params["ticket_id"])
        if ticket is None:
            raise not_found()
        return ticket

    def view(ticket: dict[str, Any]) -> dict[str, Any]:
        return ticket_view(state, ticket)

    # --- organization and settings -------------------------------------------------------

    async def organizations(request: Request) -> Response:
        return JSONResponse({"data": [state.organization()]})

    async def departments(request: Request) -> Response:
        return page(request, [state.department()])

    async def support_addresses(request: Request) -> Response:
        department = request.query_params.get("departmentId")
        if department and department != DEPARTMENT_ID:
            raise invalid("departmentId", "no department with this id")
        return page(request, [state.support_address()])

    # --- tickets ---------------------------------------------------------------------------

    async def list_tickets(request: Request) -> Response:
        params = request.query_params
        tickets = [t for t in state.tickets.values()
                   if params.get("departmentId") in (None, t["departmentId"])
                   and params.get("status") in (None, t["status"])
                   and params.get("assignee") in (None, t["assigneeId"])]
        return page(request, [view(t) for t in _sorted_tickets(request, tickets)])

    async def search_tickets(request: Request) -> Response:
        params = request.query_params
        sort = params.get("sortBy", "relevance")
        if sort not in SEARCH_SORTS:
            raise invalid("sortBy", f"one of {', '.join(SEARCH_SORTS)}")
        asked = {key: params[key] for key in (*TICKET_SEARCH_FIELDS, "_all") if params.get(key)}
        if not asked:
            raise DeskError(422, "UNPROCESSABLE_ENTITY", "Give _all or a field to search by")
        found = [t for t in state.tickets.values()
                 if all(_hit(t, {k: (k,) for k in TICKET_SEARCH_FIELDS}, key, value)
                        for key, value in asked.items())]
        if sort != "relevance":
            found.sort(key=lambda t: t.get(sort) or "", reverse=True)
        return page(request, [view(t) for t in found])

    def tickets_where(key: str, records: dict[str, Any]) -> Handler:
        async def listed(request: Request) -> Response:
            owner = request.path_params["owner_id"]
            if owner not in records:
                raise not_found()
            tickets = [t for t in state.tickets.values() if t.get(key) == owner]
            return page(request, [view(t) for t in _sorted_tickets(request, tickets)])
        return listed

    async def get_ticket(request: Request) -> Response:
        return JSONResponse(view(ticket_of(request)))

    async def add_ticket(request: Request) -> Response:
        body = await json_body(request)
        check_layout(state, body)
        ticket = create_ticket(state, body)
        threads = state.threads[ticket["id"]]
        webhooks.fire("Ticket_Add", {**view(ticket),
                                     "firstThread": threads[0] if threads else None})
        return JSONResponse(view(ticket))

    async def patch_ticket(request: Request) -> Response:
        ticket = ticket_of(request)
        before = view(ticket)
        update_ticket(state, ticket, await json_body(request))
        webhooks.fire("Ticket_Update", view(ticket), before)
        return JSONResponse(view(ticket))

    # --- threads and comments --------------------------------------------------------------

    async def list_threads(request: Request) -> Response:
        threads = state.threads[ticket_of(request)["id"]]
        return page(request, [{k: v for k, v in t.items() if k != "content"}
                              for t in reversed(threads)])

    async def get_thread(request: Request) -> Response:
        threads = state.threads[ticket_of(request)["id"]]
        for thread in threads:
            if thread["id"] == request.path_params["thread_id"]:
                return JSONResponse(thread)
        raise not_found()

    async def send_reply(request: Request) -> Response:
        ticket = ticket_of(request)
        body = await json_body(request)
        check_fields(body, REPLY_FIELDS)
        if body.get("channel") != "EMAIL":
            raise invalid("channel", "channel is mandatory (EMAIL)")
        if body.get("fromEmailAddress") != SUPPORT_ADDRESS:
            raise invalid("fromEmailAddress", "one of the department's support addresses")
        if not body.get("to"):
            raise invalid("to", "to is mandatory for an e-mail reply")
        if not body.get("content"):
            raise invalid("content", "content is mandatory")
        if body.get("contentType", "plainText") not in ("html", "plainText"):
            raise invalid("contentType", "html or plainText")
        status = body.get("ticketStatus")
        if status is not None and status not in REPLY_STATUSES:
            raise invalid("ticketStatus", "OPEN, ON HOLD or CLOSED")
        before = view(ticket)
        forward = str(body.get("isForward", "false")).lower() == "true"
        thread = add_thread(state, ticket, {**body, "direction": "out", "isForward": forward})
        if status is not None:
            update_ticket(state, ticket, {"status": REPLY_STATUSES[status]})
        webhooks.fire("Ticket_Thread_Add", thread)
        webhooks.fire("Ticket_Update", view(ticket), before)
        return JSONResponse({k: v for k, v in thread.items() if k != "content"})

    async def list_comments(request: Request) -> Response:
        comments = state.comments[ticket_of(request)["id"]]
        return page(request, list(reversed(comments)))

    async def post_comment(request: Request) -> Response:
        ticket = ticket_of(request)
        comment = add_comment(state, ticket, await json_body(request))
        webhooks.fire("Ticket_Comment_Add", {**comment, "ticketId": ticket["id"],
                                             "departmentId": ticket["departmentId"]})
        return JSONResponse(comment)

    async def patch_comment(request: Request) -> Response:
        ticket = ticket_of(request)
        for comment in state.comments[ticket["id"]]:
            if comment["id"] == request.path_params["comment_id"]:
                where = {"ticketId": ticket["id"], "departmentId": ticket["departmentId"]}
                before = {**comment, **where}
                update_comment(state, ticket, comment, await json_body(request))
                webhooks.fire("Ticket_Comment_Update", {**comment, **where}, before)
                return JSONResponse(comment)
        raise not_found()

    # --- contacts and accounts -------------------------------------------------------------

    def record_routes(kind: str, records: dict[str, dict[str, Any]],
                      write: Callable[..., dict[str, Any]], event: str,
                      search_fields: dict[str, tuple[str, ...]]) -> list[Route]:
        def record_of(request: Request) -> dict[str, Any]:
            record = records.get(request.path_params["record_id"])
            if record is None:
                raise not_found()
            return record

        async def listed(request: Request) -> Response:
            return page(request, sorted_records(request, records.values()))

        async def created(request: Request) -> Response:
            record = write(state, await json_body(request))
            webhooks.fire(f"{event}_Add", record)
            return JSONResponse(record)

        async def fetched(request: Request) -> Response:
            return JSONResponse(record_of(request))

        async def patched(request: Request) -> Response:
            record = record_of(request)
            before = dict(record)
            write(state, await json_body(request), record)
            webhooks.fire(f"{event}_Update", record, before)
            return JSONResponse(record)

        async def searched(request: Request) -> Response:
            return search(request, records.values(), search_fields)

        return [
            Route(f"{API}/{kind}", listed, methods=["GET"]),
            Route(f"{API}/{kind}", created, methods=["POST"]),
            Route(f"{API}/{kind}/search", searched, methods=["GET"]),
            Route(f"{API}/{kind}/{{record_id}}", fetched, methods=["GET"]),
            Route(f"{API}/{kind}/{{record_id}}", patched, methods=["PATCH"]),
        ]

    # --- happiness and webhooks ------------------------------------------------------------

    async def happiness(request: Request) -> Response:
        ticket_id = request.query_params.get("ticketId")
        ratings = [r for r in reversed(state.ratings) if ticket_id in (None, r["ticketId"])]
        return page(request, ratings)

    async def add_webhook(request: Request) -> Response:
        return JSONResponse(create_webhook(state, await json_body(request), edition))

    async def list_webhooks(request: Request) -> Response:
        return JSONResponse({"data": list(state.webhooks.values())})

    async def delete_webhook(request: Request) -> Response:
        if state.webhooks.pop(request.path_params["webhook_id"], None) is None:
            raise not_found()
        return Response(status_code=204)

    tickets = f"{API}/tickets/{{ticket_id}}"
    return [
        Route(f"{API}/organizations", organizations, methods=["GET"]),
        Route(f"{API}/departments", departments, methods=["GET"]),
        Route(f"{API}/supportEmailAddress", support_addresses, methods=["GET"]),
        Route(f"{API}/tickets", list_tickets, methods=["GET"]),
        Route(f"{API}/tickets", add_ticket, methods=["POST"]),
        Route(f"{API}/tickets/search", search_tickets, methods=["GET"]),
        Route(tickets, get_ticket, methods=["GET"]),
        Route(tickets, patch_ticket, methods=["PATCH"]),
        Route(f"{tickets}/threads", list_threads, methods=["GET"]),
        Route(f"{tickets}/threads/{{thread_id}}", get_thread, methods=["GET"]),
        Route(f"{tickets}/sendReply", send_reply, methods=["POST"]),
        Route(f"{tickets}/comments", list_comments, methods=["GET"]),
        Route(f"{tickets}/comments", post_comment, methods=["POST"]),
        Route(f"{tickets}/comments/{{comment_id}}", patch_comment, methods=["PATCH"]),
        Route(f"{API}/contacts/{{owner_id}}/tickets", tickets_where("contactId", state.contacts),
              methods=["GET"]),
        Route(f"{API}/accounts/{{owner_id}}/tickets", tickets_where("accountId", state.accounts),
              methods=["GET"]),
        *record_routes("contacts", state.contacts, write_contact, "Contact", {
            "email": ("email", "secondaryEmail"), "phone": ("phone", "mobile"),
            "firstName": ("firstName",), "lastName": ("lastName",),
            "accountId": ("accountId",)}),
        *record_routes("accounts", state.accounts, write_account, "Account", {
            "accountName": ("accountName",), "email": ("email",), "phone": ("phone",),
            "website": ("website",)}),
        Route(f"{API}/customerHappiness", happiness, methods=["GET"]),
        Route(f"{API}/webhooks", add_webhook, methods=["POST"]),
        Route(f"{API}/webhooks", list_webhooks, methods=["GET"]),
        Route(f"{API}/webhooks/{{webhook_id}}", delete_webhook, methods=["DELETE"]),
        *field_api_routes(state, API),
    ]
