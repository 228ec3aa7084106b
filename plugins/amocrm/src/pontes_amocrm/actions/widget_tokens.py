"""amoCRM's one-time tokens (``user.identify``): which amoCRM user a widget's request came
from.

A widget's ``$authorizedAjax`` adds an ``X-Auth-Token`` header: a JWT signed HS256 with
the integration's secret key (the connection's ``client_secret``), whose ``iss`` is the
account's address and whose ``nbf`` and ``exp`` bound its life (amoCRM's "One-time Tokens
for Integrations"). The user's id is read from its ``user_id`` claim and the account's
from ``account_id``, names our reading of that page (see the README's guesses). A token
that is malformed, signed with another key or algorithm, outside its life, or of another
account is a ``ValueError`` saying which.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

from pontes.plugin import Connection, IdentifiedUser, SignedUser

from ..connector import kit

LEEWAY = 30.0
"""Seconds of clock difference tolerated on ``nbf`` and ``exp``."""


def _decoded(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("the token is not a JWT (a part is not base64url)") from None


def _object(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_decoded(part))
    except ValueError:
        raise ValueError("the token is not a JWT (a part is not JSON)") from None
    if not isinstance(value, dict):
        raise ValueError("the token is not a JWT (a part is not a JSON object)")
    return value


def verified_claims(token: str, secret: bytes, now: float) -> dict[str, Any]:
    """The claims of ``token`` once its HS256 signature with ``secret`` and its life at
    ``now`` are checked; ``ValueError`` otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("the token is not a JWT (it has no three parts)")
    if _object(parts[0]).get("alg") != "HS256":
        raise ValueError("the token is not signed with HS256")
    expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _decoded(parts[2])):
        raise ValueError("the token is not signed with this integration's secret key")
    claims = _object(parts[1])
    for name in ("nbf", "exp"):
        if not isinstance(claims.get(name), int | float) or isinstance(claims[name], bool):
            raise ValueError(f"the token has no {name}")
    if now + LEEWAY < claims["nbf"]:
        raise ValueError("the token is not valid yet")
    if now - LEEWAY >= claims["exp"]:
        raise ValueError("the token has expired")
    return claims


def origin(address: str) -> str:
    """``scheme://host[:port]`` of an address, lower case."""
    parts = urlsplit(address.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


@kit.action("user.identify")
async def user_identify(connection: Connection, params: SignedUser) -> IdentifiedUser:
    """The amoCRM user a widget's one-time token names, checked against the connection's
    secret key and account."""
    settings = connection.settings
    if settings.client_secret is None:
        raise ValueError("the connection has no client_secret to check widget tokens with")
    secret = settings.client_secret.get_secret_value().encode()
    claims = verified_claims(params.token, secret, time.time())
    account = origin(settings.base_url)
    if origin(str(claims.get("iss") or "")) != account:
        raise ValueError("the token was signed for another amoCRM account")
    user_id = claims.get("user_id")
    if isinstance(user_id, bool) or not isinstance(user_id, int | str) or not str(user_id):
        raise ValueError("the token names no user (user_id)")
    return IdentifiedUser(id=str(user_id), account=account)
