"""``/oauth/<connection>/start`` and ``/oauth/<connection>/callback``.

Start redirects the browser to the vendor's authorize page with a signed, expiring state;
the callback checks the state, exchanges the code for tokens and stores them encrypted.
Every refusal is a small page with its reason and a 4xx status; no page shows a token.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import VendorError
from .session import OAuthSession
from .state import BadState, check_state, make_state


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
    state = make_state(request.app.state.key, session.connection)
    return RedirectResponse(session.authorize_url(state), status_code=302,
                            headers={"Cache-Control": "no-store"})


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
    return _page("Logged in", f"Connection {session.connection!r} is logged in. "
                 "You can close this page.", 200)


routes = [
    Route("/oauth/{connection}/start", start, methods=["GET"]),
    Route("/oauth/{connection}/callback", callback, methods=["GET"]),
]
