"""Tokens of the HTTP API: the admin bearer token and per-connection action tokens.

Action tokens are derived from the installation key (``pontes.keys``, like webhook
tokens), so they survive restarts without being stored, and differ per connection.
"""

from __future__ import annotations

from starlette.requests import Request

from ..keys import derive_token, tokens_equal


def action_token(key: bytes, connection: str) -> str:
    """The token that authorises ``POST /actions/<connection>/<action>``."""
    return derive_token(key, f"action:{connection}", length=32)


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_matches(given: str | None, expected: str | None) -> bool:
    """Whether ``given`` is ``expected`` (constant time; nothing matches a missing token)."""
    if not given or not expected:
        return False
    return tokens_equal(given, expected)
