"""The admin API under ``/admin/api``: JSON over the admin services.

Every endpoint but the OpenAPI document needs ``Authorization: Bearer
<PONTES_ADMIN_TOKEN>``; without the variable set, the API answers 401 to everyone. Queries
and bodies are validated by the models of ``pontes.admin.models`` (a bad one is a 400
naming the field), answers are shaped by them, and the document at
``/admin/api/openapi.json`` is generated from them. Connection secrets never appear;
webhook URLs (which hold their token) and action tokens do, because the operator needs
them to configure the vendors.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..server.auth import bearer, token_matches
from ..server.bodies import error, json_response
from . import connections, dead_letters, events, integrations, mappings, overview, plugins
from .context import AdminContext
from .models import (
    ActionTokenAnswer,
    ActivationAnswer,
    CheckAnswer,
    ConnectionEntry,
    CursorEntry,
    DeadGroup,
    DeadQuery,
    ErrorAnswer,
    EventDetailAnswer,
    EventEntry,
    EventQuery,
    IntegrationEntry,
    IntegrationHealth,
    LinkGroupEntry,
    LinkQuery,
    MappingCheck,
    MappingEdit,
    MappingSlotEntry,
    PluginEntry,
    RecipeFit,
    ReplayAnswer,
    ReplayDeadAnswer,
    RollbackEdit,
)
from .openapi import Operation, document

PREFIX = "/admin/api"
Handler = Callable[[Request], Awaitable[Response]]
M = TypeVar("M", bound=BaseModel)


class BadInput(Exception):
    """A query parameter or body field that is not what the endpoint expects."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def _unknown_slot(request: Request) -> str:
    name, slot = request.path_params["name"], request.path_params.get("slot")
    where = f"{name!r}" if slot is None else f"{name!r} with a mapping {slot!r}"
    return f"no integration {where}"


UNKNOWN: dict[type[LookupError], Callable[[Request], str]] = {
    connections.UnknownConnection: lambda request: (
        f"no connection {request.path_params['name']!r}"),
    integrations.UnknownIntegration: lambda request: (
        f"no integration {request.path_params['name']!r}"),
    mappings.UnknownSlot: _unknown_slot,
}
"""The 404 message of each name a service does not know, from the request's path."""


def admin_only(handler: Handler) -> Handler:
    """Require the admin bearer token; answer 400 naming the field for bad input, and 404
    naming the connection, integration or mapping a service does not know (``UNKNOWN``)."""

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
        except BadInput as exc:
            return error(400, str(exc), field=exc.field)
        except tuple(UNKNOWN) as exc:
            message = next(say for kind, say in UNKNOWN.items() if isinstance(exc, kind))
            return error(404, message(request))

    return guarded


def parse_query(request: Request, model: type[M]) -> M:
    """The query string validated by ``model``; ``BadInput`` names the first wrong field."""
    return validated(model, dict(request.query_params))


def validated(model: type[M], data: Any) -> M:
    """``data`` validated by ``model``; ``BadInput`` names the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "body"
        raise BadInput(name, first["msg"]) from None


async def parse_body(request: Request, model: type[M]) -> M:
    """The JSON body validated by ``model``."""
    try:
        data = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadInput("body", "expected a JSON object") from None
    return validated(model, data)


def dump(value: Any, status: int = 200) -> Response:
    """A model, or a list of models, as the JSON answer."""
    return json_response(value, status)


# --- configuration ----------------------------------------------------------------------


@admin_only
async def list_plugins(request: Request) -> Response:
    """Installed plugins, which are enabled, and why any failed to load."""
    return dump(plugins.plugin_entries(AdminContext.of(request)))


@admin_only
async def list_recipes(request: Request) -> Response:
    """Every recipe, with the configured connections that can play each of its roles."""
    return dump(plugins.recipe_fits(AdminContext.of(request)))


@admin_only
async def list_connections(request: Request) -> Response:
    """Configured connections: connector, roles, capabilities and OAuth status, never
    their secrets."""
    return dump(await connections.connection_entries(AdminContext.of(request)))


@admin_only
async def check_connection(request: Request) -> Response:
    """Call the vendor with the connection's credentials and say whether they work."""
    return dump(await connections.check(AdminContext.of(request), request.path_params["name"]))


@admin_only
async def connection_action_token(request: Request) -> Response:
    """The token that authorises ``POST /actions/<connection>/<action>``."""
    return dump(connections.token_of(AdminContext.of(request), request.path_params["name"]))


@admin_only
async def list_integrations(request: Request) -> Response:
    """Integrations with their roles, webhook URLs to paste into vendors, and pollers."""
    return dump(integrations.integration_entries(AdminContext.of(request)))


@admin_only
async def activate_integration(request: Request) -> Response:
    """Do the integration's vendor-side set-up; the steps done and those left to a person."""
    return dump(await integrations.activate(AdminContext.of(request),
                                            request.path_params["name"]))


