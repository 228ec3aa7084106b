"""A small helpdesk plugin for the export tests: "pagedesk", with a paged API and its sandbox.

The API (token in the query string, like Movidesk):

- ``GET /tickets?since=<ISO>&after=<updatedAt|id>&limit=N``: tickets changed since
  ``since``, in (``updatedAt``, ``id``) order, ``{"items": [...], "next": <after> | null}``.
  A ticket has nested ``notes`` (each with ``attachments``), one ``owner`` object (or
  null) and custom ``fields`` (each with ``items``);
- ``GET /people?page=N&limit=N``: everyone, ``{"items": [...], "hasMore": bool}``;
- ``GET /log?after=<seq>&limit=N``: an append-only log with integer ``seq``.

Streams: ``tickets`` (declared columns, incremental on ``updated`` with a 60 s lag,
child tables ``notes`` > ``attachments``, ``owner``, and ``fields`` > ``items`` loaded as
the table ``desk_fields``), ``people`` (no cursor: read whole every time) and ``log``
(undeclared columns, integer cursor).

``DeskState`` is the sandbox's data: tests change it directly (``touch``, ``delete``), and
``fail_after_pages`` makes ``/tickets`` answer 400 once that many pages were served.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pontes import hookimpl
from pontes.connector import ChildTable, Column, ConnectionSettings, Connector, Sandbox, Stream
from pontes.http import VendorClient
from pontes.sandbox import SandboxControl, sandbox_app
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "pagedesk-test-token"
BASE_TIME = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


class DeskSettings(ConnectionSettings):
    token: SecretStr
    page_size: int = 20


def client(name: str, settings: DeskSettings) -> VendorClient:
    return VendorClient(name, settings.base_url or "http://pagedesk.invalid",
                        auth_params={"token": settings.token.get_secret_value()})


async def check(connection) -> None:
    await connection.client.get_json("/people", params={"limit": 1})


async def read_tickets(connection, cursor):
    params: dict[str, Any] = {"limit": connection.settings.page_size}
    if cursor is not None:
        params["since"] = cursor.isoformat()
    while True:
        page = await connection.client.get_json("/tickets", params=params)
        for item in page["items"]:
            yield item
        if not page["next"]:
            return
        params["after"] = page["next"]


async def read_people(connection, cursor):
    page_number = 1
    while True:
        page = await connection.client.get_json(
            "/people", params={"page": page_number, "limit": connection.settings.page_size})
        for item in page["items"]:
            yield item
        if not page["hasMore"]:
            return
        page_number += 1


async def read_log(connection, cursor):
    after = cursor if cursor is not None else 0
    while True:
        page = await connection.client.get_json(
            "/log", params={"after": after, "limit": connection.settings.page_size})
        for item in page["items"]:
            yield item
        if not page["items"]:
            return
        after = page["items"][-1]["seq"]


TICKETS = Stream(
    connector="pagedesk", name="tickets", table="desk_tickets", primary_key=("id",),
    read=read_tickets, cursor_field="updated", lag=60,
    columns={
        "id": "text",
        "subject": "text",
        "updated": Column("timestamp", source="updatedAt"),
        "score": "float",
        "open": "boolean",
        "tags": "text",
        "priority": Column("integer", source="meta.priority"),
        "closed_on": Column("date", source="closedOn"),
        "extra": "json",
        "resolved_at": Column("timestamp", source="resolvedAt"),
    },
    children=(
        ChildTable("notes", parent_key={"ticket_id": "id"}, columns={
            "note_id": Column("text", source="id"),
            "body": "text",
            "created": Column("timestamp", source="createdAt"),
        }, children=(
            ChildTable("attachments", parent_key={"ticket_id": "ticket_id", "note_id": "note_id"},
                       columns={"name": "text", "size": "float"}),
        )),
        ChildTable("owners", path="owner", parent_key={"ticket_id": "id"}, columns={
            "owner_id": Column("text", source="id"),
            "name": "text",
        }),
        ChildTable("fields", table="desk_fields", parent_key={"ticket_id": "id"}, columns={
            "ticket_id": "text",
            "field_id": Column("text", source="fieldId"),
            "value": "text",
            "updated": Column("timestamp", source="changedAt"),
        }, children=(
            ChildTable("items", parent_key={"ticket_id": "ticket_id", "field_id": "field_id"},
                       columns={"item": "text"}),
        )),
    ),
)

PEOPLE = Stream(connector="pagedesk", name="people", table="desk_people", primary_key=("id",),
                read=read_people, columns={"id": "text", "name": "text", "active": "boolean"})

LOG = Stream(connector="pagedesk", name="log", primary_key=("seq",), read=read_log,
             cursor_field="seq", children=("tags",))


@hookimpl
def register_connectors():
    return [Connector("pagedesk", "Page Desk", ("helpdesk",), DeskSettings, client, check)]


@hookimpl
def register_streams():
    return [TICKETS, PEOPLE, LOG]


@hookimpl
def register_sandboxes():
    return [Sandbox("pagedesk", lambda: desk_app(DeskState.generate(60)),
                    lambda base_url: {"base_url": base_url, "token": TOKEN})]


# --- the sandbox ---------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    """The vendor's time format: UTC without an offset, seven fraction digits."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def make_ticket(number: int, updated: datetime, version: int = 0) -> dict[str, Any]:
    """Ticket ``number`` as the API returns it; ``version`` changes its content."""
    notes = [{"id": number * 10 + n, "body": f"note {n} v{version}",
              "createdAt": iso(updated - timedelta(minutes=n)),
              "attachments": [{"name": f"file{a}.txt", "size": a * 1.5} for a in range((n + number) % 3)]}
             for n in range((number + version) % 4)]
    fields = [{"fieldId": 500 + f, "value": None if f == 1 else f"{f},{number}",
               "changedAt": iso(updated),
               "items": [{"item": f"option {f}-{i}"} for i in range((number + f) % 3)]}
              for f in range((number + version) % 3)]
    return {
        "id": number,
        "subject": f"ticket {number} v{version}",
        "updatedAt": iso(updated),
        "score": number / 4,
        "open": number % 2 == 0,
        "tags": [f"t{number % 5}"] if number % 3 else [],
        "meta": {"priority": number % 4},
        "closedOn": f"2024-02-0{1 + number % 9}" if number % 6 == 0 else None,
        "extra": {"version": version, "labels": ["a", "b"]},
        "notes": notes,
        "owner": None if number % 5 == 0 else {"id": f"agent-{number % 3}", "name": "Ana"},
        "fields": fields,
    }


