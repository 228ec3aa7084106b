"""A sandbox of Bigin's API v2 for one organisation, written from the vendor notes.

Under ``/bigin/v2``:

- ``GET /<module>`` (``fields`` required; ``page``, ``per_page`` up to 200, ``sort_by``,
  ``sort_order``), ``GET /<module>/<id>`` (an array of one), ``GET /<module>/search``
  (see ``search``): ``{"data", "info"}``, or 204 when nothing is there;
- ``POST /<module>``, ``PUT /<module>`` (ids in the records), ``PUT /<module>/<id>``,
  ``POST /<module>/upsert`` (``duplicate_check_fields``): ``{"data": [...]}`` of at most
  100 records, each answered on its own (see ``writes``); 201 for one record inserted,
  200 for one updated, 202 for several, 400 when every record was refused;
- ``GET``/``POST /<module>/<id>/Notes``;
- ``GET /settings/fields?module=``, ``GET``/``POST /users``;
- ``GET``/``POST``/``DELETE /actions/watch``: channels, whose changes are posted to
  their ``notify_url`` (see ``notify``).

``Contacts``, ``Accounts`` and ``Pipelines`` are the modules (``Companies`` and ``Deals``
are read as their aliases); another is ``INVALID_MODULE``. Every call needs
``Authorization: Zoho-oauthtoken <token>`` from the accounts server mounted at
``/accounts`` (``INVALID_TOKEN`` otherwise), and costs a credit of the day's
``daily_credits``; past them Bigin answers 429. ``page`` serves the record page.
"""

from __future__ import annotations

import json
from typing import Any

from pontes.plugin import SandboxControl, ZohoAccounts, sandbox_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..modules import canonical_module
from .control import control_routes
from .notify import is_live, notify
from .page import page_routes
from .search import MATCHERS, CriteriaError
from .state import BiginState, now_text
from .writes import error, insert, update, upsert

API = "/bigin/v2"
SANDBOX_CLIENT_ID = "1000.BIGINSANDBOXCLIENT"
SANDBOX_CLIENT_SECRET = "bigin-sandbox-client-secret"
SANDBOX_REFRESH_TOKEN = "1000.bigin-sandbox-self-client.refresh-token"
SANDBOX_ACCESS_TOKEN = "1000.bigin-sandbox-access-token"
"""An access token the sandbox always takes, for connections that skip OAuth."""
DAILY_CREDITS = 5000
MAX_PER_PAGE = 200
MAX_RECORDS = 100
MODULES = ("Contacts", "Accounts", "Pipelines")


