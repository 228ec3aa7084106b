"""``/oauth/<connection>/start`` and ``/oauth/<connection>/callback``.

Start redirects the browser to the vendor's authorize page with a signed, expiring state;
the callback checks the state, exchanges the code for tokens and stores them encrypted.
Every refusal is a small page with its reason and a 4xx status; no page shows a token.

A login started from a pontes page (a panel's "Login to <CRM>") names that page in
``next`` (a path on this server): start keeps it in a signed cookie bound to the
connection, and the callback sends the browser back there once the tokens are stored.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import VendorError
from ..web.signing import BadSignature, sign, unsign
from .session import OAuthSession
from .state import STATE_LIFETIME, BadState, check_state, make_state

NEXT_COOKIE = "pontes_oauth_next"
_NEXT_PURPOSE = "oauth-next"


def _page(title: str, message: str, status: int) -> HTMLResponse:
    body = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
            "</body></html>")
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _session(request: Request) -> OAuthSession | Response:
    name = request.path_params["connection"]
    connection = request.app.state.runtime.connections.get(name)
    if connection is None:
        return _page("Unknown connection", f"There is no connection named {name!r}.", 404)
    if connection.oauth is None:
        return _page("No OAuth", f"Connection {name!r} does not sign in with OAuth.", 404)
    return connection.oauth


async def start(request: Request) -> Response:
    """Redirect to the vendor's authorize page for this connection."""
    session = _session(request)
    if isinstance(session, Response):
        return session
    back = request.query_params.get("next")
    if back is not None and not _local_path(back):
        return _page("Bad next", "next must be a path on this server.", 400)
    key = request.app.state.key
    state = make_state(key, session.connection)
    response = RedirectResponse(session.authorize_url(state), status_code=302,
                                headers={"Cache-Control": "no-store"})
    if back is not None:
        response.set_cookie(NEXT_COOKIE, sign(key, _NEXT_PURPOSE, {
            "connection": session.connection, "next": back}, lifetime=STATE_LIFETIME),
            max_age=int(STATE_LIFETIME), path=f"/oauth/{session.connection}",
            httponly=True, samesite="lax")
    return response


def _local_path(value: str) -> bool:
    """Whether ``value`` is a path on this server (not another host's URL)."""
    return value.startswith("/") and not value.startswith("//") and "\\" not in value


def _return_to(request: Request, connection: str) -> str | None:
    """The page a login started from (see ``start``), when its cookie is good."""
    cookie = request.cookies.get(NEXT_COOKIE)
    if not cookie:
        return None
    try:
        data = unsign(request.app.state.key, _NEXT_PURPOSE, cookie)
    except BadSignature:
        return None
    back = data.get("next")
    if data.get("connection") != connection or not isinstance(back, str):
        return None
    return back if _local_path(back) else None


async def callback(request: Request) -> Response:
    """Check the state, exchange the code for tokens and store them."""
    session = _session(request)
    if isinstance(session, Response):
        return session
    query = request.query_params
    if query.get("error"):
        reason = " ".join(v for v in (query.get("error"), query.get("error_description")) if v)
        return _page("Login refused", f"The vendor refused the login: {reason}", 400)
    state, code = query.get("state"), query.get("code")
    if not state or not code:
        return _page("Bad callback", "The callback needs both code and state.", 400)
    try:
        check_state(request.app.state.key, session.connection, state)
    except BadState as exc:
        return _page("Bad state", str(exc), 400)
    try:
        await session.login(code)
    except VendorError as exc:
        return _page("Login failed", f"The vendor did not give tokens: {exc.message}", 400)
    back = _return_to(request, session.connection)
    if back is not None:
        response: Response = RedirectResponse(back, status_code=303,
                                              headers={"Cache-Control": "no-store"})
    else:
        response = _page("Logged in", f"Connection {session.connection!r} is logged in. "
                         "You can close this page.", 200)
    response.delete_cookie(NEXT_COOKIE, path=f"/oauth/{session.connection}")
    return response


routes = [
    Route("/oauth/{connection}/start", start, methods=["GET"]),
    Route("/oauth/{connection}/callback", callback, methods=["GET"]),
]
