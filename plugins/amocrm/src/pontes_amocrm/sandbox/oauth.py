"""The sandbox's OAuth: amoCRM's authorize page and token endpoint.

- ``GET /oauth?client_id=&state=&redirect_uri=``: a page that shows the account and an
  Allow button; with ``auto_approve`` it redirects at once, as if Allow were pressed;
- ``POST /oauth/allow``: sends the browser to ``redirect_uri`` with ``code``, ``state``
  and ``referer`` (the account's host);
- ``POST /oauth2/access_token`` (JSON): ``authorization_code`` or ``refresh_token``
  grants answer ``{token_type, expires_in, server_time, access_token, refresh_token}``;
  every refresh answers a new pair and spends the refresh token it was given;
- ``GET /_sandbox/integration/keys``: the private integration's "Keys and scopes" tab,
  where amoCRM shows an account administrator the integration ID and an authorization
  code to exchange instead of a redirect (``pontes oauth exchange``). Each visit shows a
  new code, good once and for 20 minutes, as every authorization code. The page's path is
  the sandbox's own; the secret key, which the vendor's tab also shows, is left out so
  that no page of the sandbox carries it.

Codes, from the redirect or the tab, live 20 minutes (a third-party figure in the vendor
notes) and are spent by their first exchange.
"""

from __future__ import annotations

import html
import json
import secrets
import time
from urllib.parse import urlencode

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .hal import problem
from .state import SUBDOMAIN, AmocrmState

CODE_LIFETIME = 20 * 60


def oauth_routes(state: AmocrmState, *, client_id: str, client_secret: str,
                 auto_approve: bool, access_lifetime: int) -> list[Route]:
    """The authorize page and the token endpoint (see the module docstring)."""

    def new_code() -> str:
        code = secrets.token_urlsafe(16)
        state.tokens.codes[code] = time.time() + CODE_LIFETIME
        return code

    def approve(request: Request, redirect_uri: str, oauth_state: str) -> Response:
        code = new_code()
        query = urlencode({"code": code, "state": oauth_state, "referer": request.url.netloc,
                           "client_id": client_id})
        return RedirectResponse(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}",
                                status_code=302)

    async def authorize(request: Request) -> Response:
        params = request.query_params
        if params.get("client_id") != client_id:
            return HTMLResponse("<h1>Unknown integration</h1>", status_code=400)
        redirect_uri, oauth_state = params.get("redirect_uri", ""), params.get("state", "")
        if auto_approve:
            return approve(request, redirect_uri, oauth_state)
        return HTMLResponse(
            "<!doctype html><title>amoCRM: allow access</title>"
            "<h1>Allow the integration access to your account?</h1>"
            "<form method=post action=/oauth/allow>"
            f"<label>Account <select name=account><option>{SUBDOMAIN}.amocrm.ru</option>"
            "</select></label>"
            f"<input type=hidden name=redirect_uri value=\"{html.escape(redirect_uri)}\">"
            f"<input type=hidden name=state value=\"{html.escape(oauth_state)}\">"
            "<button type=submit>Allow</button></form>")

    async def allow(request: Request) -> Response:
        form = await request.form()
        return approve(request, str(form.get("redirect_uri", "")), str(form.get("state", "")))

    async def keys(request: Request) -> Response:
        code = new_code()
        return HTMLResponse(
            "<!doctype html><title>amoCRM: Keys and scopes</title>"
            f"<h1>Keys and scopes</h1><p>Account <b>{SUBDOMAIN}.amocrm.ru</b></p><dl>"
            f"<dt>Integration ID</dt><dd id=client-id>{html.escape(client_id)}</dd>"
            f"<dt>Authorization code</dt><dd id=code>{code}</dd></dl>"
            f"<p>The code is valid for {CODE_LIFETIME // 60} minutes and can be used once.</p>",
            headers={"Cache-Control": "no-store"})

    async def token(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return problem(400, "Bad Request", "the body must be a JSON object")
        if body.get("client_id") != client_id or body.get("client_secret") != client_secret:
            return problem(401, "Unauthorized", "Client authentication failed")
        grant = body.get("grant_type")
        if grant == "authorization_code":
            expires = state.tokens.codes.pop(str(body.get("code")), 0)
            if expires < time.time():
                return problem(400, "Bad Request", "Authorization code has expired")
        elif grant == "refresh_token":
            if not state.tokens.spend(str(body.get("refresh_token"))):
                return problem(401, "Unauthorized", "Token has been revoked")
        else:
            return problem(400, "Bad Request", f"unsupported grant_type {grant!r}")
        return JSONResponse(state.tokens.issue(access_lifetime))

    return [
        Route("/oauth", authorize, methods=["GET"]),
        Route("/oauth/allow", allow, methods=["POST"]),
        Route("/oauth2/access_token", token, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/integration/keys", keys, methods=["GET"]),
    ]
