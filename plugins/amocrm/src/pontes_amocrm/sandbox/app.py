"""A sandbox of amoCRM's API v4, written from the vendor notes.

- contacts, companies and leads: ``GET /api/v4/<entity>`` (``query``, ``filter[id][]``,
  ``with``, HAL pages up to 250, 204 when nothing matches), ``GET .../<id>`` (204 when
  there is none), ``POST`` (an array) and ``PATCH .../<id>``, validated with
  ``problem+json`` paths; changes go to the news feed and the webhooks;
- notes: ``GET``/``POST /api/v4/<entity>/<id>/notes``;
- ``GET /api/v4/leads/pipelines``, ``/api/v4/users``, ``/api/v4/<entity>/custom_fields``,
  ``/api/v4/account``, ``/api/v4/events`` (``filter[entity]``, ``filter[entity_id]``,
  ``filter[type]``);
- ``GET``/``POST``/``DELETE /api/v4/webhooks``;
- OAuth (see ``oauth``) and a long-lived token, both as ``Authorization: Bearer``;
  anything else is 401. Above 7 calls a second per token: 429 with a plain-text body.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pontes.plugin import SandboxControl, sandbox_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from .control import control_routes
from .hal import hal, page_of, problem
from .oauth import oauth_routes
from .state import ACCOUNT_ID, SUBDOMAIN, AmocrmState
from .widget_tokens import widget_token_routes
from .writes import EVENT_PREFIX, FIELDS, create, update

SANDBOX_TOKEN = "amocrm-sandbox-long-lived-token"
SANDBOX_CLIENT_ID = "8f0c6b9e-sandbox-client"
SANDBOX_CLIENT_SECRET = "amocrm-sandbox-client-secret"
REQUESTS_PER_SECOND = 7
ENTITIES = tuple(FIELDS)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


def build_app(*, requests_per_second: int = REQUESTS_PER_SECOND, auto_approve: bool = False,
              long_lived_token: str = SANDBOX_TOKEN, client_id: str = SANDBOX_CLIENT_ID,
              client_secret: str = SANDBOX_CLIENT_SECRET,
              access_lifetime: int = 86400) -> Starlette:
    """amoCRM's API v4, its OAuth and its webhooks for one account."""
    state = AmocrmState()
    control = SandboxControl(state.reset, secrets=[long_lived_token, client_secret])
    limiter = control.limiter(requests_per_second, 1.0)

    def refusal(request: Request) -> Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not (token == long_lived_token or state.tokens.valid(token)):
            return problem(401, "Unauthorized", "Authorization required")
        wait = limiter.hit(token)
        if wait is not None:
            return PlainTextResponse("Too Many Requests", status_code=429,
                                     headers={"Retry-After": str(max(1, math.ceil(wait)))})
        return None

    def api(handler):
        async def guarded(request: Request) -> Response:
            return refusal(request) or await handler(request)
        return guarded

    def matches(record: dict[str, Any], query: str) -> bool:
        needle = query.casefold()
        texts = [str(record.get("name") or "")] + [
            str(v.get("value")) for f in record.get("custom_fields_values") or []
            for v in f["values"]]
        digits = "".join(ch for ch in query if ch.isdigit())
        return any(needle in t.casefold() or (digits and len(digits) >= 5 and digits in
                                               "".join(ch for ch in t if ch.isdigit()))
                   for t in texts)

    def shown(entity: str, record: dict[str, Any], with_: set[str]) -> dict[str, Any]:
        links = record.get("_embedded") or {}
        embedded = {k: v for k, v in links.items() if k in with_ or
                    (entity == "contacts" and k == "companies")}
        return {**{k: v for k, v in record.items() if k != "_embedded"},
                "_links": {"self": {"href": f"/api/v4/{entity}/{record['id']}"}},
                "_embedded": embedded}

    async def list_records(request: Request) -> Response:
        entity = request.path_params["entity"]
        params = request.query_params
        rows = list(state.records[entity].values())
        if query := params.get("query"):
            rows = [r for r in rows if matches(r, query)]
        ids = params.getlist("filter[id][]") or [i for i in params.get("filter[id]", "")
                                                  .split(",") if i]
        if ids:
            rows = [r for r in rows if str(r["id"]) in ids]
        if params.get("order[created_at]") == "desc":
            rows.reverse()
        with_ = set(params.get("with", "").split(","))
        return page_of(request, entity, [shown(entity, r, with_) for r in rows])

    async def get_record(request: Request) -> Response:
        entity = request.path_params["entity"]
        record = state.records[entity].get(request.path_params["record_id"])
        if record is None:
            return Response(status_code=204)
        return hal(shown(entity, record, set(request.query_params.get("with", "").split(","))))

    async def create_records(request: Request) -> Response:
        entity = request.path_params["entity"]
        items = _json(await request.body())
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            return problem(400, "Bad Request", "the body must be a non-empty array of objects")
        answered = []
        for index, item in enumerate(items):
            request_id = str(item.get("request_id", index))
            record, refused = create(state, control, entity, item, request_id)
            if refused:
                return refused
            answered.append({"id": record["id"], "request_id": request_id, "_links": {
                "self": {"href": f"/api/v4/{entity}/{record['id']}"}}})
        return hal({"_links": {"self": {"href": f"/api/v4/{entity}"}},
                    "_embedded": {entity: answered}})

    async def update_record(request: Request) -> Response:
        entity = request.path_params["entity"]
        record = state.records[entity].get(request.path_params["record_id"])
        if record is None:
            return problem(404, "Not Found", f"no {entity} with this id")
        item = _json(await request.body())
        if not isinstance(item, dict):
            return problem(400, "Bad Request", "the body must be an object")
        if refused := update(state, control, entity, record, item, "0"):
            return refused
        return hal({"id": record["id"], "updated_at": record["updated_at"],
                    "_links": {"self": {"href": f"/api/v4/{entity}/{record['id']}"}}})

    async def list_notes(request: Request) -> Response:
        entity, owner = request.path_params["entity"], request.path_params["record_id"]
        notes = [n for n in state.notes.values()
                 if n["entity_type"] == entity and n["entity_id"] == owner]
        return page_of(request, "notes", notes)

    async def create_notes(request: Request) -> Response:
        entity, owner = request.path_params["entity"], request.path_params["record_id"]
        if owner not in state.records[entity]:
            return problem(404, "Not Found", f"no {entity} with this id")
        items = _json(await request.body())
        if not isinstance(items, list) or not items:
            return problem(400, "Bad Request", "the body must be a non-empty array")
        answered = []
        for index, item in enumerate(items):
            request_id = str(item.get("request_id", index))
            if item.get("note_type") != "common" or not isinstance(
                    (item.get("params") or {}).get("text"), str):
                return problem(400, "Bad Request", "Request validation failed", [
                    {"request_id": request_id, "errors": [{
                        "code": "NotBlank", "path": "params.text",
                        "detail": "This value should not be blank."}]}])
            note = {"id": state.next_id(), "entity_id": owner, "entity_type": entity,
                    "note_type": "common", "params": {"text": item["params"]["text"]},
                    "created_by": 504141, "responsible_user_id": 504141,
                    "created_at": state.records[entity][owner]["updated_at"],
                    "updated_at": state.records[entity][owner]["updated_at"],
                    "account_id": ACCOUNT_ID}
            state.notes[note["id"]] = note
            state.add_event("common_note_added", EVENT_PREFIX[entity], owner,
                            [], [{"note": {"id": note["id"]}}])
            answered.append({"id": note["id"], "entity_id": owner, "request_id": request_id})
        return hal({"_embedded": {"notes": answered}})

    async def pipelines(request: Request) -> Response:
        return page_of(request, "pipelines", list(state.pipelines.values()))

    async def users(request: Request) -> Response:
        return page_of(request, "users", state.users)

    async def custom_fields(request: Request) -> Response:
        return page_of(request, "custom_fields",
                       state.custom_fields[request.path_params["entity"]])

    async def account(request: Request) -> Response:
        return hal({"id": ACCOUNT_ID, "name": "Sandbox account", "subdomain": SUBDOMAIN,
                    "current_user_id": 504141, "country": "RU", "currency": "RUB"})

    async def events(request: Request) -> Response:
        params = request.query_params
        rows = list(reversed(state.events))
        entity_ids = [i for i in params.get("filter[entity_id]", "").split(",") if i]
        entities = [e for e in params.get("filter[entity]", "").split(",") if e]
        if entity_ids and (len(entities) != 1 or len(entity_ids) > 10):
            return problem(400, "Bad Request", "Request validation failed", [
                {"request_id": "0", "errors": [{"code": "InvalidFilter",
                                                "path": "filter.entity_id",
                                                "detail": "needs one filter[entity] and at "
                                                          "most 10 ids"}]}])
        if entities:
            rows = [r for r in rows if r["entity_type"] in entities]
        if entity_ids:
            rows = [r for r in rows if str(r["entity_id"]) in entity_ids]
        if types := [t for t in params.get("filter[type]", "").split(",") if t]:
            rows = [r for r in rows if r["type"] in types]
        return page_of(request, "events", rows)

    async def list_webhooks(request: Request) -> Response:
        hooks = list(state.webhooks.values())
        if destination := request.query_params.get("filter[destination]"):
            hooks = [h for h in hooks if h["destination"] == destination]
        if not hooks:
            return Response(status_code=204)
        return hal({"_total_items": len(hooks), "_links": {"self": {"href": "/api/v4/webhooks"}},
                    "_embedded": {"webhooks": hooks}})

    async def add_webhook(request: Request) -> Response:
        body = _json(await request.body())
        destination = (body or {}).get("destination") if isinstance(body, dict) else None
        settings = (body or {}).get("settings") if isinstance(body, dict) else None
        if not isinstance(destination, str) or not destination.startswith(("http://",
                                                                          "https://")):
            return problem(400, "Bad Request", "Request validation failed", [
                {"request_id": "0", "errors": [{"code": "InvalidUrl", "path": "destination",
                                                "detail": "This value is not a valid URL."}]}])
        if not isinstance(settings, list) or not settings:
            return problem(400, "Bad Request", "Request validation failed", [
                {"request_id": "0", "errors": [{"code": "NotBlank", "path": "settings",
                                                "detail": "This value should not be blank."}]}])
        existing = next((h for h in state.webhooks.values()
                         if h["destination"] == destination), None)
        hook = existing or {"id": state.next_id(), "created_by": 504141, "created_at": 0,
                            "sort": 10, "disabled": False, "destination": destination}
        hook.update(settings=list(settings), updated_at=0, sort=body.get("sort", hook["sort"]))
        state.webhooks[hook["id"]] = hook
        return hal(hook, status=201 if existing is None else 200)

    async def remove_webhook(request: Request) -> Response:
        body = _json(await request.body())
        destination = body.get("destination") if isinstance(body, dict) else None
        for hook_id, hook in list(state.webhooks.items()):
            if hook["destination"] == destination:
                del state.webhooks[hook_id]
                return Response(status_code=204)
        return problem(404, "Not Found", "no webhook with this destination")

    entity = "{entity:str}"
    record_id = "{record_id:int}"
    routes = [
        Route("/api/v4/account", api(account), methods=["GET"]),
        Route("/api/v4/users", api(users), methods=["GET"]),
        Route("/api/v4/leads/pipelines", api(pipelines), methods=["GET"]),
        Route("/api/v4/events", api(events), methods=["GET"]),
        Route("/api/v4/webhooks", api(list_webhooks), methods=["GET"]),
        Route("/api/v4/webhooks", api(add_webhook), methods=["POST"]),
        Route("/api/v4/webhooks", api(remove_webhook), methods=["DELETE"]),
        Route(f"/api/v4/{entity}/custom_fields", api(custom_fields), methods=["GET"]),
        Route(f"/api/v4/{entity}/{record_id}/notes", api(list_notes), methods=["GET"]),
        Route(f"/api/v4/{entity}/{record_id}/notes", api(create_notes), methods=["POST"]),
        Route(f"/api/v4/{entity}", api(list_records), methods=["GET"]),
        Route(f"/api/v4/{entity}", api(create_records), methods=["POST"]),
        Route(f"/api/v4/{entity}/{record_id}", api(get_record), methods=["GET"]),
        Route(f"/api/v4/{entity}/{record_id}", api(update_record), methods=["PATCH"]),
    ]
    return sandbox_app([
        *oauth_routes(state, client_id=client_id, client_secret=client_secret,
                      auto_approve=auto_approve, access_lifetime=access_lifetime),
        *[_only_entities(route) for route in routes],
        *control_routes(state),
        *widget_token_routes(state, client_id=client_id, client_secret=client_secret),
    ], control)


def _only_entities(route: Route) -> Route:
    """``route`` answering 404 for an ``{entity}`` amoCRM does not have."""
    endpoint = route.endpoint

    async def checked(request: Request) -> Response:
        if request.path_params.get("entity", "leads") not in ENTITIES:
            return problem(404, "Not Found", "no such entity")
        return await endpoint(request)

    return Route(route.path, checked, methods=list(route.methods or []))
