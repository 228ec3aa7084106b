"""A small vendor for the engine's tests: "Ledger", with a sandbox that records effects.

The Ledger API (served by ``sandbox_app()``) keeps entries; every ``POST /entries`` is an
effect the tests count. Requests need the ``X-Ledger-Key`` header. Faults (429 with
Retry-After, 500s, delays) are injected through ``/_sandbox/faults``. Like a real vendor,
it can hold every caller to a rolling-window limit (``POST /_sandbox/ledger/limit``
``{"requests": n, "per_seconds": s}``; over it: 429 with ``Retry-After``), and it logs the
time and answer of every API call (``GET /_sandbox/ledger/calls``) and of every poll of
its change feed (``GET /_sandbox/ledger/polls``); ``GET /_sandbox/ledger/entries`` shows the
entries in the order they were created, outside the limit and the logs.

The plugin contributes:

- connector ``ledger`` (settings: ``base_url``, ``api_key``, and optionally a rate limit:
  ``rate_requests`` per ``rate_seconds``, which the client keeps to through the runtime's
  budgets);
- actions ``ledger.append`` (create an entry) and ``ledger.find`` (entries by key);
- webhook trigger ``ledger.hook`` (``ticket.changed``, or ``chat.accepted`` when the body
  says ``kind: accepted``): a JSON or form body with ``id`` (the idempotency key),
  ``entity`` (the ordering key), optional ``n`` and ``mode`` (``explode``: the parser
  fails with a bug); it replies to ``chat.accepted`` with the client's context;
- polling trigger ``ledger.poll`` (``ticket.created``): the sandbox's change feed;
- recipes ``ledger_copy`` (webhooks) and ``ledger_mirror`` (polling): copy each event to
  the target connection as one entry, finding before creating so that a run repeated after
  a crash creates nothing twice. ``mode: crash`` in the payload raises a plain exception;
  ``mode: die`` ends the process running it at once (as a segfault would: only for tests
  that run pontes in a subprocess).
  ``ledger_copy`` gives as client context how many entries the entity has at the target.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from typing import Any

from pontes import hookimpl
from pontes.connector import (
    Action,
    ConnectionSettings,
    Connector,
    PollingTrigger,
    PollResult,
    Sandbox,
    WebhookAck,
    WebhookTrigger,
)
from pontes.errors import InvalidPayload
from pontes.http import RateLimit, RetryPolicy, VendorClient
from pontes.models import ClientContext, Event, Ticket
from pontes.recipes import Recipe, RoleSpec
from pontes.sandbox import SandboxControl, sandbox_app
from pydantic import BaseModel, Field, SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

POLL_INTERVAL = 0.3


class LedgerSettings(ConnectionSettings):
    """A Ledger account, and the rate limit its API holds it to (if any)."""

    base_url: str
    api_key: SecretStr
    rate_requests: int | None = None
    rate_seconds: float = 60.0


def client(name: str, settings: LedgerSettings) -> VendorClient:
    """One attempt per call: the engine, not the client, retries in these tests."""
    limit = (RateLimit(settings.rate_requests, settings.rate_seconds)
             if settings.rate_requests else None)
    return VendorClient(name, settings.base_url, rate_limit=limit,
                        headers={"X-Ledger-Key": settings.api_key.get_secret_value()},
                        retry=RetryPolicy(attempts=1), timeout=10.0)


async def check(connection) -> None:
    await connection.client.get_json("/entries", params={"key": "-"})


class AppendInput(BaseModel):
    key: str = Field(min_length=1)
    entity: str = "none"
    n: int = 0
    note: str = ""


class FindInput(BaseModel):
    key: str = Field(min_length=1)


async def append(connection, params: AppendInput) -> dict[str, Any]:
    return await connection.client.post_json("/entries", json=params.model_dump())


async def find(connection, params: FindInput) -> list[dict[str, Any]]:
    return await connection.client.get_json("/entries", params={"key": params.key})


def parse_hook(request) -> list[Event]:
    data = request.data
    if not isinstance(data, dict) or not data.get("id") or not data.get("entity"):
        raise InvalidPayload("expected an object with 'id' and 'entity'")
    if data.get("mode") == "explode":
        raise KeyError("a parser bug")
    kind = "chat.accepted" if data.get("kind") == "accepted" else "ticket.changed"
    return [Event(type=kind, connection=request.connection,
                  idempotency_key=f"ledger:{data['id']}", entity_key=f"item:{data['entity']}",
                  record_id=str(data["entity"]), payload=dict(data))]


async def load_item(connection, event: Event) -> Ticket:
    item = await connection.client.get_json(f"/items/{event.record_id}")
    return Ticket(subject=item["title"], refs={connection.name: str(item["id"])},
                  remote_data=item)


async def poll_changes(connection, cursor: str | None) -> PollResult:
    answer = await connection.client.get_json("/changes", params={"since": cursor or "0"})
    events = [Event(type="ticket.created", connection=connection.name,
                    idempotency_key=f"change:{c['seq']}", entity_key=f"item:{c['entity']}",
                    record_id=str(c["entity"]), payload=c) for c in answer["changes"]]
    return PollResult(events, str(answer["last"]) if answer["changes"] else cursor)


async def copy_event(ctx, event: Event) -> str:
    """Copy the event to the target as one entry (find first: runs are at-least-once)."""
    if event.payload.get("mode") == "crash":
        raise RuntimeError("the recipe tripped over its own feet")
    if event.payload.get("mode") == "die":
        os._exit(70)
    target = ctx.role("target")
    found = await target.call("ledger.find", key=event.idempotency_key)
    if found:
        entry = found[0]
        ctx.note(f"entry {entry['id']} was already there")
    else:
        entry = await target.call("ledger.append", key=event.idempotency_key,
                                  entity=event.entity_key, n=int(event.payload.get("n", 0)),
                                  note=str(event.payload.get("note", "")))
        ctx.note(f"created entry {entry['id']}")
    await ctx.links.link("ledger-entry", {ctx.source.name: event.idempotency_key,
                                          target.name: str(entry["id"])})
    return f"entry {entry['id']}"


async def entity_context(ctx) -> ClientContext:
    """How many entries the event's entity has at the target, as a CRM link."""
    entity = ctx.event.entity_key
    entries = await ctx.role("target").client.get_json("/entries")
    count = sum(1 for e in entries if e.get("entity") == entity)
    return ClientContext(url=f"ledger://{entity}?entries={count}")


