"""The admin pages under ``/admin``: HTML over the same services as the JSON API.

Every page reads without JavaScript; htmx (from the web base) only refreshes lists while
events are pending and shows mapping previews in place. Every page but the sign-in needs
a session (``pontes.admin.session``); every post carries the session's CSRF token.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import yaml
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import PontesError
from ..store import EVENT_STATUSES
from ..web.csrf import CsrfRejected, check_csrf, checked_form, csrf_token
from ..web.templating import page
from . import connections, dead_letters, events, integrations, mappings, overview, plugins
from .context import AdminContext
from .models import DeadQuery, EventQuery, MappingCheck
from .session import SIGN_IN_BINDING, Session, SessionKeeper

PREFIX = "/admin"
PAGE_SIZE = 50
NAV = (("overview", "Overview"), ("events", "Events"), ("dead-letters", "Dead letters"),
       ("integrations", "Integrations"), ("connections", "Connections"),
       ("mappings", "Mappings"), ("plugins", "Plugins"))
PageHandler = Callable[[Request, AdminContext, Session], Awaitable[Response]]
HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
           "Content-Security-Policy": "frame-ancestors 'none'"}
"""Admin pages are never cached, and never shown inside another site's frame (where a
click could be tricked out of a signed-in operator)."""


def keeper(request: Request) -> SessionKeeper:
    """The server's session keeper (made on first use)."""
    state = request.app.state
    if getattr(state, "admin_sessions", None) is None:
        state.admin_sessions = SessionKeeper(
            state.key, state.settings.admin_token,
            secure=state.runtime.config.public_url.startswith("https://"), store=state.store)
    return state.admin_sessions


def when(value: datetime | None) -> str:
    """A time as people read it, in UTC."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def render(request: Request, template: str, session: Session | None, *, status: int = 200,
           **context: Any) -> Response:
    """An admin page, with the navigation, the CSRF token and the helpers templates use."""
    values = {"csrf_token": session.csrf if session else None, "session": session,
              "nav": NAV if session else (), "when": when, "prefix": PREFIX, "current": None,
              "notice": request.query_params.get("notice"), **context}
    return page(f"admin/{template}", status_code=status, headers=HEADERS, **values)


def signed_in(handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
    """Send a request without a session to the sign-in page."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        session = await keeper(request).session(request)
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"{PREFIX}/sign-in?{urlencode({'next': target})}", 303)
        return await handler(request, AdminContext.of(request), session)

    return guarded


async def form_of(request: Request, session: Session) -> dict[str, str]:
    """The posted form, after its CSRF check (``CsrfRejected`` when it fails)."""
    form = await checked_form(request, request.app.state.key, session.id)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def back(path: str, notice: str | None = None, **query: str) -> RedirectResponse:
    """A 303 to ``path`` (after a post), with a notice to show there."""
    params = {k: v for k, v in {**query, "notice": notice}.items() if v}
    return RedirectResponse(f"{PREFIX}/{path}" + (f"?{urlencode(params)}" if params else ""),
                            303)


