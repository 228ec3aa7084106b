"""``OAuth2``: what a connector says about its vendor's OAuth2 authorization-code flow.

A connector gives one to its ``ConnectorKit`` (``oauth=OAuth2(...)``). Everything that
depends on a connection (the account's host, a data centre) is read from the connection's
settings by the callables given here, so core holds nothing vendor-specific::

    OAuth2(authorize_url=lambda s: "https://auth.example/authorize",
           token_url=lambda s: f"{s.base_url}/oauth2/access_token",
           token_request="json", rotates_refresh_token=True,
           enabled=lambda s: not s.long_lived_token)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr

from .tokens import TokenAnswer, read_standard_answer

REVOKED_ERRORS = frozenset({"invalid_grant"})


def refresh_refused(status: int, body: Mapping[str, Any]) -> bool:
    """RFC 6749's answer to a refresh token that was revoked, expired or already used:
    ``{"error": "invalid_grant"}`` (or a 401 without a body the vendor explains)."""
    return body.get("error") in REVOKED_ERRORS or (status == 401 and "error" not in body)


def explain_standard_error(body: Mapping[str, Any]) -> str:
    """An RFC 6749 error answer in words: its ``error`` and ``error_description`` (and the
    ``hint``/``title``/``detail``/``message`` some vendors add), joined by ``: ``."""
    parts = [str(body[key]) for key in ("error", "error_description", "hint", "title",
                                        "detail", "message") if body.get(key)]
    return ": ".join(parts) or "the token endpoint refused the request"


def no_api_base(_settings: Any, _extra: Mapping[str, Any]) -> str | None:
    """Calls go to the client's own base URL, whatever the token answer said."""
    return None


def bearer(access_token: str) -> str:
    """The ``Authorization`` header value of RFC 6750: ``Bearer <token>``."""
    return f"Bearer {access_token}"


def always(_settings: Any) -> bool:
    """OAuth applies to every connection of the connector."""
    return True


def setting_value(settings: Any, name: str | None) -> str | None:
    """The setting ``name`` of ``settings`` as plain text (a ``SecretStr`` unwrapped), or
    ``None`` when it is missing or empty."""
    if not name:
        return None
    value = getattr(settings, name, None)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return str(value) if value not in (None, "") else None


@dataclass(frozen=True)
class OAuth2:
    """A connector's OAuth2 (authorization code, with refresh tokens).

    - ``authorize_url(settings)``, ``token_url(settings)``: the vendor's endpoints for
      one connection;
    - ``scopes``: sent space-separated as ``scope`` (none when empty);
    - ``client_id``, ``client_secret``, ``redirect_uri``: the names of the settings that
      hold them (an empty ``redirect_uri`` setting means
      ``<public_url>/oauth/<connection>/callback``);
    - ``refresh_token_setting``: the name of a setting that may hold a refresh token made
      outside pontes (a "self client"), used until the first refresh is stored;
    - ``rotates_refresh_token``: every refresh answers a new refresh token and spends the
      old one, so an unanswered refresh cannot be sent again (the connection then needs a
      login); a vendor that does not rotate answers without one and the old one is kept;
    - ``token_request``: the token endpoint takes a ``form`` (RFC 6749) or a ``json`` body;
    - ``authorize_params``: extra query parameters of the authorize URL;
    - ``read_answer(body)``: a ``TokenAnswer`` from the endpoint's JSON answer;
    - ``explain_error(body)``: an error answer of the token endpoint in words, for the
      ``OAuthError`` (vendors with their own error codes explain them here);
    - ``is_revoked(status, body)``: whether an error answer to a refresh means the refresh
      token is no longer good (the connection then needs a login);
    - ``api_base(settings, extra)``: the scheme and host the calls of a connection go to,
      read from the token answer's extra fields (Zoho's ``api_domain``), or ``None`` to
      keep the client's base URL;
    - ``authorization(access_token)``: the ``Authorization`` header value;
    - ``enabled(settings)``: whether this connection uses OAuth at all (a long-lived token
      in the settings bypasses it);
    - ``refresh_margin``: seconds before expiry at which an access token is refreshed.
    """

    authorize_url: Callable[[Any], str]
    token_url: Callable[[Any], str]
    scopes: tuple[str, ...] = ()
    client_id: str = "client_id"
    client_secret: str = "client_secret"
    redirect_uri: str = "redirect_uri"
    refresh_token_setting: str | None = None
    rotates_refresh_token: bool = True
    token_request: Literal["form", "json"] = "form"
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    read_answer: Callable[[Mapping[str, Any]], TokenAnswer] = read_standard_answer
    explain_error: Callable[[Mapping[str, Any]], str] = explain_standard_error
    is_revoked: Callable[[int, Mapping[str, Any]], bool] = refresh_refused
    api_base: Callable[[Any, Mapping[str, Any]], str | None] = no_api_base
    authorization: Callable[[str], str] = bearer
    enabled: Callable[[Any], bool] = always
    refresh_margin: float = 300.0