@dataclass
class DeskState:
    """The sandbox's records; three tickets share each ``updatedAt`` (ties on the cursor)."""

    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    people: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)
    fail_after_pages: int | None = None
    pages_served: int = 0

    @classmethod
    def generate(cls, tickets: int, people: int = 7, log: int = 45) -> DeskState:
        state = cls()
        for number in range(1, tickets + 1):
            state.tickets[number] = make_ticket(number, BASE_TIME + timedelta(minutes=number // 3))
        state.people = [{"id": f"p{n}", "name": f"Person {n}", "active": n % 2 == 0}
                        for n in range(1, people + 1)]
        state.log = [{"seq": n, "text": f"entry {n}", "tags": ["x"] if n % 2 else []}
                     for n in range(1, log + 1)]
        return state

    def latest(self) -> datetime:
        return max(datetime.fromisoformat(t["updatedAt"]).replace(tzinfo=UTC)
                   for t in self.tickets.values())

    def touch(self, numbers: list[int], at: datetime) -> None:
        """Change tickets ``numbers``: new content, ``updatedAt`` = ``at``."""
        for number in numbers:
            self.versions[number] = self.versions.get(number, 0) + 1
            self.tickets[number] = make_ticket(number, at, self.versions[number])

    def delete(self, numbers: list[int]) -> None:
        for number in numbers:
            del self.tickets[number]


def desk_app(state: DeskState):
    """The sandbox app over ``state`` (reachable as ``app.state.desk``)."""
    control = SandboxControl(lambda: None)

    def authorised(request: Request) -> JSONResponse | None:
        if request.query_params.get("token") != TOKEN:
            return JSONResponse({"message": "invalid token"}, status_code=401)
        return None

    def limit_of(request: Request) -> int:
        return min(int(request.query_params.get("limit", "20")), 100)

    async def tickets(request: Request) -> JSONResponse:
        if (refused := authorised(request)) is not None:
            return refused
        if state.fail_after_pages is not None and state.pages_served >= state.fail_after_pages:
            return JSONResponse({"message": "tickets are unavailable"}, status_code=400)
        state.pages_served += 1
        query = request.query_params
        since = query.get("since")
        after = query.get("after")
        rows = sorted(state.tickets.values(), key=lambda t: (t["updatedAt"], t["id"]))
        if since:
            floor = iso(datetime.fromisoformat(since))
            rows = [t for t in rows if t["updatedAt"] >= floor]
        if after:
            stamp, _, number = after.rpartition("|")
            rows = [t for t in rows if (t["updatedAt"], t["id"]) > (stamp, int(number))]
        page = rows[:limit_of(request)]
        more = len(rows) > len(page)
        last = page[-1] if page else None
        return JSONResponse({"items": page,
                             "next": f"{last['updatedAt']}|{last['id']}" if more else None})

    async def people(request: Request) -> JSONResponse:
        if (refused := authorised(request)) is not None:
            return refused
        limit = limit_of(request)
        start = (int(request.query_params.get("page", "1")) - 1) * limit
        page = state.people[start:start + limit]
        return JSONResponse({"items": page, "hasMore": start + limit < len(state.people)})

    async def log(request: Request) -> JSONResponse:
        if (refused := authorised(request)) is not None:
            return refused
        after = int(request.query_params.get("after", "0"))
        rows = [entry for entry in state.log if entry["seq"] > after]
        return JSONResponse({"items": rows[:limit_of(request)]})

    app = sandbox_app([Route("/tickets", tickets), Route("/people", people), Route("/log", log)],
                      control)
    app.state.desk = state
    return app

