"""The Bigin connector: its settings, credential check, OAuth declaration and kit.

``kit`` names the connector once; ``actions``, ``triggers``, ``mappers`` and ``sandbox``
declare their parts on it.
"""

from __future__ import annotations

from typing import Literal

from pontes.plugin import Connection, ConnectorKit, ZohoSettings, zoho_oauth
from pydantic import Field, SecretStr, field_validator

from .client import API_PREFIX, build_client

DOCS_URL = "https://www.bigin.com/developer/docs/apis/v2/"
FREE_EDITION_CREDITS = 5000
"""API credits a day of Bigin's free edition; paid editions have 50,000 and more."""
SCOPES = ("ZohoBigin.modules.ALL", "ZohoBigin.settings.ALL", "ZohoBigin.users.ALL",
          "ZohoBigin.notifications.ALL", "ZohoSearch.securesearch.READ")
"""What pontes asks Bigin's users to allow: records, settings (fields), users, the watch
channel and search."""
MAX_WATCH_TOKEN = 50
"""The longest ``token`` Bigin echoes back with its notifications."""


class BiginSettings(ZohoSettings):
    """One Bigin organisation, reached with Zoho OAuth: the settings of every Zoho product
    (``pontes.plugin.ZohoSettings``: the client, tokens, data centre, hosts, time-out;
    a refresh token is made with the ``SCOPES``, and ``base_url`` gets ``/bigin/v2``
    added), and:

    - ``watch_token``: the ``token`` Bigin sends back with every notification (at most 50
      characters); by default one derived from ``client_secret``;
    - ``watch_hours``: how long a notification channel lives before it is renewed (Bigin
      keeps one at most a week);
    - ``daily_credits``: the API credits of the organisation's edition for a rolling day.
    """

    api_path = API_PREFIX
    plugin: Literal["bigin"] = "bigin"
    watch_token: SecretStr | None = None
    watch_hours: int = Field(24, ge=1, le=168)
    daily_credits: int = Field(FREE_EDITION_CREDITS, gt=0)

    @field_validator("watch_token")
    @classmethod
    def _short_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not 0 < len(value.get_secret_value()) <= MAX_WATCH_TOKEN:
            raise ValueError(f"watch_token must be 1 to {MAX_WATCH_TOKEN} characters")
        return value

    @property
    def api_host(self) -> str:
        """The API host: ``base_url``, else the data centre's ``www.zohoapis`` host."""
        return self.base_url or f"https://www.zohoapis.{self.data_centre}"

    @property
    def api_url(self) -> str:
        """The address of the API, ``<host>/bigin/v2``."""
        return self.api_host + API_PREFIX


async def check(connection: Connection) -> None:
    """Read the current user (``GET /bigin/v2/users?type=CurrentUser``); ``AuthError`` on
    a refused token, ``NeedsLogin`` when the connection has none."""
    await connection.client.get_json("/users", params={"type": "CurrentUser"})


kit = ConnectorKit(
    name="bigin",
    title="Bigin",
    roles=("crm",),
    settings=BiginSettings,
    client=build_client,
    check=check,
    docs_url=DOCS_URL,
    oauth=zoho_oauth(scopes=SCOPES, enabled=lambda settings: settings.uses_oauth,
                     use_api_domain=True),
)
"""The Bigin connector and everything this plugin declares for it."""