def reply_with_link(event: Event, context: ClientContext) -> dict[str, Any]:
    return {"result": "ok", "crm_link": context.url}


@hookimpl
def register_connectors():
    return [Connector(name="ledger", title="Ledger", roles=("crm",), settings=LedgerSettings,
                      client=client, check=check)]


@hookimpl
def register_actions():
    return [
        Action("ledger", "ledger.append", append, input=AppendInput, output=dict,
               description="Create an entry"),
        Action("ledger", "ledger.find", find, input=FindInput, output=list[dict],
               description="Entries with a key"),
    ]


@hookimpl
def register_triggers():
    return [
        WebhookTrigger("ledger", "ledger.hook", ("ticket.changed", "chat.accepted"), parse_hook,
                       load_item, ack=WebhookAck(200, {"result": "ok"}), reply=reply_with_link),
        PollingTrigger("ledger", "ledger.poll", ("ticket.created",), poll_changes, load_item,
                       interval_seconds=POLL_INTERVAL),
    ]


@hookimpl
def register_recipes():
    target = RoleSpec(requires=("ledger.append", "ledger.find"))
    return [
        Recipe("ledger_copy", "Copy webhook events to entries",
               {"source": RoleSpec(triggers=("ticket.changed", "chat.accepted")),
                "target": target}, copy_event,
               context=entity_context, context_events=("chat.accepted",)),
        Recipe("ledger_mirror", "Copy polled changes to entries",
               {"source": RoleSpec(triggers=("ticket.created",)), "target": target}, copy_event),
    ]


