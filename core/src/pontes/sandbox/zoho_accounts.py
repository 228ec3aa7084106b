"""A sandbox of Zoho's accounts server (one data centre), for the sandboxes of Zoho products.

Zoho Desk, Bigin and every other Zoho product sign in at the accounts server of their data
centre, so their sandboxes mount this one (``ZohoAccounts.routes()``); the sandbox's
address stands for the data centre. Under ``prefix`` (``/accounts`` by default):

- ``GET /oauth/v2/auth?client_id=&redirect_uri=&state=&scope=&access_type=offline``: a
  page that asks to allow the client (``auto_approve`` redirects at once, as if allowed);
- ``POST /oauth/v2/auth/allow``: sends the browser to ``redirect_uri`` with ``code``,
  ``state``, ``location`` (the data centre) and ``accounts-server``;
- ``POST /oauth/v2/token`` (form body or query string): ``grant_type`` of
  ``authorization_code`` (a code is good once, for two minutes) or ``refresh_token``;
  answers ``{access_token, refresh_token (first grant only), scope, api_domain,
  token_type: "Bearer", expires_in: 3600}``. Refresh tokens do not rotate: one stays good
  until it is revoked. Refusals are Zoho's: HTTP 200 with ``{"error": "invalid_code"}``
  (an unknown, used or expired code or refresh token), ``invalid_client``,
  ``invalid_client_secret``, ``invalid_redirect_uri``, ``unsupported_grant_type``;
- ``POST /oauth/v2/token/revoke?token=<refresh token>``: revokes it.

Control routes, under ``/_sandbox/accounts``: ``POST expire`` (every access token
expires), ``POST revoke`` (every refresh token too), ``POST self-client`` (a refresh token
minted as Zoho's API console does for a "self client": ``{"refresh_token": ...}``),
``GET tokens`` (``{"issued", "refreshes", "live_refresh_tokens"}``).

``api_domain`` is the address the token answer names for the API; by default the
sandbox's own (the address the request came to).
"""

from __future__ import annotations

import html
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .control import CONTROL_PREFIX

ACCESS_LIFETIME = 3600
"""Zoho's access tokens last an hour."""
CODE_LIFETIME = 120
"""An authorization code is good for two minutes."""
TOKEN_SCHEME = "Zoho-oauthtoken"


