"""The amoCRM connector: its settings, credential check, OAuth declaration and kit.

``kit`` names the connector once; ``actions``, ``triggers``, ``mappers`` and ``sandbox``
declare their parts on it.
"""

from __future__ import annotations

from typing import Literal

from pontes.plugin import Connection, ConnectionSettings, ConnectorKit, OAuth2
from pydantic import Field, SecretStr, field_validator, model_validator

from .client import API_PREFIX, build_client
from .hosts import check_host

DEFAULT_AUTHORIZE_URL = "https://www.amocrm.ru/oauth"
"""amoCRM's own page where an account's user allows an integration."""

DOCS_URL = "https://www.amocrm.ru/developers/content/crm_platform/api-reference"
TOKEN_PATH = "/oauth2/access_token"
REQUESTS_PER_SECOND = 7


class AmocrmSettings(ConnectionSettings):
    """One amoCRM (or Kommo) account.

    - ``base_url``: the account's address, ``https://acme.amocrm.ru`` (the API is under
      ``/api/v4``, tokens at ``/oauth2/access_token``);
    - ``client_id``, ``client_secret``: the integration's keys, for OAuth;
    - ``redirect_uri``: where amoCRM sends the browser back (default
      ``<public_url>/oauth/<connection>/callback``);
    - ``authorize_url``: the page where a user allows the integration;
    - ``long_lived_token``: a token made in the integration's "Keys and scopes" tab, used
      instead of OAuth when set;
    - ``allowed_hosts``: hosts other than amoCRM's and Kommo's that ``base_url`` and
      addresses arriving from outside may name (an on-premise proxy, or loopback in tests);
    - ``deal_marker_field``, ``contact_marker_field``, ``company_marker_field``: the id of
      a text custom field of leads, contacts or companies where new records carry their
      pontes marker, so that a run cut short finds the record it created instead of
      creating another (``<entity>.find_created`` needs it);
    - ``requests_per_second``: amoCRM's budget per integration and account;
    - ``timeout_seconds``: how long one call may take.
    """

    plugin: Literal["amocrm"] = "amocrm"
    base_url: str
    client_id: str | None = None
    client_secret: SecretStr | None = None
    redirect_uri: str | None = None
    authorize_url: str = DEFAULT_AUTHORIZE_URL
    long_lived_token: SecretStr | None = None
    allowed_hosts: list[str] = Field(default_factory=list)
    deal_marker_field: int | None = None
    contact_marker_field: int | None = None
    company_marker_field: int | None = None
    requests_per_second: int = Field(REQUESTS_PER_SECOND, gt=0)
    timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("base_url")
    @classmethod
    def _account_address(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value.endswith(API_PREFIX):
            value = value[: -len(API_PREFIX)]
        return value

    @model_validator(mode="after")
    def _guarded(self) -> AmocrmSettings:
        check_host(self.base_url, self.allowed_hosts, what="base_url")
        if self.long_lived_token is None and not (self.client_id and self.client_secret):
            raise ValueError("set long_lived_token, or client_id and client_secret for OAuth")
        return self

    @property
    def uses_oauth(self) -> bool:
        """Whether calls are signed with OAuth tokens (no long-lived token is set)."""
        return self.long_lived_token is None


async def check(connection: Connection) -> None:
    """Read the account (``GET /api/v4/account``); ``AuthError`` on a refused token."""
    await connection.client.get_json(f"{API_PREFIX}/account")


OAUTH = OAuth2(
    authorize_url=lambda settings: settings.authorize_url,
    token_url=lambda settings: settings.base_url + TOKEN_PATH,
    token_request="json",
    rotates_refresh_token=True,
    enabled=lambda settings: settings.uses_oauth,
)
"""amoCRM's OAuth2: JSON token requests at the account's own host, refresh tokens that
rotate, and none of it when a long-lived token is set."""


kit = ConnectorKit(
    name="amocrm",
    title="amoCRM",
    roles=("crm",),
    settings=AmocrmSettings,
    client=build_client,
    check=check,
    docs_url=DOCS_URL,
    oauth=OAUTH,
)
"""The amoCRM connector and everything this plugin declares for it."""
