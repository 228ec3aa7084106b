"""A generic OAuth2 vendor for core's tests, served over loopback like any sandbox.

- ``GET /authorize``: with ``auto_approve`` (the default) it sends the browser straight
  back to ``redirect_uri`` with a code and the ``state``; otherwise it shows the client
  and an Allow button (``POST /authorize``), or ``error=access_denied`` when denied;
- ``POST /token`` (form or JSON body): ``authorization_code`` (codes are single-use and
  bound to their ``redirect_uri``) and ``refresh_token`` grants. Every refresh answers a
  new refresh token and spends the old one (unless ``rotate`` is off: then the answer has
  none and the old one stays good); a spent, revoked or unknown refresh token gets
  ``400 {"error": "invalid_grant"}``. Access tokens last ``expires_in`` seconds; answers
  carry an ``api_domain``;
- ``GET /api/me`` and ``POST /api/notes``: need ``Authorization: Bearer <access token>``
  that is live (401 ``invalid_token`` otherwise); ``GET /api/echo-error`` answers 422 with
  the ``Authorization`` header in its message, as careless vendors do;
- ``/_control``: ``POST expire`` (every access token stops working, as when a vendor
  ends them early), ``POST revoke`` (every token stops working), ``POST settings``
  (``expires_in``, ``refresh_delay``: seconds the token endpoint takes to answer a
  refresh, ``rotate``, ``refresh_fault``: a status a refresh is answered with after it
  was made, as when the answer is lost), ``GET stats`` (how many refreshes were made, how many spent refresh tokens
  were sent again, the notes).
"""

from __future__ import annotations

import asyncio
import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

CLIENT_ID = "pontes-test-client"
CLIENT_SECRET = "test-client-secret-8c1d"


@dataclass
class VendorState:
    """The vendor's tokens and counters."""

    auto_approve: bool = True
    expires_in: int = 3600
    refresh_delay: float = 0.0
    rotate: bool = True
    refresh_fault: int = 0
    codes: dict[str, str] = field(default_factory=dict)  # code -> redirect_uri
    access: dict[str, float] = field(default_factory=dict)  # token -> expires at
    refresh: set[str] = field(default_factory=set)
    spent: set[str] = field(default_factory=set)
    refreshes: int = 0
    reused: int = 0
    notes: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, *, with_refresh: bool = True) -> dict[str, Any]:
        access = secrets.token_urlsafe(24)
        self.access[access] = time.time() + self.expires_in
        answer = {"token_type": "Bearer", "access_token": access,
                  "expires_in": self.expires_in, "api_domain": "https://api.gate.test"}
        if with_refresh:
            answer["refresh_token"] = secrets.token_urlsafe(24)
            self.refresh.add(answer["refresh_token"])
        return answer


def build_app(*, auto_approve: bool = True) -> Starlette:
    """The vendor, with fresh state."""
    state = VendorState(auto_approve=auto_approve)

    def back(redirect_uri: str, **params: str) -> RedirectResponse:
        joiner = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{joiner}{urlencode(params)}", status_code=302)

    async def authorize(request: Request):
        query = request.query_params
        if query.get("client_id") != CLIENT_ID:
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        if state.auto_approve:
            code = secrets.token_urlsafe(12)
            state.codes[code] = query["redirect_uri"]
            return back(query["redirect_uri"], code=code, state=query.get("state", ""))
        fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in query.items())
        return HTMLResponse(f"<h1>Allow {html.escape(CLIENT_ID)}?</h1><form method=post>"
                            f"{fields}<button name=decision value=allow>Allow</button>"
                            "<button name=decision value=deny>Deny</button></form>")

    async def decide(request: Request):
        form = await request.form()
        if form.get("decision") != "allow":
            return back(str(form["redirect_uri"]), error="access_denied",
                        error_description="the user denied access", state=str(form["state"]))
        code = secrets.token_urlsafe(12)
        state.codes[code] = str(form["redirect_uri"])
        return back(str(form["redirect_uri"]), code=code, state=str(form["state"]))

    async def token(request: Request):
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
        else:
            body = dict(await request.form())
        if body.get("client_id") != CLIENT_ID or body.get("client_secret") != CLIENT_SECRET:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = body.get("grant_type")
        if grant == "authorization_code":
            redirect_uri = state.codes.pop(str(body.get("code")), None)
            if redirect_uri is None or redirect_uri != body.get("redirect_uri"):
                return JSONResponse({"error": "invalid_grant",
                                     "error_description": "unknown or used code"},
                                    status_code=400)
            return JSONResponse(state.issue())
        if grant == "refresh_token":
            given = str(body.get("refresh_token"))
            with state.lock:
                if given in state.spent:
                    state.reused += 1
                if given not in state.refresh:
                    return JSONResponse({"error": "invalid_grant",
                                         "error_description": "refresh token is not valid"},
                                        status_code=400)
                if state.rotate:
                    state.refresh.discard(given)
                    state.spent.add(given)
                state.refreshes += 1
                answer = state.issue(with_refresh=state.rotate)
            if state.refresh_delay:
                await asyncio.sleep(state.refresh_delay)
            if state.refresh_fault:
                return JSONResponse({"error": "server_error"}, status_code=state.refresh_fault)
            return JSONResponse(answer)
        return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)

    def authorised(request: Request) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and state.access.get(value, 0) > time.time()

    def refused() -> JSONResponse:
        return JSONResponse({"error": "invalid_token"}, status_code=401)

    async def me(request: Request):
        if not authorised(request):
            return refused()
        return JSONResponse({"client_id": CLIENT_ID})

    async def add_note(request: Request):
        if not authorised(request):
            return refused()
        note = {"id": len(state.notes) + 1, **(await request.json())}
        state.notes.append(note)
        return JSONResponse(note, status_code=201)

    async def echo_error(request: Request):
        return JSONResponse({"message": f"cannot use {request.headers.get('authorization')}"},
                            status_code=422)

    async def expire(_request: Request):
        state.access.clear()
        return JSONResponse({"ok": True})

    async def revoke(_request: Request):
        state.access.clear()
        state.refresh.clear()
        return JSONResponse({"ok": True})

    async def settings(request: Request):
        for key, value in (await request.json()).items():
            setattr(state, key, type(getattr(state, key))(value))
        return JSONResponse({"ok": True})

    async def stats(_request: Request):
        return JSONResponse({"refreshes": state.refreshes, "reused": state.reused,
                             "notes": state.notes})

    return Starlette(routes=[
        Route("/authorize", authorize, methods=["GET"]),
        Route("/authorize", decide, methods=["POST"]),
        Route("/token", token, methods=["POST"]),
        Route("/api/me", me, methods=["GET"]),
        Route("/api/notes", add_note, methods=["POST"]),
        Route("/api/echo-error", echo_error, methods=["GET"]),
        Route("/_control/expire", expire, methods=["POST"]),
        Route("/_control/revoke", revoke, methods=["POST"]),
        Route("/_control/settings", settings, methods=["POST"]),
        Route("/_control/stats", stats, methods=["GET"]),
    ])