@hookimpl
def register_sandboxes():
    return [Sandbox("ledger", sandbox_app_factory,
                    lambda base_url: {"plugin": "ledger", "base_url": base_url,
                                      "api_key": SANDBOX_KEY})]


SANDBOX_KEY = "ledger-sandbox-key-5f1c"


def sandbox_app_factory():
    """The Ledger API emulator: entries, items and a change feed, in memory."""
    entries: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    polls: list[float] = []
    limits: list[Any] = []
    ids = itertools.count(1)

    def reset() -> None:
        entries.clear()
        changes.clear()
        calls.clear()
        polls.clear()
        limits.clear()

    control = SandboxControl(reset)

    def authorised(request: Request) -> bool:
        return request.headers.get("x-ledger-key") == SANDBOX_KEY

    def refused() -> JSONResponse:
        return JSONResponse({"message": "invalid X-Ledger-Key"}, status_code=401)

    def over_limit(request: Request) -> JSONResponse | None:
        """Count the call against the limit (if one is set) and log it; the 429 when the
        window is full."""
        wait = limits[-1].hit(request.headers.get("x-ledger-key", "")) if limits else None
        calls.append({"at": time.time(), "status": 200 if wait is None else 429})
        if wait is None:
            return None
        return JSONResponse({"message": "too many requests"}, status_code=429,
                            headers={"Retry-After": str(math.ceil(wait))})

    async def create_entry(request: Request):
        if not authorised(request):
            return refused()
        if (limited := over_limit(request)) is not None:
            return limited
        data = await request.json()
        if not data.get("key"):
            return JSONResponse({"message": "key is required"}, status_code=422)
        if int(data.get("n", 0)) < 0:
            return JSONResponse({"message": "n must not be negative"}, status_code=422)
        entry = {"id": next(ids), **data}
        entries.append(entry)
        return JSONResponse(entry, status_code=201)

    async def list_entries(request: Request):
        if not authorised(request):
            return refused()
        if (limited := over_limit(request)) is not None:
            return limited
        key = request.query_params.get("key")
        return JSONResponse([e for e in entries if key is None or e["key"] == key])

    async def get_item(request: Request):
        if not authorised(request):
            return refused()
        item_id = request.path_params["item_id"]
        return JSONResponse({"id": item_id, "title": f"item {item_id}"})

    async def add_change(request: Request):
        data = await request.json()
        change = {"seq": len(changes) + 1, "entity": data["entity"]}
        changes.append(change)
        return JSONResponse(change, status_code=201)

    async def list_changes(request: Request):
        if not authorised(request):
            return refused()
        polls.append(time.time())
        since = int(request.query_params.get("since", "0"))
        found = [c for c in changes if c["seq"] > since]
        return JSONResponse({"changes": found, "last": found[-1]["seq"] if found else since})

    async def set_limit(request: Request):
        spec = await request.json()
        limits.append(control.limiter(int(spec["requests"]), float(spec["per_seconds"]),
                                      clock=time.time))
        return JSONResponse(spec)

    async def call_log(request: Request):
        return JSONResponse(calls)

    async def all_entries(request: Request):
        key = request.query_params.get("key")
        return JSONResponse([e for e in entries if key is None or e["key"] == key])

    async def poll_log(request: Request):
        return JSONResponse(polls)

    return sandbox_app([
        Route("/_sandbox/ledger/limit", set_limit, methods=["POST"]),
        Route("/_sandbox/ledger/calls", call_log, methods=["GET"]),
        Route("/_sandbox/ledger/polls", poll_log, methods=["GET"]),
        Route("/_sandbox/ledger/entries", all_entries, methods=["GET"]),
        Route("/entries", create_entry, methods=["POST"]),
        Route("/entries", list_entries, methods=["GET"]),
        Route("/items/{item_id}", get_item, methods=["GET"]),
        Route("/changes", add_change, methods=["POST"]),
        Route("/changes", list_changes, methods=["GET"]),
    ], control)