@admin_only
async def deactivate_integration(request: Request) -> Response:
    """Take the integration's webhooks back from its vendors; the steps done and those
    left to a person."""
    return dump(await integrations.deactivate(AdminContext.of(request),
                                              request.path_params["name"]))


@admin_only
async def get_overview(request: Request) -> Response:
    """Per integration: the last 24 hours, the queue, and its connections' state."""
    return dump(await overview.overview(AdminContext.of(request)))


# --- events -----------------------------------------------------------------------------


@admin_only
async def list_events(request: Request) -> Response:
    """Events newest first, filtered by status, integration, time received and entity;
    ``search`` finds one by id or idempotency key."""
    query = parse_query(request, EventQuery)
    return dump(await events.list_events(AdminContext.of(request), query))


@admin_only
async def get_event(request: Request) -> Response:
    """One event: what was received, what it parsed to, its result and every attempt."""
    detail = await events.event_detail(AdminContext.of(request), request.path_params["event_id"])
    if detail is None:
        return error(404, "no such event")
    return dump(detail)


@admin_only
async def replay_event(request: Request) -> Response:
    """Run a dead (or succeeded) event again, with a fresh attempt budget."""
    event_id = request.path_params["event_id"]
    try:
        return dump(await events.replay(AdminContext.of(request), event_id), 202)
    except events.ReplayRefused as refused:
        if refused.status is None:
            return error(404, "no such event")
        return error(409, str(refused), status=refused.status)


@admin_only
async def list_dead(request: Request) -> Response:
    """Dead events grouped by integration and the error they died of."""
    query = parse_query(request, DeadQuery)
    return dump(await dead_letters.dead_groups(AdminContext.of(request), query))


@admin_only
async def replay_dead(request: Request) -> Response:
    """Run every dead event again (of one integration, and of one error, when given)."""
    query = parse_query(request, DeadQuery)
    return dump(await dead_letters.replay_dead(AdminContext.of(request), query), 202)


# --- mappings ---------------------------------------------------------------------------


@admin_only
async def list_mappings(request: Request) -> Response:
    """Every mapping slot of an integration: the rules in force and their versions."""
    return dump(await mappings.slots(AdminContext.of(request), request.path_params["name"]))


@admin_only
async def check_mapping(request: Request) -> Response:
    """Validate edited rules and preview them on the integration's newest event."""
    edit = await parse_body(request, MappingEdit)
    return dump(await mappings.check(AdminContext.of(request), request.path_params["name"],
                                     request.path_params["slot"], edit.rules))


@admin_only
async def save_mapping(request: Request) -> Response:
    """Store edited rules as the slot's next version and put them in force."""
    edit = await parse_body(request, MappingEdit)
    try:
        return dump(await mappings.save(AdminContext.of(request), request.path_params["name"],
                                        request.path_params["slot"], edit.rules))
    except mappings.InvalidMapping as invalid:
        return error(400, invalid.check.error or "invalid mapping", field=invalid.check.field,
                     allowed=invalid.check.allowed)


@admin_only
async def rollback_mapping(request: Request) -> Response:
    """Put a saved version back in force (version 0: the config file's mapping)."""
    edit = await parse_body(request, RollbackEdit)
    try:
        return dump(await mappings.rollback(AdminContext.of(request),
                                            request.path_params["name"],
                                            request.path_params["slot"], edit.version))
    except mappings.UnknownSlot:
        return error(404, "no such integration, mapping or version")


# --- links and cursors ------------------------------------------------------------------


@admin_only
async def list_links(request: Request) -> Response:
    """Link groups: which remote ids in which connections stand for one thing."""
    query = parse_query(request, LinkQuery)
    store = request.app.state.store
    groups = await store.run(store.links.groups, kind=query.kind, connection=query.connection,
                             remote_id=query.remote_id, canonical_id=query.id,
                             limit=query.limit)
    return dump([LinkGroupEntry.model_validate(g) for g in groups])


@admin_only
async def list_cursors(request: Request) -> Response:
    """Polling cursors: position, last success and last error per trigger."""
    store = request.app.state.store
    return dump([CursorEntry.model_validate(c) for c in await store.run(store.cursors.all)])


# --- the document -----------------------------------------------------------------------

EVENT_ID = {"event_id": {"type": "integer", "minimum": 0}}
NAME = {"name": {"type": "string"}}
SLOT = {**NAME, "slot": {"type": "string"}}
BAD = ("A malformed query or body (the field is named).", ErrorAnswer)


def _missing(what: str) -> tuple[str, type[ErrorAnswer]]:
    return (f"No such {what}.", ErrorAnswer)


