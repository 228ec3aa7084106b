"""Building a Ploomes sandbox app: the emulated account and the vendor-facing API.

Paths follow Ploomes: collections (``/Contacts``, ``/Deals@Pipelines``), one record in
OData key syntax (``/Deals(5)``), deal actions (``/Deals(5)/Win``, ``/Lose``,
``/Reopen``). Every call needs a ``User-Key`` header (401 otherwise), and each key may
make ``requests_per_minute`` calls a minute (429 beyond). A collection answer holds at
most ``page_size`` rows (300); one cut short carries an ``@odata.nextLink`` to the rest.
Errors use the OData body ``{"error": {"code": "", "message": ...}}``. The tables live in
``state``; webhooks that keep failing are turned off by ``deactivation``; the
Ploomes-specific ``/_sandbox/ploomes`` routes are in ``control``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pontes.plugin import SandboxControl, WindowLimiter, odata, sandbox_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import seed
from .control import control_routes
from .deactivation import Deactivation
from .notify import FULL, notify
from .reads import PAGE_SIZE, query_engine, type_name
from .schema import RESOURCES
from .state import Store
from .writes import (
    ApiError,
    write_contact,
    write_deal,
    write_interaction,
    write_user,
    write_webhook,
)

DEFAULT_REQUESTS_PER_MINUTE = 120

WRITERS: dict[str, Callable[..., dict[str, Any]]] = {
    "Contacts": write_contact,
    "Deals": write_deal,
    "InteractionRecords": write_interaction,
    "Users": write_user,
    "Webhooks": write_webhook,
}

DEAL_ACTIONS = {"Win": (2, 5), "Lose": (3, 6), "Reopen": (1, 7)}
"""Deal action -> (the ``StatusId`` it sets, the webhook ``ActionId`` it fires)."""

CREATE, UPDATE, DELETE = 1, 2, 3

_PATH = re.compile(r"^/(?P<entity>[A-Za-z]+(?:@[A-Za-z]+)?)"
                   r"(?:\((?P<key>[^)]*)\))?(?:/(?P<action>[A-Za-z]+))?$")


def error(status: int, message: str) -> JSONResponse:
    """An OData error answer."""
    return JSONResponse({"error": {"code": "", "message": message}}, status_code=status)


class PloomesSandbox:
    """One emulated Ploomes account: its tables, keys and settings, and the API over them."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
                 user_key: str = seed.SANDBOX_USER_KEY):
        self.store = Store(clock)
        self.page_size = PAGE_SIZE
        self.queries = query_engine(self.store)
        self.deactivation = Deactivation(self.store)
        self.requests_per_minute = requests_per_minute
        self.user_key = user_key
        self.limiter = WindowLimiter(requests_per_minute, 60.0)
        self.control = SandboxControl(self.reset)
        self.control.limiters.append(self.limiter)
        self.keys: dict[str, int] = {}
        self.webhook_shape = FULL
        self.reset()

    # --- state ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the seeded demo account with the settings it was built with."""
        self.store.clear()
        self.keys = {self.user_key: seed.ADMIN_ID}
        self.webhook_shape = FULL
        self.set_page_size(PAGE_SIZE)
        self.deactivation.reset()
        self.limiter.requests = self.requests_per_minute
        self.store.put("Account", {**seed.ACCOUNT, "CreateDate": self.store.now()})
        for path, rows in (("Deals@Pipelines", seed.PIPELINES), ("Deals@Stages", seed.STAGES),
                           ("Deals@LossReasons", seed.LOSS_REASONS), ("Fields", seed.FIELDS),
                           ("Webhooks@Actions", seed.WEBHOOK_ACTIONS)):
            for row in rows:
                self.store.put(path, row)
        for path, rows in (("Users", seed.USERS), ("Contacts", seed.COMPANIES),
                           ("Contacts", seed.PERSONS), ("Deals", seed.DEALS),
                           ("InteractionRecords", seed.INTERACTION_RECORDS)):
            for row in rows:
                self.insert(path, row)

    def insert(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store a record as the administrator, checked as the API checks it, without
        sending webhooks; a given ``Id`` is kept."""
        if not isinstance(body, dict):
            raise ApiError(400, f"a {path} record must be a JSON object")
        writer = WRITERS.get(path)
        if writer is None:
            unknown = set(body) - set(RESOURCES[path].fields)
            if unknown:
                raise ApiError(400, f"unknown {path} field(s): {', '.join(sorted(unknown))}")
            return self.store.put(path, body)
        given = {k: v for k, v in body.items() if k != "Id"}
        row = writer(self.store, given, None, seed.ADMIN_ID, body.get("Id"))
        return self.store.put(path, row)

    def set_page_size(self, rows: int) -> None:
        """Answer collections in pages of at most ``rows`` rows."""
        self.page_size = rows
        self.queries = query_engine(self.store, rows)

    # --- API -----------------------------------------------------------------------------

    def _context(self, request: Request, path: str, single: bool = False) -> str:
        return f"{request.base_url}$metadata#{path}" + ("/$entity" if single else "")

    def _envelope(self, request: Request, path: str, rows: list[dict[str, Any]]) -> JSONResponse:
        return JSONResponse({"@odata.context": self._context(request, path), "value": rows})

    async def api(self, request: Request) -> Response:
        """Every vendor call: authenticate, rate-limit, route."""
        key = request.headers.get("User-Key")
        actor = self.keys.get(key or "")
        if actor is None:
            return error(401, "Authorization has been denied for this request.")
        if self.limiter.hit(key or "") is not None:
            return error(429, "Too many requests: the limit per User-Key was exceeded.")
        match = _PATH.match(request.url.path)
        if match is None or match["entity"] not in RESOURCES:
            return error(404, f"No HTTP resource was found that matches the request URI "
                              f"'{request.url.path}'.")
        try:
            return await self._route(request, actor, match["entity"], match["key"],
                                     match["action"])
        except ApiError as exc:
            return error(exc.status, exc.message)
        except odata.ODataError as exc:
            return error(400, str(exc))

    async def _route(self, request: Request, actor: int, path: str, key: str | None,
                     action: str | None) -> Response:
        method = request.method
        if key is None and action is None:
            if method == "GET":
                query = self._query(request, path)
                rows, total = query.run(self.store.rows(path))
                body: dict[str, Any] = {"@odata.context": self._context(request, path)}
                if query.count:
                    body["@odata.count"] = total
                body["value"] = [query.shape(row) for row in rows]
                following = query.next_page(total)
                if following is not None:
                    body["@odata.nextLink"] = _next_link(request, *following)
                return JSONResponse(body)
            if method == "POST" and path in WRITERS:
                return await self._create(request, actor, path)
            raise ApiError(405, f"The requested resource does not support http method '{method}'.")
        record = self._record(path, key)
        if action is not None:
            if method == "POST" and path == "Deals" and action in DEAL_ACTIONS:
                return await self._deal_action(request, actor, record, action)
            raise ApiError(404, f"No action '{action}' on {path}.")
        if method == "GET":
            shaped = self._query(request, path).shape(record)
            return JSONResponse({"@odata.context": self._context(request, path, True), **shaped})
        if method == "PATCH" and path in WRITERS:
            return await self._update(request, actor, path, record)
        if method == "DELETE" and path in WRITERS:
            self.store.delete(path, record["Id"])
            self._notify(path, DELETE, actor, None, record)
            return Response(status_code=200)
        raise ApiError(405, f"The requested resource does not support http method '{method}'.")

    def _query(self, request: Request, path: str) -> odata.Query:
        return self.queries.parse(type_name(path), request.query_params)

    def _record(self, path: str, key: str | None) -> dict[str, Any]:
        text = (key or "").strip()
        if RESOURCES[path].key_field != "Id":
            if len(text) < 2 or text[0] != "'" or text[-1] != "'":
                raise ApiError(400, f"The key {key!r} is not valid for {path}: expected quoted text.")
            value: Any = text[1:-1].replace("''", "'")
        elif text.isdigit():
            value = int(text)
        else:
            raise ApiError(400, f"The key {key!r} is not valid for {path}: expected an integer.")
        record = self.store.get(path, value)
        if record is None:
            raise ApiError(404, f"{path}({key}) was not found.")
        return record

    async def _body(self, request: Request) -> Any:
        raw = await request.body()
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"The request body is not valid JSON: {exc.msg}.") from None

    def _answer(self, request: Request, path: str, row: dict[str, Any]) -> JSONResponse:
        shaped = self._query(request, path).shape(row)
        return self._envelope(request, path, [shaped])

    def _notify(self, path: str, action: int, actor: int, new: dict[str, Any] | None,
                old: dict[str, Any] | None) -> None:
        entity = RESOURCES[path].webhook_entity
        if entity is not None:
            notify(self.store, self.control.webhooks, self.webhook_shape, entity, action,
                   actor, new, old, self.deactivation.watch)

    async def _create(self, request: Request, actor: int, path: str) -> Response:
        row = self.store.put(path, WRITERS[path](self.store, await self._body(request), None, actor))
        self._notify(path, CREATE, actor, row, None)
        return self._answer(request, path, row)

    async def _update(self, request: Request, actor: int, path: str,
                      record: dict[str, Any]) -> Response:
        body = await self._body(request)
        old = json.loads(json.dumps(record))
        row = self.store.put(path, WRITERS[path](self.store, body, record, actor))
        self._notify(path, UPDATE, actor, row, old)
        return self._answer(request, path, row)

    async def _deal_action(self, request: Request, actor: int, record: dict[str, Any],
                           action: str) -> Response:
        body = await self._body(request)
        if not isinstance(body, dict):
            raise ApiError(400, f"The body of {action} must be a JSON object.")
        status, webhook_action = DEAL_ACTIONS[action]
        old = json.loads(json.dumps(record))
        row = dict(record)
        reason = body.get("LossReasonId") if action == "Lose" else None
        if reason is not None and self.store.get("Deals@LossReasons", reason) is None:
            raise ApiError(400, f"LossReasonId {reason} is not a loss reason of this account.")
        now = self.store.now()
        row.update(StatusId=status, LossReasonId=reason, LastUpdateDate=now, UpdaterId=actor,
                   FinishDate=None if action == "Reopen" else now)
        row = self.store.put("Deals", row)
        self._notify("Deals", webhook_action, actor, row, old)
        return self._answer(request, "Deals", row)

    def app(self) -> Starlette:
        """The Starlette app: the Ploomes control routes first, then every vendor path."""
        routes = [
            *control_routes(self),
            Route("/{path:path}", self.api, methods=["GET", "POST", "PATCH", "DELETE"]),
        ]
        return sandbox_app(routes, self.control)


def _next_link(request: Request, skip: int, top: int | None) -> str:
    """The URL of the rest of a collection answer: the same request from ``skip``, for
    ``top`` more rows when a ``$top`` was asked."""
    url = request.url.remove_query_params(["$skip", "$top"])
    following = {"$skip": str(skip)} if top is None else {"$top": str(top), "$skip": str(skip)}
    return str(url.include_query_params(**following))


def build_app(*, requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
              user_key: str = seed.SANDBOX_USER_KEY):
    """Ploomes API emulator with a demo account (users, pipelines, clients, a deal).

    A fresh sandbox app with the seeded demo account, limited like Ploomes (about 120
    calls a minute per key) unless told otherwise; its administrator's key is
    ``user_key``.
    """
    return PloomesSandbox(requests_per_minute=requests_per_minute, user_key=user_key).app()
