"""Zoho's accounts server, as data for ``OAuth2``: every Zoho product (Desk, Bigin, CRM...)
signs in at the same server of its data centre, so their plugins share this declaration.

- ``ZOHO_DATA_CENTRES``: each data centre's accounts server (``com`` is
  ``https://accounts.zoho.com``);
- ``zoho_oauth(...)``: the ``OAuth2`` of a Zoho connector: the authorize page
  ``/oauth/v2/auth`` with ``access_type=offline`` and the scopes comma-separated, the
  token endpoint ``/oauth/v2/token`` (form body), refresh tokens that do not rotate,
  ``Authorization: Zoho-oauthtoken <t>``, and a ``refresh_token`` setting (a "self
  client" token) as a way in without a browser;
- ``ZOHO_ERRORS``: Zoho's error codes in words (token endpoint and API), for clear errors;
- ``zoho_api_domain(settings, extra)``: the ``api_domain`` of the token answer, checked,
  for products whose API lives on it (``www.zohoapis.<dc>``);
- ``ZohoSettings``: the settings every Zoho product's connection has (the client, tokens,
  data centre, hosts, time-out), the base of a Zoho plugin's settings model.

A connector's settings name the data centre in ``data_centre`` and may give the accounts
server in ``accounts_url`` (which wins); ``base_url``, when set, pins the API host.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal, get_args
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from ..connector import ConnectionSettings
from .declaration import OAuth2, always, no_api_base, setting_value
from .tokens import TokenAnswer, read_standard_answer

ZohoDataCentre = Literal["com", "eu", "in", "com.au", "jp", "ca", "sa", "com.cn"]
"""The domain suffixes of Zoho's data centres."""

ZOHO_DATA_CENTRES: Mapping[str, str] = {
    dc: f"https://accounts.zoho.{dc}" for dc in get_args(ZohoDataCentre)
}
"""Each Zoho data centre (the domain suffix its services use) and its accounts server."""

DEFAULT_DATA_CENTRE = "com"
AUTHORIZE_PATH = "/oauth/v2/auth"
TOKEN_PATH = "/oauth/v2/token"
REVOKE_PATH = "/oauth/v2/token/revoke"
TOKEN_SCHEME = "Zoho-oauthtoken"

ZOHO_ERRORS: Mapping[str, str] = {
    "invalid_code": "the code or refresh token is invalid, expired or revoked",
    "invalid_client": "the client_id is not a client of this data centre's accounts server",
    "invalid_client_secret": "the client_secret does not match the client_id",
    "invalid_redirect_uri": "the redirect URI is not the one registered for the client",
    "invalid_scope": "a scope asked for does not exist",
    "unsupported_grant_type": "the grant type is not supported",
    "access_denied": "the user refused the access",
    "Access Denied": "too many token requests in a short time; wait and try again",
    "INVALID_TOKEN": "the access token is invalid or expired",
    "INVALID_OAUTH": "the access token is invalid or expired",
    "OAUTH_SCOPE_MISMATCH": "the access token lacks a scope the call needs",
    "AUTHENTICATION_FAILURE": "the access token was refused",
}
"""Zoho's error codes (its accounts server's ``error`` and its APIs' ``code`` or
``errorCode``) in words."""

REVOKED_ERRORS = frozenset({"invalid_code", "invalid_grant"})
"""What the accounts server answers a refresh with a refresh token that is gone."""


def zoho_error(code: str | None) -> str | None:
    """``code`` in words (``None`` when it is not a Zoho code we know)."""
    return ZOHO_ERRORS.get(code) if code else None


def explain_zoho_error(body: Mapping[str, Any]) -> str:
    """An error answer of Zoho's accounts server (``{"error": "invalid_code"}``) in words,
    the code kept: ``invalid_code: the code or refresh token is invalid, ...``."""
    code = body.get("error") or body.get("code") or body.get("errorCode")
    if not code:
        return "Zoho's accounts server refused the request"
    words = zoho_error(str(code)) or body.get("error_description") or body.get("message")
    return f"{code}: {words}" if words else str(code)


def zoho_refresh_refused(status: int, body: Mapping[str, Any]) -> bool:
    """Whether Zoho refused a refresh because the refresh token is revoked or unknown
    (``invalid_code``, which Zoho answers with a 200)."""
    return body.get("error") in REVOKED_ERRORS


def read_zoho_answer(body: Mapping[str, Any]) -> TokenAnswer:
    """A token answer of Zoho's accounts server: RFC 6749's fields, with ``api_domain``,
    ``token_type`` and ``scope`` kept as extra. ``ValueError`` for an ``api_domain`` that is
    not an http(s) address."""
    answer = read_standard_answer(body)
    domain = answer.extra.get("api_domain")
    if domain is not None and not _is_http_address(domain):
        raise ValueError("the token answer's api_domain is not an http(s) address")
    return answer