OPERATIONS = [
    Operation("GET", f"{PREFIX}/overview", get_overview, "Overview of every integration",
              {200: ("One entry per integration.", list[IntegrationHealth])}),
    Operation("GET", f"{PREFIX}/plugins", list_plugins, "List plugins",
              {200: ("One entry per installed or locally loaded plugin.", list[PluginEntry])}),
    Operation("GET", f"{PREFIX}/recipes", list_recipes, "List recipes and the connections "
              "that fit their roles", {200: ("One entry per recipe.", list[RecipeFit])}),
    Operation("GET", f"{PREFIX}/connections", list_connections, "List connections",
              {200: ("One entry per connection.", list[ConnectionEntry])}),
    Operation("POST", f"{PREFIX}/connections/{{name}}/check", check_connection,
              "Check a connection's credentials",
              {200: ("Whether the credentials work.", CheckAnswer),
               404: _missing("connection")}, path_params=NAME),
    Operation("GET", f"{PREFIX}/connections/{{name}}/action-token", connection_action_token,
              "Get a connection's action token",
              {200: ("The token, and how to send it.", ActionTokenAnswer),
               404: _missing("connection")}, path_params=NAME),
    Operation("GET", f"{PREFIX}/integrations", list_integrations, "List integrations",
              {200: ("One entry per integration.", list[IntegrationEntry])}),
    Operation("POST", f"{PREFIX}/integrations/{{name}}/activate", activate_integration,
              "Activate an integration at its vendors",
              {200: ("The steps done and left to do.", ActivationAnswer),
               404: _missing("integration")}, path_params=NAME),
    Operation("POST", f"{PREFIX}/integrations/{{name}}/deactivate", deactivate_integration,
              "Deactivate an integration at its vendors",
              {200: ("The steps done and left to do.", ActivationAnswer),
               404: _missing("integration")}, path_params=NAME),
    Operation("GET", f"{PREFIX}/integrations/{{name}}/mappings", list_mappings,
              "List an integration's mappings",
              {200: ("One entry per mapping slot.", list[MappingSlotEntry]),
               404: _missing("integration")}, path_params=NAME),
    Operation("POST", f"{PREFIX}/integrations/{{name}}/mappings/{{slot}}/check", check_mapping,
              "Validate and preview an edited mapping",
              {200: ("Valid with its preview, or the wrong field and the allowed ones.",
                     MappingCheck), 400: BAD, 404: _missing("integration or mapping")},
              body=MappingEdit, path_params=SLOT),
    Operation("PUT", f"{PREFIX}/integrations/{{name}}/mappings/{{slot}}", save_mapping,
              "Save a mapping as a new version",
              {200: ("The slot, with the new version in force.", MappingSlotEntry), 400: BAD,
               404: _missing("integration or mapping")}, body=MappingEdit, path_params=SLOT),
    Operation("POST", f"{PREFIX}/integrations/{{name}}/mappings/{{slot}}/rollback",
              rollback_mapping, "Roll a mapping back to a saved version",
              {200: ("The slot, with that version in force again.", MappingSlotEntry),
               400: BAD, 404: _missing("integration, mapping or version")},
              body=RollbackEdit, path_params=SLOT),
    Operation("GET", f"{PREFIX}/events", list_events, "List events",
              {200: ("Matching events.", list[EventEntry]), 400: BAD}, query=EventQuery),
    Operation("GET", f"{PREFIX}/events/{{event_id}}", get_event, "Get one event",
              {200: ("The event.", EventDetailAnswer), 404: _missing("event")},
              path_params=EVENT_ID),
    Operation("POST", f"{PREFIX}/events/{{event_id}}/replay", replay_event, "Replay one event",
              {202: ("Queued.", ReplayAnswer), 404: _missing("event"),
               409: ("The event is waiting, running, rejected or ignored, so it cannot be "
                     "replayed.", ErrorAnswer)}, path_params=EVENT_ID),
    Operation("GET", f"{PREFIX}/dead-letters", list_dead, "Dead events grouped by error",
              {200: ("One entry per integration and error.", list[DeadGroup]), 400: BAD},
              query=DeadQuery),
    Operation("POST", f"{PREFIX}/events/replay-dead", replay_dead, "Replay dead events",
              {202: ("How many were queued.", ReplayDeadAnswer), 400: BAD}, query=DeadQuery),
    Operation("GET", f"{PREFIX}/links", list_links, "Look up links",
              {200: ("Matching groups, newest first.", list[LinkGroupEntry]), 400: BAD},
              query=LinkQuery),
    Operation("GET", f"{PREFIX}/cursors", list_cursors, "List polling cursors",
              {200: ("One entry per polled trigger.", list[CursorEntry])}),
]


async def openapi(request: Request) -> Response:
    """The OpenAPI document of this API (no token needed)."""
    return json_response(request.app.state.admin_openapi)


def _route_path(operation: Operation) -> str:
    return operation.path.replace("{event_id}", "{event_id:int}")


routes = [
    Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"]),
    *(Route(_route_path(o), o.handler, methods=[o.method]) for o in OPERATIONS),
]
"""The API's routes (``/events/replay-dead`` comes before ``/events/{event_id}``)."""


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document."""
    return document(OPERATIONS)
