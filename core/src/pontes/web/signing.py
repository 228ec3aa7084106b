"""Signed, expiring tokens bound to one purpose.

A token carries a small JSON object, readable by anyone who holds it but not changeable:
``<payload>.<signature>``, the payload the base64url of the JSON with its expiry under
``exp``, the signature an HMAC-SHA256 of the payload under a key derived from the
installation key for the purpose alone (as ``pontes.oauth.state`` does). A token made for
one purpose (a panel context, a CSRF token, an admin session) is refused for any other.

Written on ``pontes.keys`` rather than taken from a library such as itsdangerous: the
format is twenty lines, and deriving the key per purpose from the installation key is the
rule every other token of pontes follows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from ..keys import derive_key

_EXPIRY = "exp"


class BadSignature(ValueError):
    """A token that is malformed, forged, expired or made for another purpose."""


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, purpose: str, payload: str) -> str:
    purpose_key = derive_key(key, f"pontes:signed:{purpose}:v1")
    return _encode(hmac.new(purpose_key, payload.encode(), hashlib.sha256).digest())


def sign(key: bytes, purpose: str, data: Mapping[str, Any], *, lifetime: float,
         now: float | None = None) -> str:
    """A token for ``purpose`` carrying ``data`` (JSON-able, without an ``exp`` key),
    good for ``lifetime`` seconds."""
    if _EXPIRY in data:
        raise ValueError(f"{_EXPIRY!r} is the token's own expiry and cannot be in its data")
    expiry = int((time.time() if now is None else now) + lifetime)
    body = json.dumps({**data, _EXPIRY: expiry}, separators=(",", ":"), sort_keys=True)
    payload = _encode(body.encode())
    return f"{payload}.{_signature(key, purpose, payload)}"


def unsign(key: bytes, purpose: str, token: str, *, now: float | None = None) -> dict[str, Any]:
    """The data of a token that ``sign`` made for ``purpose`` and that has not expired;
    ``BadSignature`` with the reason otherwise."""
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(signature.encode(),
                                              _signature(key, purpose, payload).encode()):
        raise BadSignature("the token is not one pontes signed for this use")
    try:
        data = json.loads(_decode(payload))
        expiry = int(data.pop(_EXPIRY))
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise BadSignature("the token is malformed") from None
    if expiry < (time.time() if now is None else now):
        raise BadSignature("the token has expired")
    return data
