"""The Movidesk public API endpoints the sandbox serves, under ``/public/v1``.

- ``/tickets``: GET one (``?id=`` or ``?protocol=``, a JSON object) or a list (a bare
  JSON array; ``$select`` required; ``$top`` capped at 100; ordered by id unless
  ``$orderby``); POST creates (answers ``{"id": n}``, or the whole ticket with
  ``returnAllProperties=true``); PATCH ``?id=`` changes.
- ``/tickets/past``: the same reads for tickets changed more than 90 days ago; no writes.
- ``/persons``: GET one or a list, POST, PATCH ``?id=``, DELETE ``?id=``.

Only ``$filter``, ``$orderby``, ``$top``, ``$skip``, ``$select`` and ``$expand`` are
accepted as OData options.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pontes.sandbox import WebhookSender
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import persons, tickets
from .answers import ApiError, not_found
from .behaviours import Gate, fire_automations
from .listing import TicketIndex
from .odata import (
    OPTIONS,
    ODataError,
    check_names,
    matches,
    parse_expand,
    parse_filter,
    parse_orderby,
    project,
    sort_rows,
    split_top_level,
)
from .schema import PERSON_PROPERTIES, TICKET_PROPERTIES, TICKET_RELATIONS
from .state import RECENT, MovideskState

BASE_PATH = "/public/v1"


class MovideskApi:
    """The vendor endpoints over one ``MovideskState``."""

    def __init__(self, state: MovideskState, sender: WebhookSender, max_page_size: int = 100):
        self.state = state
        self.sender = sender
        self.max_page_size = max_page_size
        self.index = TicketIndex(state)

    def routes(self, gate: Gate) -> list[Route]:
        """Every endpoint, each behind ``gate``."""
        return [
            Route(f"{BASE_PATH}/tickets", gate.guard(self.tickets_get), methods=["GET"]),
            Route(f"{BASE_PATH}/tickets", gate.guard(self.tickets_post), methods=["POST"]),
            Route(f"{BASE_PATH}/tickets", gate.guard(self.tickets_patch), methods=["PATCH"]),
            Route(f"{BASE_PATH}/tickets/past", gate.guard(self.past_get), methods=["GET"]),
            Route(f"{BASE_PATH}/tickets/past", gate.guard(self.past_write),
                  methods=["POST", "PATCH", "PUT", "DELETE"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_get), methods=["GET"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_post), methods=["POST"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_patch), methods=["PATCH"]),
            Route(f"{BASE_PATH}/persons", gate.guard(self.persons_delete), methods=["DELETE"]),
        ]

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
                                          TICKET_PROPERTIES, TICKET_RELATIONS))
        return JSONResponse(self._ticket_list(params, past))

    def _ticket_list(self, params: Mapping[str, str], past: bool) -> list[dict[str, Any]]:
        """A page of tickets, found through ``self.index`` (see ``listing``)."""
        select, expand, tree, order, skip, top = self._list_query(params, TICKET_PROPERTIES)
        boundary = self.state.clock.now() - RECENT
        rows = self.index.page(past, boundary, tree, order, skip, top)
        return [project(row, select, expand, TICKET_RELATIONS) for row in rows]

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
            return JSONResponse(self._one(person, params, PERSON_PROPERTIES, ()))
        rows = list(self.state.persons.values())
        return JSONResponse(self._list(rows, params, PERSON_PROPERTIES, ()))

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
             properties: Sequence[str], expandable: Sequence[str]) -> dict[str, Any]:
        _check_options(params)
        if "$select" not in params:
            return record
        select, expand = _select_and_expand(params, properties)
        return project(record, select, expand, expandable)

    def _list(self, rows: list[dict[str, Any]], params: Mapping[str, str],
              properties: Sequence[str], expandable: Sequence[str]) -> list[dict[str, Any]]:
        select, expand, tree, order, skip, top = self._list_query(params, properties)
        if tree is not None:
            rows = [row for row in rows if matches(tree, row)]
        rows = sort_rows(rows, order)
        return [project(row, select, expand, expandable) for row in rows[skip:skip + top]]

    def _list_query(self, params: Mapping[str, str], properties: Sequence[str]) -> tuple:
        """A list call's options: select, expand, filter tree, order, skip and top."""
        _check_options(params)
        if not params.get("$select", "").strip():
            raise ApiError(400, "The $select query option is required when listing; "
                                "name the properties to return.")
        select, expand = _select_and_expand(params, properties)
        try:
            tree = parse_filter(params["$filter"], properties) \
                if params.get("$filter", "").strip() else None
            order = parse_orderby(params["$orderby"], properties) if params.get("$orderby") \
                else [("id", False)]
        except ODataError as error:
            raise ApiError(400, str(error)) from None
        skip = _count(params, "$skip", 0)
        top = min(_count(params, "$top", self.max_page_size), self.max_page_size)
        return select, expand, tree, order, skip, top


def _check_options(params: Mapping[str, str]) -> None:
    for key in params:
        if key.startswith("$") and key.lower() not in OPTIONS:
            raise ApiError(400, f"The query parameter '{key}' is not supported.")


def _select_and_expand(params: Mapping[str, str],
                       properties: Sequence[str]) -> tuple[list[str], dict[str, Any]]:
    try:
        select = split_top_level(params.get("$select", ""), ",")
        check_names(select, properties, "$select")
        expand = parse_expand(params.get("$expand", ""))
        check_names([item.name for item in expand.values()], properties, "$expand")
    except ODataError as error:
        raise ApiError(400, str(error)) from None
    return select, expand


def _count(params: Mapping[str, str], name: str, default: int) -> int:
    if name not in params:
        return default
    text = params[name].strip()
    if not text.isdigit():
        raise ApiError(400, f"{name} must be a whole number, got {text!r}.")
    return int(text)


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
