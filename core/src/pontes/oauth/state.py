"""The ``state`` of an authorization request: signed, expiring and bound to a connection.

``<connection>.<expiry>.<nonce>.<signature>``, the signature an HMAC-SHA256 of the rest
under a key derived from the installation key for this purpose alone. The callback
accepts only a state made for its own connection and not yet expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from ..keys import derive_key

_PURPOSE = "pontes:oauth-state:v1"
STATE_LIFETIME = 600.0


class BadState(ValueError):
    """A ``state`` that is malformed, forged, expired or made for another connection."""


def _signature(key: bytes, payload: str) -> str:
    digest = hmac.new(derive_key(key, _PURPOSE), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_state(key: bytes, connection: str, *, lifetime: float = STATE_LIFETIME,
               now: float | None = None) -> str:
    """A state for an authorization request of ``connection``, good for ``lifetime``
    seconds."""
    expiry = int((time.time() if now is None else now) + lifetime)
    name = base64.urlsafe_b64encode(connection.encode()).decode().rstrip("=")
    payload = f"{name}.{expiry}.{secrets.token_urlsafe(12)}"
    return f"{payload}.{_signature(key, payload)}"


def check_state(key: bytes, connection: str, state: str, *, now: float | None = None) -> None:
    """Raise ``BadState`` with the reason unless ``state`` was made by ``make_state`` for
    ``connection`` and has not expired."""
    payload, _, signature = state.rpartition(".")
    if not payload or not hmac.compare_digest(signature.encode(),
                                              _signature(key, payload).encode()):
        raise BadState("the state is not one pontes made")
    try:
        name, expiry, _nonce = payload.split(".")
        made_for = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode()
        expires = int(expiry)
    except ValueError:
        raise BadState("the state is malformed") from None
    if made_for != connection:
        raise BadState("the state was made for another connection")
    if expires < (time.time() if now is None else now):
        raise BadState("the state has expired; start the login again")
