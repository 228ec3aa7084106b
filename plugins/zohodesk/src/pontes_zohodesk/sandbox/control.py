"""The Zoho Desk sandbox's own ``/_sandbox`` endpoints (the shared ones are in
``pontes.sandbox``: faults, request and webhook logs, reset; the accounts server's are
under ``/_sandbox/accounts``). What people and Zoho's own rules do in the portal, with the
webhooks that follow:

- ``POST /_sandbox/contacts``, ``/_sandbox/accounts``, ``/_sandbox/tickets``: a record
  made in Zoho Desk's UI (same fields and rules as the API);
- ``POST /_sandbox/tickets/{id}/customer-reply`` ``{"content", "from"?}``: the customer
  writes in (an inbound thread; an On Hold or Closed ticket reopens);
- ``POST /_sandbox/tickets/{id}/rating`` ``{"rating": "GOOD"|"OKAY"|"BAD",
  "feedback"?}``: the customer rates the ticket (customer happiness; no webhook);
- ``POST /_sandbox/tickets/{id}/escalate``: an agent escalates the ticket;
- ``POST /_sandbox/clock`` ``{"advance": seconds}``: time passes; SLA rules flag overdue
  tickets and escalate them (sent only to subscriptions with ``includeEventsFrom``
  ``AUTOMATION``);
- ``GET /_sandbox/state``: how many records of each kind the portal holds;
- ``POST /_sandbox/ticket-fields``: an administrator adds custom ticket fields (see
  ``fields``).
"""

from __future__ import annotations

import json
from typing import Any

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .events import DeskWebhooks
from .fields import field_control_routes
from .records import (
    DeskError,
    add_thread,
    create_ticket,
    run_sla,
    ticket_view,
    update_ticket,
    write_account,
    write_contact,
)
from .state import DeskState

RATINGS = ("GOOD", "OKAY", "BAD")


async def control_body(request: Request) -> dict[str, Any]:
    """The JSON object a control route was posted (a 400 otherwise)."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DeskError(400, "INVALID_DATA", "send a JSON object")
    return body


def control_routes(state: DeskState, webhooks: DeskWebhooks) -> list[Route]:
    """The Zoho Desk-specific control endpoints (see the module docstring)."""

    def ticket_of(request: Request) -> dict[str, Any]:
        ticket = state.tickets.get(request.path_params["ticket_id"])
        if ticket is None:
            raise DeskError(404, "URL_NOT_FOUND", "no such ticket")
        return ticket

    def answering(handler):
        async def answer(request: Request) -> Response:
            try:
                return JSONResponse(await handler(request))
            except DeskError as error:
                return JSONResponse(error.body(), status_code=error.status)
        return answer

    async def contact(request: Request) -> dict[str, Any]:
        record = write_contact(state, await control_body(request))
        webhooks.fire("Contact_Add", record)
        return record

    async def account(request: Request) -> dict[str, Any]:
        record = write_account(state, await control_body(request))
        webhooks.fire("Account_Add", record)
        return record

    async def ticket(request: Request) -> dict[str, Any]:
        record = create_ticket(state, await control_body(request))
        threads = state.threads[record["id"]]
        view = ticket_view(state, record)
        webhooks.fire("Ticket_Add", {**view, "firstThread": threads[0] if threads else None})
        return view

    async def customer_reply(request: Request) -> dict[str, Any]:
        record = ticket_of(request)
        body = await control_body(request)
        if not isinstance(body.get("content"), str) or not body["content"]:
            raise DeskError(400, "INVALID_DATA", "content: the customer's message")
        before = ticket_view(state, record)
        thread = add_thread(state, record, {
            "direction": "in", "content": body["content"], "contentType": "plainText",
            "fromEmailAddress": body.get("from") or record.get("email"),
            "to": "support@acme.zohodesk.com", "cc": body.get("cc")})
        webhooks.fire("Ticket_Thread_Add", {**thread, "departmentId": record["departmentId"]})
        webhooks.fire("Ticket_Update", ticket_view(state, record), before)
        return thread

    async def rating(request: Request) -> dict[str, Any]:
        record = ticket_of(request)
        body = await control_body(request)
        if body.get("rating") not in RATINGS:
            raise DeskError(400, "INVALID_DATA", f"rating: one of {', '.join(RATINGS)}")
        rated = {"id": state.new_id(), "rating": body["rating"],
                 "feedback": body.get("feedback"), "ticketId": record["id"],
                 "ticketNumber": record["ticketNumber"], "contactId": record["contactId"],
                 "departmentId": record["departmentId"], "ratedTime": state.stamp()}
        state.ratings.append(rated)
        return rated

    async def escalate(request: Request) -> dict[str, Any]:
        record = ticket_of(request)
        before = ticket_view(state, record)
        update_ticket(state, record, {"status": "Escalated"})
        webhooks.fire("Ticket_Update", ticket_view(state, record), before)
        return ticket_view(state, record)

    async def clock(request: Request) -> dict[str, Any]:
        body = await control_body(request)
        seconds = body.get("advance")
        if not isinstance(seconds, int | float) or seconds < 0:
            raise DeskError(400, "INVALID_DATA", "advance: seconds, 0 or more")
        state.advance(seconds)
        flagged = []
        for record in state.tickets.values():
            before = ticket_view(state, record)
            if run_sla(state, record):
                flagged.append(record["id"])
                webhooks.fire("Ticket_Update", ticket_view(state, record), before,
                              automation=True)
        return {"now": state.stamp(), "flagged": flagged}

    async def counts(request: Request) -> dict[str, Any]:
        return {"contacts": len(state.contacts), "accounts": len(state.accounts),
                "tickets": len(state.tickets), "ratings": len(state.ratings),
                "webhooks": len(state.webhooks)}

    tickets = f"{CONTROL_PREFIX}/tickets/{{ticket_id}}"
    return [
        Route(f"{CONTROL_PREFIX}/contacts", answering(contact), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/accounts", answering(account), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/tickets", answering(ticket), methods=["POST"]),
        Route(f"{tickets}/customer-reply", answering(customer_reply), methods=["POST"]),
        Route(f"{tickets}/rating", answering(rating), methods=["POST"]),
        Route(f"{tickets}/escalate", answering(escalate), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/clock", answering(clock), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/state", answering(counts), methods=["GET"]),
        *field_control_routes(state),
    ]