@dataclass
class ZohoAccounts:
    """The clients, codes and tokens of one data centre's accounts server.

    ``client_id``/``client_secret`` is the one registered client, ``redirect_uris`` the
    addresses it may be sent back to (any when empty), ``data_centre`` the ``location`` it
    reports, ``api_domain`` the API address its token answers name (the sandbox's own when
    ``None``), ``clock`` the time (tests move it). ``self_client_tokens`` are refresh
    tokens made in the API console before the sandbox started (good again after a reset),
    ``standing_tokens`` access tokens it always accepts (a sandbox's fixed token, for
    demos and tests that do not exercise OAuth).
    """

    client_id: str
    client_secret: str
    data_centre: str = "com"
    auto_approve: bool = False
    redirect_uris: tuple[str, ...] = ()
    api_domain: str | None = None
    access_lifetime: int = ACCESS_LIFETIME
    clock: Callable[[], float] = time.time
    self_client_tokens: tuple[str, ...] = ()
    standing_tokens: tuple[str, ...] = ()
    codes: dict[str, tuple[float, str]] = field(default_factory=dict)
    access_tokens: dict[str, float] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    issued: int = 0
    refreshes: int = 0

    def __post_init__(self) -> None:
        self.refresh_tokens.update(self.self_client_tokens)

    def reset(self) -> None:
        """Forget every code and token but the self client's refresh tokens."""
        self.codes.clear()
        self.access_tokens.clear()
        self.refresh_tokens = set(self.self_client_tokens)
        self.issued = self.refreshes = 0

    # --- tokens ---------------------------------------------------------------------------

    def mint_refresh_token(self) -> str:
        """A new refresh token, good until revoked (a self client's, or a login's)."""
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.refresh_tokens.add(token)
        return token

    def _access_token(self) -> str:
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        self.access_tokens[token] = self.clock() + self.access_lifetime
        self.issued += 1
        return token

    def valid(self, access_token: str) -> bool:
        """Whether ``access_token`` is a standing one, or was issued here and has not
        expired."""
        if access_token in self.standing_tokens:
            return True
        expires = self.access_tokens.get(access_token)
        return expires is not None and expires > self.clock()

    def authorized(self, request: Request) -> bool:
        """Whether ``request`` carries ``Authorization: Zoho-oauthtoken <valid token>``."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme == TOKEN_SCHEME and self.valid(token)

    def expire(self) -> None:
        """Every access token expires now."""
        for token in self.access_tokens:
            self.access_tokens[token] = 0.0

    def revoke(self) -> None:
        """Every refresh token (and access token) is revoked."""
        self.refresh_tokens.clear()
        self.expire()

    # --- the routes -----------------------------------------------------------------------

    def routes(self, prefix: str = "/accounts") -> list[BaseRoute]:
        """The accounts server under ``prefix`` and its control routes (module docstring)."""
        return [
            Route(f"{prefix}/oauth/v2/auth", self._authorize, methods=["GET"]),
            Route(f"{prefix}/oauth/v2/auth/allow", self._allow, methods=["POST"]),
            Route(f"{prefix}/oauth/v2/token", self._token, methods=["POST"]),
            Route(f"{prefix}/oauth/v2/token/revoke", self._revoke_one, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/accounts/expire", self._control_expire, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/accounts/revoke", self._control_revoke, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/accounts/self-client", self._self_client,
                  methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/accounts/tokens", self._stats, methods=["GET"]),
        ]

    def _redirect_allowed(self, redirect_uri: str) -> bool:
        return bool(redirect_uri) and (not self.redirect_uris
                                       or redirect_uri in self.redirect_uris)

    def _approve(self, request: Request, redirect_uri: str, state: str) -> Response:
        code = f"1000.{secrets.token_hex(16)}"
        self.codes[code] = (self.clock() + CODE_LIFETIME, redirect_uri)
        query = urlencode({"code": code, "state": state, "location": self.data_centre,
                           "accounts-server": str(request.base_url).rstrip("/")})
        joiner = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{joiner}{query}", status_code=302)

    async def _authorize(self, request: Request) -> Response:
        params = request.query_params
        if params.get("client_id") != self.client_id:
            return HTMLResponse("<h1>Invalid Client</h1><p>invalid_client</p>", status_code=400)
        redirect_uri, state = params.get("redirect_uri", ""), params.get("state", "")
        if not self._redirect_allowed(redirect_uri):
            return HTMLResponse("<h1>Invalid Redirect Uri</h1><p>invalid_redirect_uri</p>",
                                status_code=400)
        if self.auto_approve:
            return self._approve(request, redirect_uri, state)
        action = request.url.path + "/allow"
        return HTMLResponse(
            "<!doctype html><title>Zoho Accounts: allow access</title>"
            "<h1>Allow the application to access your Zoho account?</h1>"
            f"<p>Scopes: {html.escape(params.get('scope', ''))}</p>"
            f"<form method=post action=\"{html.escape(action)}\">"
            f"<input type=hidden name=redirect_uri value=\"{html.escape(redirect_uri)}\">"
            f"<input type=hidden name=state value=\"{html.escape(state)}\">"
            "<button type=submit>Accept</button></form>")

    async def _allow(self, request: Request) -> Response:
        form = await request.form()
        redirect_uri = str(form.get("redirect_uri", ""))
        if not self._redirect_allowed(redirect_uri):
            return HTMLResponse("<h1>Invalid Redirect Uri</h1>", status_code=400)
        return self._approve(request, redirect_uri, str(form.get("state", "")))

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        values: dict[str, str] = {**request.query_params, **{k: str(v) for k, v in form.items()}}
        refusal = self._client_refusal(values)
        if refusal:
            return _error(refusal)
        grant = values.get("grant_type")
        if grant == "authorization_code":
            code = self.codes.pop(values.get("code", ""), None)
            if code is None or code[0] < self.clock():
                return _error("invalid_code")
            if values.get("redirect_uri") != code[1]:
                return _error("invalid_redirect_uri")
            refresh = self.mint_refresh_token()
            return JSONResponse(self._answer(request, refresh_token=refresh))
        if grant == "refresh_token":
            if values.get("refresh_token") not in self.refresh_tokens:
                return _error("invalid_code")
            self.refreshes += 1
            return JSONResponse(self._answer(request))
        return _error("unsupported_grant_type")

    def _client_refusal(self, values: Mapping[str, str]) -> str | None:
        if values.get("client_id") != self.client_id:
            return "invalid_client"
        if values.get("client_secret") != self.client_secret:
            return "invalid_client_secret"
        return None

    def _answer(self, request: Request, refresh_token: str | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "access_token": self._access_token(),
            "scope": "",
            "api_domain": self.api_domain or str(request.base_url).rstrip("/"),
            "token_type": "Bearer",
            "expires_in": self.access_lifetime,
        }
        if refresh_token:
            answer["refresh_token"] = refresh_token
        return answer

    async def _revoke_one(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        self.refresh_tokens.discard(token)
        return JSONResponse({"status": "success"})

    async def _control_expire(self, request: Request) -> Response:
        self.expire()
        return JSONResponse({"expired": True})

    async def _control_revoke(self, request: Request) -> Response:
        self.revoke()
        return JSONResponse({"revoked": True})

    async def _self_client(self, request: Request) -> Response:
        return JSONResponse({"refresh_token": self.mint_refresh_token()})

    async def _stats(self, request: Request) -> Response:
        return JSONResponse({"issued": self.issued, "refreshes": self.refreshes,
                             "live_refresh_tokens": len(self.refresh_tokens)})


def _error(code: str) -> JSONResponse:
    """Zoho's accounts server refuses with a 200 and ``{"error": code}``."""
    return JSONResponse({"error": code})