def posting(handler: Callable[[Request, AdminContext, Session, dict[str, str]],
                              Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A signed-in form post: the CSRF check first, a 403 page when it fails."""

    @signed_in
    @functools.wraps(handler)
    async def checked(request: Request, admin: AdminContext, session: Session) -> Response:
        try:
            form = await form_of(request, session)
        except CsrfRejected as exc:
            return render(request, "error.html", session, status=403, message=str(exc))
        return await handler(request, admin, session, form)

    return checked


# --- signing in and out -------------------------------------------------------------------


async def home(request: Request) -> Response:
    """``/admin``: on to the overview (which sends a visitor without a session to the
    sign-in page)."""
    return RedirectResponse(f"{PREFIX}/overview", 303)


def _safe_next(value: str | None) -> str:
    if value and value.startswith(f"{PREFIX}/") and not value.startswith("//"):
        return value
    return f"{PREFIX}/overview"


async def sign_in_page(request: Request) -> Response:
    """The sign-in form."""
    return _sign_in_form(request, None, _safe_next(request.query_params.get("next")))


async def sign_in(request: Request) -> Response:
    """Check the admin token; on success set the session cookie and go on."""
    form = await request.form()
    sessions = keeper(request)
    target = _safe_next(str(form.get("next") or ""))
    try:
        check_csrf(request.app.state.key, SIGN_IN_BINDING, str(form.get("csrf_token") or ""))
    except CsrfRejected as exc:
        return _sign_in_form(request, str(exc), target)
    address = request.client.host if request.client else "unknown"
    cookie = await sessions.sign_in(address, str(form.get("token") or ""))
    if cookie is None:
        return _sign_in_form(request, "That is not the admin token.", target)
    response = RedirectResponse(target, 303)
    sessions.set_cookie(response, cookie)
    return response


def _sign_in_form(request: Request, error: str | None, target: str) -> Response:
    notice = "You are signed out." if request.query_params.get("signed_out") else None
    return render(request, "sign_in.html", None, status=401 if error else 200, error=error,
                  next=target, notice=notice,
                  csrf_token=csrf_token(request.app.state.key, SIGN_IN_BINDING),
                  enabled=bool(request.app.state.settings.admin_token))


@posting
async def sign_out(request: Request, admin: AdminContext, session: Session,
                   form: dict[str, str]) -> Response:
    """End the session and clear the cookie."""
    sessions = keeper(request)
    await sessions.sign_out(session)
    response = RedirectResponse(f"{PREFIX}/sign-in?{urlencode({'signed_out': '1'})}", 303)
    sessions.clear_cookie(response)
    return response


# --- pages --------------------------------------------------------------------------------


@signed_in
async def overview_page(request: Request, admin: AdminContext, session: Session) -> Response:
    """Each integration's last 24 hours, queue and connections."""
    return render(request, "overview.html", session, current="overview",
                  entries=await overview.overview(admin))


def _aware(value: str | None) -> str | None:
    """A ``datetime-local`` value (no zone) read as UTC; other values as they are."""
    if not value:
        return None
    if len(value) <= 19 and "+" not in value and not value.endswith("Z"):
        return value + "Z"
    return value


@signed_in
async def events_page(request: Request, admin: AdminContext, session: Session) -> Response:
    """Events, filtered and paged; the list refreshes itself while any is pending."""
    given = {k: v for k, v in request.query_params.items() if v and k != "notice"}
    raw = {**given, "since": _aware(given.get("since")), "until": _aware(given.get("until")),
           "limit": str(PAGE_SIZE)}
    error = None
    try:
        query = EventQuery.model_validate({k: v for k, v in raw.items() if v is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        error = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        query = EventQuery(limit=PAGE_SIZE)
    found = await events.list_events(admin, query)
    older = None
    if len(found) == PAGE_SIZE:
        older = urlencode({**{k: v for k, v in given.items() if k != "before"},
                           "before": str(found[-1].id)})
    pending = any(e.status in ("received", "running") for e in found)
    return render(request, "events.html", session, current="events", events=found,
                  filters=given, error=error, older=older, pending=pending,
                  statuses=EVENT_STATUSES, integrations=list(admin.runtime.integrations),
                  self_url=str(request.url.path) + (f"?{request.url.query}"
                                                    if request.url.query else ""))


@signed_in
async def event_page(request: Request, admin: AdminContext, session: Session) -> Response:
    """One event in full, with its replay button."""
    found = await events.event_page(admin, request.path_params["event_id"])
    if found is None:
        return render(request, "error.html", session, status=404, message="No such event.")
    return render(request, "event.html", session, current="events", page=found,
                  event=found.detail, pending=found.detail.status in ("received", "running"),
                  replayable=found.detail.status in ("dead", "succeeded"),
                  pretty=_pretty)


@signed_in
async def record_page(request: Request, admin: AdminContext, session: Session) -> Response:
    """The canonical record of an event, loaded from the vendor now (htmx swaps it into
    the event's page; without JavaScript it is a page of its own)."""
    event_id = request.path_params["event_id"]
    loaded = await events.canonical_record(admin, event_id)
    if loaded is None:
        return render(request, "error.html", session, status=404,
                      message="No such event, or nothing was parsed from it.")
    template = "record.html" if request.headers.get("hx-request") else "record_page.html"
    return render(request, template, session, current="events", loaded=loaded,
                  event_id=event_id, pretty=_pretty)


def _pretty(value: Any) -> str:
    import json

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@posting
async def replay_event(request: Request, admin: AdminContext, session: Session,
                       form: dict[str, str]) -> Response:
    """Replay one event and go back to it."""
    event_id = request.path_params["event_id"]
    try:
        await events.replay(admin, event_id)
    except events.ReplayRefused as refused:
        return back(f"events/{event_id}", str(refused))
    return back(f"events/{event_id}", "Queued to run again.")


@signed_in
async def dead_letters_page(request: Request, admin: AdminContext,
                            session: Session) -> Response:
    """Dead events grouped by the error they died of."""
    integration = request.query_params.get("integration") or None
    groups = await dead_letters.dead_groups(admin, DeadQuery(integration=integration))
    return render(request, "dead_letters.html", session, current="dead-letters", groups=groups,
                  integration=integration, integrations=list(admin.runtime.integrations))


@posting
async def replay_dead(request: Request, admin: AdminContext, session: Session,
                      form: dict[str, str]) -> Response:
    """Replay every dead event matching the posted integration and reason."""
    query = DeadQuery(integration=form.get("integration") or None,
                      reason=form.get("reason") if "reason" in form else None)
    done = await dead_letters.replay_dead(admin, query)
    return back("dead-letters", f"{done.queued} event(s) queued to run again.")


@signed_in
async def integrations_page(request: Request, admin: AdminContext,
                            session: Session) -> Response:
    """Webhook URLs with copy buttons, pollers and activation."""
    return render(request, "integrations.html", session, current="integrations",
                  entries=integrations.integration_entries(admin), activation=None,
                  doing=None)


@posting
async def activate(request: Request, admin: AdminContext, session: Session,
                   form: dict[str, str]) -> Response:
    """Activate an integration and show the steps done and left to do."""
    return await _set_up(request, admin, session, integrations.activate, "Activating")


@posting
async def deactivate(request: Request, admin: AdminContext, session: Session,
                     form: dict[str, str]) -> Response:
    """Take an integration's webhooks back and show the steps done and left to do."""
    return await _set_up(request, admin, session, integrations.deactivate, "Deactivating")


async def _set_up(request: Request, admin: AdminContext, session: Session, action,
                  doing: str) -> Response:
    name = request.path_params["name"]
    try:
        done = await action(admin, name)
    except integrations.UnknownIntegration:
        return render(request, "error.html", session, status=404,
                      message=f"No integration {name!r}.")
    except PontesError as exc:  # a vendor refusing: shown to the operator, not a 500
        return back("integrations", f"{doing} {name} failed: {exc}")
    return render(request, "integrations.html", session, current="integrations",
                  entries=integrations.integration_entries(admin), activation=done,
                  doing=doing)


@signed_in
async def connections_page(request: Request, admin: AdminContext,
                           session: Session) -> Response:
    """Connections with their OAuth status and a credentials check."""
    return render(request, "connections.html", session, current="connections",
                  entries=await connections.connection_entries(admin), checked=None)


@posting
async def check_connection(request: Request, admin: AdminContext, session: Session,
                           form: dict[str, str]) -> Response:
    """Check one connection's credentials and show the outcome."""
    try:
        checked = await connections.check(admin, request.path_params["name"])
    except connections.UnknownConnection:
        return render(request, "error.html", session, status=404, message="No such connection.")
    return render(request, "connections.html", session, current="connections",
                  entries=await connections.connection_entries(admin), checked=checked)


@signed_in
async def mappings_index(request: Request, admin: AdminContext, session: Session) -> Response:
    """The integrations whose mappings can be edited."""
    entries = {name: list(i.recipe.mappings) for name, i in admin.runtime.integrations.items()}
    return render(request, "mappings_index.html", session, current="mappings", entries=entries)


@signed_in
async def mappings_page(request: Request, admin: AdminContext, session: Session) -> Response:
    """Every slot of one integration, each with its editor."""
    return await _mappings(request, admin, session)


async def _mappings(request: Request, admin: AdminContext, session: Session, *,
                    edited: dict[str, str] | None = None,
                    checks: dict[str, MappingCheck] | None = None,
                    status: int = 200) -> Response:
    name = request.path_params["name"]
    try:
        slots = await mappings.slots(admin, name)
    except mappings.UnknownSlot:
        return render(request, "error.html", session, status=404,
                      message=f"No integration {name!r}.")
    texts = {slot.slot: rules_text(slot.rules) for slot in slots}
    texts.update(edited or {})
    return render(request, "mappings.html", session, status=status, current="mappings",
                  integration=name, slots=slots, texts=texts, checks=checks or {},
                  rules_text=rules_text)


def rules_text(rules: dict[str, Any] | None) -> str:
    """Rules as the YAML the editor shows (and the config file takes)."""
    if not rules:
        return ""
    return yaml.safe_dump(rules, sort_keys=False, allow_unicode=True, default_flow_style=False)


def parse_rules(text: str) -> dict[str, Any] | MappingCheck:
    """The YAML of the editor as rules, or a check answer saying why it is not."""
    try:
        rules = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        return MappingCheck(ok=False, error=f"not valid YAML: {exc}")
    if not isinstance(rules, dict):
        return MappingCheck(ok=False, error="write one 'target field: source' per line")
    return {str(k): v for k, v in rules.items()}


def _edited(request: Request,
            form: dict[str, str]) -> tuple[str, str, dict[str, Any] | MappingCheck]:
    """The slot being edited, the editor's text, and its rules (or why they are not)."""
    slot = request.path_params["slot"]
    text = form.get("rules", "")
    return slot, text, parse_rules(text)


@posting
async def preview_mapping(request: Request, admin: AdminContext, session: Session,
                          form: dict[str, str]) -> Response:
    """Validate the edited rules and preview them on the newest event (htmx swaps in the
    result alone; without JavaScript the whole page comes back with it)."""
    slot, text, rules = _edited(request, form)
    name = request.path_params["name"]
    try:
        checked = rules if isinstance(rules, MappingCheck) else \
            await mappings.check(admin, name, slot, rules)
    except mappings.UnknownSlot:
        return render(request, "error.html", session, status=404, message="No such mapping.")
    if request.headers.get("hx-request"):
        return render(request, "mapping_check.html", session, check=checked, slot=slot)
    return await _mappings(request, admin, session, edited={slot: text},
                           checks={slot: checked})


@posting
async def save_mapping(request: Request, admin: AdminContext, session: Session,
                       form: dict[str, str]) -> Response:
    """Save the edited rules as a new version, or show why they cannot be saved."""
    slot, text, rules = _edited(request, form)
    name = request.path_params["name"]
    if isinstance(rules, MappingCheck):
        return await _mappings(request, admin, session, edited={slot: text},
                               checks={slot: rules}, status=400)
    try:
        saved = await mappings.save(admin, name, slot, rules)
    except mappings.UnknownSlot:
        return render(request, "error.html", session, status=404, message="No such mapping.")
    except mappings.InvalidMapping as invalid:
        return await _mappings(request, admin, session, edited={slot: text},
                               checks={slot: invalid.check}, status=400)
    return back(f"integrations/{name}/mappings", f"{slot}: version {saved.version} saved "
                                                  "and in force.")


@posting
async def rollback_mapping(request: Request, admin: AdminContext, session: Session,
                           form: dict[str, str]) -> Response:
    """Put a saved version (or the config file's mapping) back in force."""
    name, slot = request.path_params["name"], request.path_params["slot"]
    try:
        version = int(form.get("version", ""))
        entry = await mappings.rollback(admin, name, slot, version)
    except (ValueError, mappings.UnknownSlot):
        return render(request, "error.html", session, status=404, message="No such version.")
    source = "the config file" if entry.version is None else f"version {entry.version}"
    return back(f"integrations/{name}/mappings", f"{slot}: {source} is in force again.")


@signed_in
async def plugins_page(request: Request, admin: AdminContext, session: Session) -> Response:
    """Loaded and failed plugins, and the connections that fit each recipe's roles."""
    return render(request, "plugins.html", session, current="plugins",
                  found=plugins.plugins_page(admin))


async def api_docs(request: Request) -> Response:
    """The admin API's reference, rendered from its OpenAPI document."""
    return render(request, "api_docs.html", None, document=request.app.state.admin_openapi,
                  pretty=_pretty)


routes = [
    Route(PREFIX, home, methods=["GET"]),
    Route(f"{PREFIX}/sign-in", sign_in_page, methods=["GET"]),
    Route(f"{PREFIX}/sign-in", sign_in, methods=["POST"]),
    Route(f"{PREFIX}/sign-out", sign_out, methods=["POST"]),
    Route(f"{PREFIX}/overview", overview_page, methods=["GET"]),
    Route(f"{PREFIX}/events", events_page, methods=["GET"]),
    Route(f"{PREFIX}/events/{{event_id:int}}", event_page, methods=["GET"]),
    Route(f"{PREFIX}/events/{{event_id:int}}/replay", replay_event, methods=["POST"]),
    Route(f"{PREFIX}/events/{{event_id:int}}/record", record_page, methods=["GET"]),
    Route(f"{PREFIX}/dead-letters", dead_letters_page, methods=["GET"]),
    Route(f"{PREFIX}/dead-letters/replay", replay_dead, methods=["POST"]),
    Route(f"{PREFIX}/integrations", integrations_page, methods=["GET"]),
    Route(f"{PREFIX}/integrations/{{name}}/activate", activate, methods=["POST"]),
    Route(f"{PREFIX}/integrations/{{name}}/deactivate", deactivate, methods=["POST"]),
    Route(f"{PREFIX}/connections", connections_page, methods=["GET"]),
    Route(f"{PREFIX}/connections/{{name}}/check", check_connection, methods=["POST"]),
    Route(f"{PREFIX}/mappings", mappings_index, methods=["GET"]),
    Route(f"{PREFIX}/integrations/{{name}}/mappings", mappings_page, methods=["GET"]),
    Route(f"{PREFIX}/integrations/{{name}}/mappings/{{slot}}/preview", preview_mapping,
          methods=["POST"]),
    Route(f"{PREFIX}/integrations/{{name}}/mappings/{{slot}}", save_mapping, methods=["POST"]),
    Route(f"{PREFIX}/integrations/{{name}}/mappings/{{slot}}/rollback", rollback_mapping,
          methods=["POST"]),
    Route(f"{PREFIX}/plugins", plugins_page, methods=["GET"]),
    Route(f"{PREFIX}/api/docs", api_docs, methods=["GET"]),
]
