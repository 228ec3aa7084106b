"""The admin API under ``/admin/api``: what is configured, what happened, and replay.

Every endpoint but the OpenAPI document needs ``Authorization: Bearer
<PONTES_ADMIN_TOKEN>``; without the variable set, the API answers 401 to everyone.
Connection secrets never appear; webhook URLs (which hold their token) and action tokens
do, because the operator needs them to configure the vendors.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

from .. import __version__
from ..oauth.wiring import login_statuses
from ..plugins import DEFAULT_PLUGINS, installed_plugins
from ..runtime import Runtime
from ..store import EVENT_STATUSES
from .auth import action_token, bearer, token_matches
from .bodies import error, json_response

PREFIX = "/admin/api"
MAX_ID = 2**62
"""The largest id the API accepts in a query or a path (ids are 64-bit in the store)."""
Handler = Callable[[Request], Awaitable[Response]]


class BadQuery(Exception):
    """A query parameter that is not what the endpoint expects."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def admin_only(handler: Handler) -> Handler:
    """Require the admin bearer token; answer 400 naming the field for a bad query."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        expected = request.app.state.settings.admin_token
        challenge = {"WWW-Authenticate": 'Bearer realm="pontes admin"'}
        if not expected:
            return json_response({"error": "the admin API is disabled: set PONTES_ADMIN_TOKEN"},
                                 401, challenge)
        if not token_matches(bearer(request), expected):
            return json_response({"error": "missing or invalid admin token"}, 401, challenge)
        try:
            return await handler(request)
        except BadQuery as exc:
            return error(400, str(exc), field=exc.field)

    return guarded


# --- query parameters -------------------------------------------------------------------


def _choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in choices:
        raise BadQuery(name, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


def _time(request: Request, name: str) -> datetime | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadQuery(name, f"expected an ISO 8601 time such as 2025-01-31T12:00:00Z, "
                             f"got {value!r}") from None
    if parsed.tzinfo is None:
        raise BadQuery(name, "give a time zone (Z or +00:00)")
    return parsed


def _int(request: Request, name: str, default: int | None, low: int, high: int) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadQuery(name, f"expected an integer, got {value!r}") from None
    if not low <= number <= high:
        raise BadQuery(name, f"expected {low} to {high}, got {number}")
    return number


# --- configuration ----------------------------------------------------------------------


@admin_only
async def list_plugins(request: Request) -> Response:
    """Installed plugins, which are enabled, and why any failed to load.
    ---
    summary: List plugins
    responses:
      200:
        description: One entry per installed or locally loaded plugin.
        content:
          application/json:
            schema: {type: array, items: {$ref: "#/components/schemas/Plugin"}}
    """
    runtime: Runtime = request.app.state.runtime
    enabled = {p.name: p for p in runtime.plugins.plugins}
    entries = []
    for info in installed_plugins():
        active = enabled.get(info.name)
        entries.append({"name": info.name, "module": info.module,
                        "distribution": info.distribution, "version": info.version,
                        "enabled": active is not None and active.loaded,
                        "error": info.error or (active.error if active else None)})
    listed = {entry["name"] for entry in entries}
    for name, _module in runtime.plugins.pm.list_name_plugin():
        if name not in listed and name not in enabled and name not in DEFAULT_PLUGINS:
            entries.append({"name": name, "module": name, "distribution": None,
                            "version": None, "enabled": True, "error": None})
    return json_response(entries)


@admin_only
async def list_connections(request: Request) -> Response:
    """Configured connections: connector, roles and capabilities, never their secrets.
    ---
    summary: List connections
    responses:
      200:
        description: One entry per connection.
        content:
          application/json:
            schema: {type: array, items: {$ref: "#/components/schemas/Connection"}}
    """
    runtime: Runtime = request.app.state.runtime
    base = runtime.config.public_url.rstrip("/")
    store = request.app.state.store
    logins = await store.run(login_statuses, runtime, store.vault)
    return json_response([
        {"name": name, "plugin": c.connector.name, "title": c.connector.title,
         "roles": list(c.connector.roles), "capabilities": sorted(c.capabilities),
         "base_url": _without_userinfo(c.settings.base_url),
         "action_url": f"{base}/actions/{name}/{{action}}",
         "login": logins[name].as_dict()}
        for name, c in runtime.connections.items()
    ])


@admin_only
async def connection_action_token(request: Request) -> Response:
    """The token that authorises ``POST /actions/<connection>/<action>``.
    ---
    summary: Get a connection's action token
    parameters:
      - {name: name, in: path, required: true, schema: {type: string}}
    responses:
      200:
        description: The token, and how to send it.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ActionToken"}
      404: {description: No such connection.}
    """
    name = request.path_params["name"]
    runtime: Runtime = request.app.state.runtime
    if name not in runtime.connections:
        return error(404, f"no connection {name!r}")
    base = runtime.config.public_url.rstrip("/")
    token = action_token(request.app.state.key, name)
    return json_response({"connection": name, "token": token,
                          "header": f"Authorization: Bearer {token}",
                          "url": f"{base}/actions/{name}/{{action}}"})


@admin_only
async def list_integrations(request: Request) -> Response:
    """Integrations with their roles, webhook URLs to paste into vendors, and pollers.
    ---
    summary: List integrations
    responses:
      200:
        description: One entry per integration.
        content:
          application/json:
            schema: {type: array, items: {$ref: "#/components/schemas/Integration"}}
    """
    runtime: Runtime = request.app.state.runtime
    hooks = runtime.hook_urls()
    entries = []
    for name, integration in runtime.integrations.items():
        entries.append({
            "name": name, "recipe": integration.recipe.name,
            "enabled": integration.config.enabled, "max_attempts": integration.max_attempts,
            "roles": {role: c.name for role, c in integration.connections.items()},
            "webhooks": [{"role": h.role, "connection": h.connection, "trigger": h.trigger,
                          "events": list(h.events), "url": h.url}
                         for h in hooks if h.integration == name],
            "polling": [{"role": role, "connection": integration.connections[role].name,
                         "trigger": t.name, "events": list(t.events),
                         "interval_seconds": t.interval_seconds}
                        for role in integration.trigger_roles()
                        for t in integration.polling_triggers(role)],
        })
    return json_response(entries)


# --- events -----------------------------------------------------------------------------


@admin_only
async def list_events(request: Request) -> Response:
    """Events newest first, filtered by status, integration and time received.
    ---
    summary: List events
    parameters:
      - {name: status, in: query, schema: {type: string, enum: [received, running, succeeded, dead, rejected, ignored]}}
      - {name: integration, in: query, schema: {type: string}}
      - {name: since, in: query, description: "Received at or after (ISO 8601 with zone)", schema: {type: string, format: date-time}}
      - {name: until, in: query, description: "Received before (ISO 8601 with zone)", schema: {type: string, format: date-time}}
      - {name: before, in: query, description: "Only ids below this one (paging)", schema: {type: integer, minimum: 1, maximum: 4611686018427387904}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
    responses:
      200:
        description: Matching events.
        content:
          application/json:
            schema: {type: array, items: {$ref: "#/components/schemas/Event"}}
      400:
        description: A malformed filter (the field is named).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Error"}
    """
    store = request.app.state.store
    found = await store.run(
        store.events.list,
        status=_choice(request, "status", EVENT_STATUSES),
        integration=request.query_params.get("integration"),
        since=_time(request, "since"), until=_time(request, "until"),
        before_id=_int(request, "before", None, 1, MAX_ID),
        limit=_int(request, "limit", 100, 1, 1000),
    )
    return json_response([e.as_dict() for e in found])


@admin_only
async def get_event(request: Request) -> Response:
    """One event: what was received, what it parsed to, its result and every attempt.
    ---
    summary: Get one event
    parameters:
      - {name: event_id, in: path, required: true, schema: {type: integer, minimum: 0}}
    responses:
      200:
        description: The event.
        content:
          application/json:
            schema: {$ref: "#/components/schemas/EventDetail"}
      404: {description: No such event.}
    """
    store = request.app.state.store
    event_id = request.path_params["event_id"]
    detail = await store.run(store.events.get, event_id) if event_id <= MAX_ID else None
    if detail is None:
        return error(404, "no such event")
    return json_response(detail.as_dict())


@admin_only
async def replay_event(request: Request) -> Response:
    """Run a dead (or succeeded) event again, with a fresh attempt budget.
    ---
    summary: Replay one event
    parameters:
      - {name: event_id, in: path, required: true, schema: {type: integer, minimum: 0}}
    responses:
      202: {description: "Queued: {id, queued: true, was: <previous status>}"}
      404: {description: No such event.}
      409: {description: "The event is waiting, running or rejected, so it cannot be replayed."}
    """
    store = request.app.state.store
    event_id = request.path_params["event_id"]
    if event_id > MAX_ID:
        return error(404, "no such event")
    outcome = await store.run(store.events.replay, event_id)
    if outcome.missing:
        return error(404, "no such event")
    if not outcome.queued:
        return error(409, f"event {event_id} is {outcome.status}; only dead or succeeded "
                          "events can be replayed", status=outcome.status)
    request.app.state.engine.wake()
    return json_response({"id": event_id, "queued": True, "was": outcome.status}, 202)


@admin_only
async def replay_dead(request: Request) -> Response:
    """Run every dead event again (optionally of one integration).
    ---
    summary: Replay all dead events
    parameters:
      - {name: integration, in: query, schema: {type: string}}
    responses:
      202: {description: "How many were queued: {queued: n}"}
    """
    store = request.app.state.store
    count = await store.run(store.events.replay_dead, request.query_params.get("integration"))
    request.app.state.engine.wake()
    return json_response({"queued": count}, 202)


# --- links and cursors ------------------------------------------------------------------


@admin_only
async def list_links(request: Request) -> Response:
    """Link groups: which remote ids in which connections stand for one thing.
    ---
    summary: Look up links
    parameters:
      - {name: kind, in: query, schema: {type: string}}
      - {name: connection, in: query, schema: {type: string}}
      - {name: remote_id, in: query, schema: {type: string}}
      - {name: id, in: query, description: The group's canonical id, schema: {type: string}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
    responses:
      200:
        description: Matching groups, newest first.
        content:
          application/json:
            schema: {type: array, items: {$ref: "#/components/schemas/LinkGroup"}}
      400:
        description: A malformed filter (the field is named).
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Error"}
    """
    store = request.app.state.store
    query = request.query_params
    groups = await store.run(store.links.groups, kind=query.get("kind"),
                             connection=query.get("connection"),
                             remote_id=query.get("remote_id"), canonical_id=query.get("id"),
                             limit=_int(request, "limit", 100, 1, 1000))
    return json_response([g.as_dict() for g in groups])


@admin_only
async def list_cursors(request: Request) -> Response:
    """Polling cursors: position, last success and last error per trigger.
    ---
    summary: List polling cursors
    responses:
      200:
        description: One entry per polled trigger.
        content:
          application/json:
            schema: {type: array, items: {$ref: "#/components/schemas/Cursor"}}
    """
    store = request.app.state.store
    return json_response([c.as_dict() for c in await store.run(store.cursors.all)])


# --- the document -----------------------------------------------------------------------

_OBJECT = {"type": "object"}
_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": "string", "nullable": True}
_TIME = {"type": "string", "format": "date-time"}
_MAYBE_TIME = {"type": "string", "format": "date-time", "nullable": True}
_MAYBE_OBJECT = {"type": "object", "nullable": True}

BASE_SCHEMA: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "pontes admin API", "version": __version__,
             "description": "Inspect integrations and events, replay dead letters."},
    "servers": [{"url": "/"}],
    "security": [{"adminToken": []}],
    "components": {
        "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer",
                                           "description": "The value of PONTES_ADMIN_TOKEN"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"error": _TEXT, "field": _TEXT}},
            "Plugin": {"type": "object", "properties": {
                "name": _TEXT, "module": _TEXT, "distribution": _MAYBE_TEXT,
                "version": _MAYBE_TEXT, "enabled": {"type": "boolean"}, "error": _MAYBE_TEXT}},
            "Connection": {"type": "object", "properties": {
                "name": _TEXT, "plugin": _TEXT, "title": _TEXT,
                "roles": {"type": "array", "items": _TEXT},
                "capabilities": {"type": "array", "items": _TEXT},
                "base_url": _MAYBE_TEXT, "action_url": _TEXT,
                "login": {"type": "object", "properties": {
                    "state": {"type": "string",
                              "enum": ["logged_in", "needs_login", "not_oauth"]},
                    "reason": _MAYBE_TEXT, "expires_at": _MAYBE_TEXT}}}},
            "ActionToken": {"type": "object", "properties": {
                "connection": _TEXT, "token": _TEXT, "header": _TEXT, "url": _TEXT}},
            "Integration": {"type": "object", "properties": {
                "name": _TEXT, "recipe": _TEXT, "enabled": {"type": "boolean"},
                "max_attempts": {"type": "integer"}, "roles": _OBJECT,
                "webhooks": {"type": "array", "items": _OBJECT},
                "polling": {"type": "array", "items": _OBJECT}}},
            "Event": {"type": "object", "properties": {
                "id": {"type": "integer"}, "integration": _TEXT, "role": _TEXT,
                "connection": _TEXT, "source": {"type": "string", "enum": ["webhook", "poll"]},
                "trigger": _MAYBE_TEXT, "type": _MAYBE_TEXT, "idempotency_key": _MAYBE_TEXT,
                "entity_key": _MAYBE_TEXT,
                "status": {"type": "string", "enum": list(EVENT_STATUSES)},
                "attempts": {"type": "integer"}, "next_attempt_at": _MAYBE_TIME,
                "last_error": _MAYBE_TEXT, "received_at": _TIME, "finished_at": _MAYBE_TIME}},
            "EventDetail": {"allOf": [{"$ref": "#/components/schemas/Event"}, {
                "type": "object", "properties": {
                    "content_type": _MAYBE_TEXT, "headers": _MAYBE_OBJECT, "body": _MAYBE_TEXT,
                    "body_bytes": {"type": "integer", "nullable": True}, "event": _MAYBE_OBJECT,
                    "result": {"nullable": True},
                    "attempt_log": {"type": "array", "items": {"type": "object", "properties": {
                        "number": {"type": "integer"}, "started_at": _TIME,
                        "finished_at": _MAYBE_TIME, "outcome": _TEXT, "error": _MAYBE_TEXT,
                        "duration_ms": {"type": "integer", "nullable": True}}}}}}]},
            "Cursor": {"type": "object", "properties": {
                "integration": _TEXT, "connection": _TEXT, "trigger": _TEXT,
                "value": _MAYBE_TEXT, "updated_at": _TIME, "last_success_at": _MAYBE_TIME,
                "last_error": _MAYBE_TEXT}},
            "LinkGroup": {"type": "object", "properties": {
                "kind": _TEXT, "id": _TEXT, "refs": {"type": "object",
                                                     "additionalProperties": _TEXT}}},
        },
    },
}


UNAUTHORIZED = {
    "description": "No admin token, a wrong one, or none configured (PONTES_ADMIN_TOKEN).",
    "headers": {"WWW-Authenticate": {"schema": _TEXT}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


async def openapi(request: Request) -> Response:
    """The OpenAPI document of this API (no token needed)."""
    schema = SchemaGenerator(BASE_SCHEMA).get_schema(routes)
    for operations in schema["paths"].values():
        for operation in operations.values():  # every operation is admin_only
            operation.setdefault("responses", {})[401] = UNAUTHORIZED
    return JSONResponse(schema)


def _without_userinfo(url: str | None) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc, query=""))


routes = [
    Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"], include_in_schema=False),
    Route(f"{PREFIX}/plugins", list_plugins, methods=["GET"]),
    Route(f"{PREFIX}/connections", list_connections, methods=["GET"]),
    Route(f"{PREFIX}/connections/{{name}}/action-token", connection_action_token,
          methods=["GET"]),
    Route(f"{PREFIX}/integrations", list_integrations, methods=["GET"]),
    Route(f"{PREFIX}/events", list_events, methods=["GET"]),
    Route(f"{PREFIX}/events/replay-dead", replay_dead, methods=["POST"]),
    Route(f"{PREFIX}/events/{{event_id:int}}", get_event, methods=["GET"]),
    Route(f"{PREFIX}/events/{{event_id:int}}/replay", replay_event, methods=["POST"]),
    Route(f"{PREFIX}/links", list_links, methods=["GET"]),
    Route(f"{PREFIX}/cursors", list_cursors, methods=["GET"]),
]
