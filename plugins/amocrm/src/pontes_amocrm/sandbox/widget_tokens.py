"""The one-time tokens amoCRM's web interface gives a widget (``$authorizedAjax``), as the
sandbox's account would sign them.

``POST /_sandbox/one-time-token`` ``{"user_id", "lifetime"?}`` answers ``{"token"}``: a
JWT signed HS256 with the integration's secret key, with the claims amoCRM documents
(``iss`` the account's address, ``aud`` the integration's redirect address, ``jti``,
``iat``, ``nbf``, ``exp``) and those the plugin reads as guesses (``account_id``,
``user_id``, ``client_uuid``), for a user of the account. A test posts it as a widget
would, in an ``X-Auth-Token`` header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import ACCOUNT_ID, AmocrmState

LIFETIME = 600
"""Seconds a token is good for unless the request says otherwise."""


def _part(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def signed_token(claims: dict[str, Any], secret: str) -> str:
    """``claims`` as a JWT signed HS256 with ``secret``."""
    signing = f"{_part({'typ': 'JWT', 'alg': 'HS256'})}.{_part(claims)}"
    signature = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


def widget_token_routes(state: AmocrmState, *, client_id: str,
                        client_secret: str) -> list[Route]:
    """The control endpoint of the module docstring."""

    async def issue(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        user_id = body.get("user_id") if isinstance(body, dict) else None
        if user_id not in {user["id"] for user in state.users}:
            return JSONResponse({"error": "user_id: no user of the account"}, status_code=400)
        lifetime = body.get("lifetime", LIFETIME)
        account = str(request.base_url).rstrip("/")
        now = int(time.time())
        claims = {"iss": account, "aud": f"{account}/", "jti": str(uuid.uuid4()),
                  "iat": now, "nbf": now, "exp": now + int(lifetime),
                  "account_id": ACCOUNT_ID, "user_id": user_id, "client_uuid": client_id}
        return JSONResponse({"token": signed_token(claims, client_secret)})

    return [Route(f"{CONTROL_PREFIX}/one-time-token", issue, methods=["POST"])]