def zoho_authorization(access_token: str) -> str:
    """Zoho's ``Authorization`` value: ``Zoho-oauthtoken <token>`` (never ``Bearer``)."""
    return f"{TOKEN_SCHEME} {access_token}"


def zoho_accounts_url(settings: Any) -> str:
    """The accounts server of a connection: its ``accounts_url`` setting, else its
    ``data_centre``'s. ``ValueError`` naming ``data_centre`` for an unknown one."""
    explicit = setting_value(settings, "accounts_url")
    if explicit:
        return explicit.rstrip("/")
    return accounts_url_of(setting_value(settings, "data_centre") or DEFAULT_DATA_CENTRE)


def accounts_url_of(data_centre: str) -> str:
    """The accounts server of ``data_centre`` (``ValueError`` naming the known ones)."""
    try:
        return ZOHO_DATA_CENTRES[data_centre.strip().lower()]
    except KeyError:
        raise ValueError(f"data_centre: {data_centre!r} is not a Zoho data centre (one of "
                         f"{', '.join(ZOHO_DATA_CENTRES)})") from None


def zoho_api_domain(settings: Any, extra: Mapping[str, Any]) -> str | None:
    """The API host to call: ``None`` when the connection pins one in ``base_url``, else
    the ``api_domain`` of its token answer, when it is a Zoho domain or the accounts
    server's own host (a sandbox), so that an answer cannot send the token elsewhere."""
    if setting_value(settings, "base_url"):
        return None
    domain = extra.get("api_domain")
    if not _is_http_address(domain):
        return None
    host = (urlsplit(domain).hostname or "").lower()
    accounts_host = (urlsplit(zoho_accounts_url(settings)).hostname or "").lower()
    if host == accounts_host or any(host.endswith(f".zoho{'apis' if a else ''}.{dc}")
                                    for dc in ZOHO_DATA_CENTRES for a in (False, True)):
        return domain.rstrip("/")
    return None


def zoho_oauth(*, scopes: Sequence[str], enabled: Callable[[Any], bool] = always,
               use_api_domain: bool = False, refresh_margin: float = 300.0) -> OAuth2:
    """The ``OAuth2`` of a Zoho product asking for ``scopes``
    (``("Desk.tickets.ALL", ...)``), for settings with ``client_id``, ``client_secret``,
    ``refresh_token``, ``data_centre`` and ``accounts_url``. With ``use_api_domain``
    calls go to the ``api_domain`` of the token answer unless ``base_url`` is set."""
    return OAuth2(
        authorize_url=lambda settings: zoho_accounts_url(settings) + AUTHORIZE_PATH,
        token_url=lambda settings: zoho_accounts_url(settings) + TOKEN_PATH,
        refresh_token_setting="refresh_token",
        rotates_refresh_token=False,
        token_request="form",
        authorize_params={"scope": ",".join(scopes), "access_type": "offline"},
        read_answer=read_zoho_answer,
        explain_error=explain_zoho_error,
        is_revoked=zoho_refresh_refused,
        authorization=zoho_authorization,
        enabled=enabled,
        api_base=zoho_api_domain if use_api_domain else no_api_base,
        refresh_margin=refresh_margin,
    )


class ZohoSettings(ConnectionSettings):
    """What a connection to any Zoho product has; a plugin's settings model adds its own.

    - ``client_id``, ``client_secret``: the Zoho API console client;
    - ``refresh_token``: a refresh token made for a self client; leave it out to log in
      with ``pontes oauth login``;
    - ``access_token``: an access token got elsewhere, used as it is instead of OAuth
      (Zoho's last an hour: for one-off scripts and tests);
    - ``redirect_uri``: where Zoho sends the browser back after a login (default
      ``<public_url>/oauth/<connection>/callback``);
    - ``data_centre``: where the account lives (``com``, ``eu``, ``in``, ``com.au``,
      ``jp``, ``ca``, ``sa``, ``com.cn``), which picks the API and accounts hosts;
    - ``base_url``: the API host instead of the data centre's (a trailing ``api_path``,
      the product's API prefix, is taken off);
    - ``accounts_url``: the Zoho accounts server instead of the data centre's;
    - ``timeout_seconds``: how long one call may take.
    """

    api_path: ClassVar[str] = ""
    """The product's API prefix (``/bigin/v2``), which a ``base_url`` may end with."""

    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr | None = None
    access_token: SecretStr | None = None
    redirect_uri: str | None = None
    data_centre: ZohoDataCentre = "com"
    base_url: str | None = None
    accounts_url: str | None = None
    timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("base_url", "accounts_url")
    @classmethod
    def _http_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if cls.api_path and value.endswith(cls.api_path):
            value = value[: -len(cls.api_path)]
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) address")
        return value

    @property
    def uses_oauth(self) -> bool:
        """Whether calls are signed with OAuth tokens (no ``access_token`` is set)."""
        return self.access_token is None


def _is_http_address(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