def failure(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    """A request-level error: ``{"code", "details", "message", "status": "error"}``."""
    return JSONResponse({"code": code, "details": details, "message": message,
                         "status": "error"}, status_code=status)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


def listing(rows: list[dict[str, Any]], page: int, per_page: int) -> Response:
    """One page of ``rows``, or 204 when it is empty."""
    chunk = rows[(page - 1) * per_page: page * per_page]
    if not chunk:
        return Response(status_code=204)
    return JSONResponse({"data": chunk, "info": {
        "page": page, "per_page": per_page, "count": len(chunk),
        "more_records": page * per_page < len(rows)}})


def build_app(*, daily_credits: int = DAILY_CREDITS, client_id: str = SANDBOX_CLIENT_ID,
              client_secret: str = SANDBOX_CLIENT_SECRET, auto_approve: bool = True,
              **_settings_options: Any) -> Starlette:
    """Bigin's API v2, Zoho's accounts server and the record page of one organisation."""
    state = BiginState()
    accounts = ZohoAccounts(client_id, client_secret, auto_approve=auto_approve,
                            self_client_tokens=(SANDBOX_REFRESH_TOKEN,),
                            standing_tokens=(SANDBOX_ACCESS_TOKEN,))

    def reset() -> None:
        state.reset()
        accounts.reset()

    control = SandboxControl(reset, secrets=[client_secret, SANDBOX_REFRESH_TOKEN,
                                             SANDBOX_ACCESS_TOKEN])
    credits = control.limiter(daily_credits, 24 * 3600.0)

    def refusal(request: Request) -> Response | None:
        if not accounts.authorized(request):
            return failure(401, "INVALID_TOKEN", "invalid oauth token")
        if credits.hit("organisation") is not None:
            return failure(429, "TOO_MANY_REQUESTS",
                           "the API credits of the day have been used up")
        return None

    def api(handler, *, module: bool = False):
        async def guarded(request: Request) -> Response:
            refused = refusal(request)
            if refused is not None:
                return refused
            if module:
                name = canonical_module(request.path_params["module"])
                if name not in MODULES:
                    return failure(400, "INVALID_MODULE",
                                   "the module name given seems to be invalid")
                request.path_params["module"] = name
            return await handler(request)
        return guarded

    def changed(module: str, operation: str, record: dict[str, Any], affected: list[str],
                base_url: str) -> None:
        notify(control, state, base_url, module, operation, record, affected)

    def paging(request: Request) -> tuple[int, int] | Response:
        try:
            page = int(request.query_params.get("page", "1"))
            per_page = int(request.query_params.get("per_page", str(MAX_PER_PAGE)))
        except ValueError:
            return failure(400, "INVALID_DATA", "page and per_page must be numbers")
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            return failure(400, "INVALID_DATA", "per_page must be 1 to 200 and page from 1",
                           param_name="per_page")
        return page, per_page

    async def list_records(request: Request) -> Response:
        module = request.path_params["module"]
        if not request.query_params.get("fields"):
            return failure(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is "
                           "missing", param_name="fields")
        paged = paging(request)
        if isinstance(paged, Response):
            return paged
        rows = list(state.records[module].values())
        sort_by = request.query_params.get("sort_by")
        if sort_by:
            rows.sort(key=lambda r: str(r.get(sort_by) or ""),
                      reverse=request.query_params.get("sort_order") == "desc")
        return listing(rows, *paged)

    async def search(request: Request) -> Response:
        module = request.path_params["module"]
        given = [key for key in MATCHERS if request.query_params.get(key)]
        if len(given) != 1:
            return failure(400, "INVALID_QUERY", "give one of criteria, email, phone or word",
                           param_name=",".join(MATCHERS))
        try:
            matches = MATCHERS[given[0]](request.query_params[given[0]])
        except CriteriaError as problem:
            return failure(400, "INVALID_QUERY", str(problem), param_name="criteria")
        paged = paging(request)
        if isinstance(paged, Response):
            return paged
        return listing([r for r in state.records[module].values() if matches(r)], *paged)

    async def get_record(request: Request) -> Response:
        record = state.records[request.path_params["module"]].get(request.path_params["id"])
        if record is None:
            return Response(status_code=204)
        return JSONResponse({"data": [record]})

    async def records_of(request: Request) -> list[dict[str, Any]] | Response:
        body = _json(await request.body())
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
            return failure(400, "INVALID_DATA", "the body must be {\"data\": [records]}")
        if len(data) > MAX_RECORDS:
            return failure(400, "LIMIT_EXCEEDED", f"at most {MAX_RECORDS} records a call")
        request.state.body = body
        return data

    def answered(entries: list[dict[str, Any]], single_status: int) -> Response:
        if all(e["status"] == "error" for e in entries):
            status = 400
        else:
            status = single_status if len(entries) == 1 else 202
        return JSONResponse({"data": entries}, status_code=status)

    async def create(request: Request) -> Response:
        module = request.path_params["module"]
        data = await records_of(request)
        if isinstance(data, Response):
            return data
        base = str(request.base_url).rstrip("/")
        entries = [insert(state, module, record,
                          lambda *a: changed(*a, base_url=base)) for record in data]
        return answered(entries, 201)

    async def update_many(request: Request) -> Response:
        module = request.path_params["module"]
        data = await records_of(request)
        if isinstance(data, Response):
            return data
        record_id = request.path_params.get("id")
        if record_id is not None and len(data) != 1:
            return failure(400, "INVALID_DATA", "one record for PUT /<module>/<id>")
        base = str(request.base_url).rstrip("/")
        entries = []
        for record in data:
            target = record_id or str(record.get("id") or "")
            if not target:
                entries.append(error("MANDATORY_NOT_FOUND", "required field not found",
                                     api_name="id"))
                continue
            entries.append(update(state, module, target, record,
                                  lambda *a: changed(*a, base_url=base)))
        return answered(entries, 200)

    async def upsert_records(request: Request) -> Response:
        module = request.path_params["module"]
        data = await records_of(request)
        if isinstance(data, Response):
            return data
        fields = request.state.body.get("duplicate_check_fields") or []
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            return failure(400, "INVALID_DATA", "duplicate_check_fields must be a list of "
                           "field API names", param_name="duplicate_check_fields")
        base = str(request.base_url).rstrip("/")
        entries = [upsert(state, module, record, fields,
                          lambda *a: changed(*a, base_url=base)) for record in data]
        return answered(entries, 200 if entries[0].get("action") == "update" else 201)

    async def list_notes(request: Request) -> Response:
        paged = paging(request)
        if isinstance(paged, Response):
            return paged
        parent = request.path_params["id"]
        return listing([n for n in state.notes.values()
                        if n["Parent_Id"]["id"] == parent], *paged)

    async def add_notes(request: Request) -> Response:
        module, parent = request.path_params["module"], request.path_params["id"]
        owner = state.records[module].get(parent)
        if owner is None:
            return failure(400, "INVALID_DATA", "the related id given seems to be invalid",
                           api_name="Parent_Id")
        data = await records_of(request)
        if isinstance(data, Response):
            return data
        entries = []
        for item in data:
            if not isinstance(item.get("Note_Content"), str) or not item["Note_Content"]:
                entries.append(error("MANDATORY_NOT_FOUND", "required field not found",
                                     api_name="Note_Content"))
                continue
            me, now = state.user_lookup(), now_text()
            note = {"id": state.next_id(), "Note_Title": item.get("Note_Title"),
                    "Note_Content": item["Note_Content"], "$se_module": module,
                    "Parent_Id": {"id": parent, "name": owner.get("Full_Name") or owner.get(
                        "Account_Name") or owner.get("Deal_Name")},
                    "Owner": me, "Created_Time": now, "Modified_Time": now,
                    "Created_By": {"id": me["id"], "name": me["name"]},
                    "Modified_By": {"id": me["id"], "name": me["name"]}}
            state.notes[note["id"]] = note
            entries.append({"code": "SUCCESS", "details": {k: note[k] for k in (
                "id", "Created_Time", "Modified_Time", "Created_By", "Modified_By")},
                "message": "record added", "status": "success"})
        return answered(entries, 201)

    async def fields(request: Request) -> Response:
        module = canonical_module(request.query_params.get("module", ""))
        if module not in state.fields:
            return failure(400, "INVALID_MODULE", "the module name given seems to be invalid",
                           param_name="module")
        return JSONResponse({"fields": state.fields[module]})

    async def users(request: Request) -> Response:
        kind = request.query_params.get("type", "AllUsers")
        rows = ([state.users[0]] if kind == "CurrentUser" else
                [u for u in state.users if kind != "ActiveUsers" or u["status"] == "active"])
        paged = paging(request)
        if isinstance(paged, Response):
            return paged
        page, per_page = paged
        chunk = rows[(page - 1) * per_page: page * per_page]
        if not chunk:
            return Response(status_code=204)
        return JSONResponse({"users": chunk, "info": {
            "page": page, "per_page": per_page, "count": len(chunk),
            "more_records": page * per_page < len(rows)}})

    async def add_users(request: Request) -> Response:
        body = _json(await request.body())
        items = body.get("users") if isinstance(body, dict) else None
        if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
            return failure(400, "INVALID_DATA", "the body must be {\"users\": [one user]}")
        item = items[0]
        if not item.get("email") or not item.get("last_name"):
            return JSONResponse({"users": [error("MANDATORY_NOT_FOUND", "required field not "
                                                 "found", api_name="email" if not item.get(
                                                     "email") else "last_name")]},
                                status_code=400)
        if any(u["email"].casefold() == str(item["email"]).casefold() for u in state.users):
            return JSONResponse({"users": [error("DUPLICATE_DATA", "the user already exists",
                                                 api_name="email")]}, status_code=400)
        user = {"id": state.next_id(), "first_name": item.get("first_name"),
                "last_name": item["last_name"], "email": item["email"], "status": "active",
                "full_name": " ".join(p for p in (item.get("first_name"), item["last_name"])
                                      if p),
                "role": item.get("role") or state.users[0]["role"],
                "profile": item.get("profile") or state.users[0]["profile"]}
        state.users.append(user)
        return JSONResponse({"users": [{"code": "SUCCESS", "details": {"id": user["id"]},
                                        "message": "User added", "status": "success"}]},
                            status_code=201)

    async def watch(request: Request) -> Response:
        body = _json(await request.body())
        items = body.get("watch") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return failure(400, "INVALID_DATA", "the body must be {\"watch\": [channels]}")
        base = str(request.base_url).rstrip("/")
        answers = []
        for item in items:
            answers.append(_enable(state, item, base))
        status = 200 if all(a["status"] == "success" for a in answers) else 400
        return JSONResponse({"watch": answers}, status_code=status)

    async def watched(request: Request) -> Response:
        live = [c for c in state.channels.values() if is_live(c)]
        if not live:
            return Response(status_code=204)
        return JSONResponse({"watch": live})

    async def unwatch(request: Request) -> Response:
        ids = [i for i in request.query_params.get("channel_ids", "").split(",") if i]
        if not ids:
            return failure(400, "REQUIRED_PARAM_MISSING", "channel_ids is missing",
                           param_name="channel_ids")
        answers = []
        for channel_id in ids:
            if state.channels.pop(channel_id, None) is None:
                answers.append(error("INVALID_DATA", "the channel id given seems to be "
                                     "invalid", api_name="channel_id"))
            else:
                answers.append({"code": "SUCCESS", "details": {"channel_id": channel_id},
                                "message": "Successfully unsubscribed from actions-watch",
                                "status": "success"})
        return JSONResponse({"watch": answers})

    module, record = "{module:str}", "{id:str}"
    routes = [
        Route(f"{API}/settings/fields", api(fields), methods=["GET"]),
        Route(f"{API}/users", api(users), methods=["GET"]),
        Route(f"{API}/users", api(add_users), methods=["POST"]),
        Route(f"{API}/actions/watch", api(watch), methods=["POST"]),
        Route(f"{API}/actions/watch", api(watched), methods=["GET"]),
        Route(f"{API}/actions/watch", api(unwatch), methods=["DELETE"]),
        Route(f"{API}/{module}/search", api(search, module=True), methods=["GET"]),
        Route(f"{API}/{module}/upsert", api(upsert_records, module=True), methods=["POST"]),
        Route(f"{API}/{module}/{record}/Notes", api(list_notes, module=True), methods=["GET"]),
        Route(f"{API}/{module}/{record}/Notes", api(add_notes, module=True), methods=["POST"]),
        Route(f"{API}/{module}/{record}", api(get_record, module=True), methods=["GET"]),
        Route(f"{API}/{module}/{record}", api(update_many, module=True), methods=["PUT"]),
        Route(f"{API}/{module}", api(list_records, module=True), methods=["GET"]),
        Route(f"{API}/{module}", api(create, module=True), methods=["POST"]),
        Route(f"{API}/{module}", api(update_many, module=True), methods=["PUT"]),
    ]
    return sandbox_app([*accounts.routes(), *routes, *page_routes(state),
                        *control_routes(state)], control)


def _enable(state: BiginState, item: Any, base_url: str) -> dict[str, Any]:
    """Start or replace one channel; its answer."""
    if not isinstance(item, dict):
        return error("INVALID_DATA", "invalid data", api_name="watch")
    for key in ("channel_id", "events", "notify_url", "channel_expiry"):
        if item.get(key) in (None, "", []):
            return error("MANDATORY_NOT_FOUND", "required field not found", api_name=key)
    if not str(item["channel_id"]).isdigit():
        return error("INVALID_DATA", "invalid data", api_name="channel_id",
                     expected_data_type="long")
    token = item.get("token")
    if token is not None and (not isinstance(token, str) or len(token) > 50):
        return error("INVALID_DATA", "the token must be at most 50 characters",
                     api_name="token")
    events = [str(e) for e in item["events"]]
    for event in events:
        name, _, operation = event.partition(".")
        if canonical_module(name) not in MODULES or operation not in ("create", "edit",
                                                                       "delete", "all"):
            return error("INVALID_DATA", f"invalid event {event}", api_name="events")
    channel = {"channel_id": str(item["channel_id"]), "events": events,
               "notify_url": str(item["notify_url"]), "token": token,
               "channel_expiry": str(item["channel_expiry"]),
               "channel_type": item.get("channel_type", "web")}
    try:
        is_live(channel)
    except ValueError:
        return error("INVALID_DATA", "invalid data", api_name="channel_expiry",
                     expected_data_type="datetime")
    state.channels[channel["channel_id"]] = channel
    return {"code": "SUCCESS", "details": {"events": [
        {"channel_expiry": channel["channel_expiry"], "resource_name": canonical_module(
            e.split(".")[0]), "resource_uri": f"{base_url}{API}/{canonical_module(e.split('.')[0])}",
         "channel_id": channel["channel_id"]} for e in events]},
        "message": "Successfully subscribed for actions-watch of the given module",
        "status": "success"}
