"""The Movidesk public API endpoints the sandbox serves, under ``/public/v1``.

- ``/tickets``: GET one (``?id=`` or ``?protocol=``, a JSON object) or a list (a bare
  JSON array; ``$select`` required; ``$top`` capped at 100; ordered by id unless
  ``$orderby``); POST creates (answers ``{"id": n}``, or the whole ticket with
  ``returnAllProperties=true``); PATCH ``?id=`` changes.
- ``/tickets/past``: the same reads for tickets changed more than 90 days ago; no writes.
- ``/tickets/htmldescription``: GET ``?id=`` (or ``?protocol=``) and optionally
  ``actionId``: the HTML of that action (the ticket's first action without one), as
  ``{"id": <action id>, "description": "<html>"}``; ticket reads carry
  ``htmlDescription`` null.
- ``/persons``: GET one or a list, POST, PATCH ``?id=``, DELETE ``?id=``.
- ``/services``: GET the service catalogue (see ``services``).

Query options are read as Movidesk reads them (see ``queries``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pontes.plugin import WebhookSender, odata
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import persons, tickets
from .answers import ApiError, not_found
from .behaviours import Gate, fire_automations
from .listing import TicketIndex
from .queries import PERSON, TICKET, query_engine
from .services import SERVICES
from .state import RECENT, MovideskState

BASE_PATH = "/public/v1"
_NUMBER = re.compile(r"[0-9]{1,9}")


class MovideskApi:
    """The vendor endpoints over one ``MovideskState``."""

    def __init__(self, state: MovideskState, sender: WebhookSender, max_page_size: int = 100):
        self.state = state
        self.sender = sender
        self.queries = query_engine(max_page_size)
        self.index = TicketIndex(state)

    def routes(self, gate: Gate) -> list[Route]:
        """Every endpoint, each behind ``gate``."""
        return [
            Route(f"{BASE_PATH}/tickets", gate.guard(self.tickets_get), methods=["GET"]),
            Route(f"{BASE_PATH}/tickets", gate.guard(self.tickets_post), methods=["POST"]),
            Route(f"{BASE_PATH}/tickets", gate.guard(self.tickets_patch), methods=["PATCH"]),
            Route(f"{BASE_PATH}/tickets/past", gate.guard(self.past_get), methods=["GET"]),
            Route(f"{BASE_PATH}/tickets/htmldescription", gate.guard(self.html_description),
                  methods=["GET"]),
            Route(f"{BASE_PATH}/tickets/past", gate.guard(self.past_write),
                  methods=["POST", "PATCH", "PUT", "DELETE"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_get), methods=["GET"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_post), methods=["POST"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_patch), methods=["PATCH"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_delete), methods=["DELETE"]),
            Route(f"{BASE_PATH}/services", gate.guard(self.services_get), methods=["GET"]),
        ]

    async def services_get(self, request: Request) -> Response:
        """The service catalogue."""
        return JSONResponse(list(SERVICES))

    # --- tickets ----------------------------------------------------------------------

    async def tickets_get(self, request: Request) -> Response:
        """One recent ticket, or a list of recent tickets."""
        return self._ticket_read(request, past=False)

    async def past_get(self, request: Request) -> Response:
        """One ticket, or a list, among those changed more than 90 days ago."""
        return self._ticket_read(request, past=True)

    def _ticket_read(self, request: Request, past: bool) -> Response:
        params = request.query_params
        include_deleted = params.get("includeDeletedItems", "").lower() == "true"
        if "id" in params or "protocol" in params:
            served = [t for t in self.state.tickets.values() if self.state.is_recent(t) != past]
            ticket = self._find_ticket(served, params)
            return JSONResponse(self._one(tickets.view(ticket, include_deleted), params,
                                          TICKET.name))
        return JSONResponse(self._ticket_list(params, past))

    def _ticket_list(self, params: Mapping[str, str], past: bool) -> list[dict[str, Any]]:
        """A page of tickets, found through ``self.index`` (see ``listing``)."""
        query = self._list_query(params, TICKET.name)
        boundary = self.state.clock.now() - RECENT
        return [query.shape(row) for row in self.index.page(past, boundary, query)]

    async def html_description(self, request: Request) -> Response:
        """The HTML of one action of a ticket, recent or past."""
        params = request.query_params
        if "id" not in params and "protocol" not in params:
            raise ApiError(400, "The id or protocol query parameter is required.")
        ticket = self._find_ticket(list(self.state.tickets.values()), params)
        actions = [a for a in ticket["actions"] if not a.get("isDeleted")]
        wanted = params.get("actionId", "").strip()
        if not wanted:
            action = actions[0] if actions else None
        elif _NUMBER.fullmatch(wanted):
            action = next((a for a in actions if a["id"] == int(wanted)), None)
        else:
            raise ApiError(400, f"The actionId {wanted!r} is not a number.")
        if action is None:
            raise not_found(f"Action {wanted or 1} of ticket {ticket['id']}")
        return JSONResponse({"id": action["id"], "description": action["htmlDescription"] or ""})

    def _find_ticket(self, served: list[dict[str, Any]], params: Mapping[str, str]) -> dict:
        if "id" in params:
            wanted, key = params["id"].strip(), "id"
        else:
            wanted, key = params["protocol"].strip(), "protocol"
        for ticket in served:
            if str(ticket.get(key)) == wanted:
                return ticket
        raise not_found(f"Ticket {wanted}")

    async def tickets_post(self, request: Request) -> Response:
        """Open a ticket."""
        body = await _body(request)
        ticket = tickets.create(self.state, body)
        self.state.tickets[ticket["id"]] = ticket
        fire_automations(self.state, self.sender, None, ticket)
        if request.query_params.get("returnAllProperties", "").lower() == "true":
            return JSONResponse(tickets.view(ticket))
        return JSONResponse({"id": ticket["id"]})

    async def tickets_patch(self, request: Request) -> Response:
        """Change a ticket (lists sent replace the ticket's lists)."""
        ticket_id = _required_id(request)
        current = self.state.tickets.get(int(ticket_id)) if ticket_id.isdigit() else None
        if current is None or not self.state.is_recent(current):
            raise not_found(f"Ticket {ticket_id}")
        body = await _body(request)
        updated = tickets.update(self.state, current, body)
        self.state.tickets[current["id"]] = updated
        fire_automations(self.state, self.sender, current, updated)
        return Response(status_code=200)

    async def past_write(self, request: Request) -> Response:
        """Old tickets are read-only."""
        raise ApiError(405, "The requested resource does not support http method "
                            f"'{request.method}'.")

    # --- persons ----------------------------------------------------------------------

    async def persons_get(self, request: Request) -> Response:
        """One person, or a list of persons."""
        params = request.query_params
        if "id" in params:
            person = self.state.persons.get(params["id"])
            if person is None:
                raise not_found(f"Person {params['id']}")
            return JSONResponse(self._one(person, params, PERSON.name))
        query = self._list_query(params, PERSON.name)
        rows, _ = query.run(self.state.persons.values())
        return JSONResponse([query.shape(row) for row in rows])

    async def persons_post(self, request: Request) -> Response:
        """Create a person; answers with its id."""
        person = persons.create(self.state, await _body(request))
        self.state.persons[person["id"]] = person
        return JSONResponse({"id": person["id"]})

    async def persons_patch(self, request: Request) -> Response:
        """Change a person (lists sent replace the person's lists)."""
        person_id = _required_id(request)
        current = self.state.persons.get(person_id)
        if current is None:
            raise not_found(f"Person {person_id}")
        self.state.persons[person_id] = persons.update(self.state, current, await _body(request))
        return Response(status_code=200)

    async def persons_delete(self, request: Request) -> Response:
        """Delete a person."""
        person_id = _required_id(request)
        if self.state.persons.pop(person_id, None) is None:
            raise not_found(f"Person {person_id}")
        return Response(status_code=200)

    # --- OData ------------------------------------------------------------------------

    def _one(self, record: dict[str, Any], params: Mapping[str, str],
             entity: str) -> dict[str, Any]:
        """One record: whole, or as ``$select`` and ``$expand`` ask."""
        query = self._query(params, entity)
        return record if query.select is None else query.shape(record)

    def _list_query(self, params: Mapping[str, str], entity: str) -> odata.Query:
        """A list call's options; Movidesk requires ``$select`` on lists."""
        query = self._query(params, entity)
        if query.select is None:
            raise ApiError(400, "The $select query option is required when listing; "
                                "name the properties to return.")
        return query

    def _query(self, params: Mapping[str, str], entity: str) -> odata.Query:
        try:
            return self.queries.parse(entity, params)
        except odata.ODataError as error:
            raise ApiError(400, str(error)) from None


def _required_id(request: Request) -> str:
    value = request.query_params.get("id", "").strip()
    if not value:
        raise ApiError(400, "The id query parameter is required.")
    return value


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.") from None
