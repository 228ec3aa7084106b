"""The Zoho Desk connector: its settings, credential check, OAuth declaration and kit.

``kit`` names the connector once; ``actions``, ``triggers``, ``mappers``, ``streams`` and
``sandbox`` declare their parts on it.
"""

from __future__ import annotations

from typing import Literal

from pontes.plugin import AuthError, Connection, ConnectionSettings, ConnectorKit, zoho_oauth
from pydantic import Field, SecretStr, field_validator

from .client import API_PREFIX, build_client, desk_get, rows

DOCS_URL = "https://desk.zoho.com/DeskAPIDocument"
DataCentre = Literal["com", "eu", "in", "com.au", "jp", "ca", "sa", "com.cn"]
SCOPES = ("Desk.tickets.ALL", "Desk.contacts.ALL", "Desk.basic.READ", "Desk.settings.READ",
          "Desk.search.READ", "Desk.events.ALL")
"""What pontes asks Zoho Desk's users to allow: tickets (with threads and comments),
contacts and accounts, the organization and departments, search, and webhooks."""
EXPRESS_CREDITS = 25_100
"""API credits a day of the Express edition with one agent (25,000 + 100 an agent)."""


class ZohodeskSettings(ConnectionSettings):
    """One Zoho Desk portal (organization), reached with Zoho OAuth.

    - ``client_id``, ``client_secret``: the Zoho API console client;
    - ``refresh_token``: a refresh token made for a self client (with the ``SCOPES``);
      leave it out to log in with ``pontes oauth login``;
    - ``access_token``: an access token got elsewhere, used as it is instead of OAuth
      (Zoho's last an hour: for one-off scripts and tests);
    - ``redirect_uri``: where Zoho sends the browser back after a login (default
      ``<public_url>/oauth/<connection>/callback``);
    - ``org_id``: the portal's organization id, sent as the ``orgId`` header on every call
      but ``GET /organizations`` (``pontes check`` lists the portals the token reaches when
      it is wrong);
    - ``data_centre``: where the portal lives (``com``, ``eu``, ``in``, ``com.au``, ``jp``,
      ``ca``, ``sa``, ``com.cn``), which picks the Desk and accounts hosts;
    - ``base_url``: the Desk host instead of the data centre's (the API is under
      ``/api/v1``);
    - ``accounts_url``: the Zoho accounts server instead of the data centre's;
    - ``department_id``: the department new tickets go to (default: the portal's first);
    - ``reply_from``: the support address replies are sent from (default: the ticket's
      department's first);
    - ``daily_credits``: the API credits of the portal's edition for a day;
    - ``timeout_seconds``: how long one call may take.
    """

    plugin: Literal["zohodesk"] = "zohodesk"
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr | None = None
    access_token: SecretStr | None = None
    redirect_uri: str | None = None
    org_id: str = Field(pattern=r"^\d+$")
    data_centre: DataCentre = "com"
    base_url: str | None = None
    accounts_url: str | None = None
    department_id: str | None = None
    reply_from: str | None = None
    daily_credits: int = Field(EXPRESS_CREDITS, gt=0)
    timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("base_url", "accounts_url")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if value.endswith(API_PREFIX):
            value = value[: -len(API_PREFIX)]
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) address")
        return value

    @property
    def uses_oauth(self) -> bool:
        """Whether calls are signed with OAuth tokens (no ``access_token`` is set)."""
        return self.access_token is None

    @property
    def desk_host(self) -> str:
        """The Desk host: ``base_url``, else the data centre's ``desk.zoho`` host."""
        return self.base_url or f"https://desk.zoho.{self.data_centre}"


async def check(connection: Connection) -> None:
    """Read the portal's departments (``GET /api/v1/departments``, which needs the token and
    the ``orgId``); ``AuthError`` naming the portals the token reaches when ``org_id`` is
    not one of them, ``NeedsLogin`` when the connection has no tokens."""
    try:
        await desk_get(connection, "/departments", params={"limit": "1"})
    except AuthError as error:
        if error.status != 403:
            raise
        portals = rows(await connection.client.get_json("/organizations"))
        known = ", ".join(f"{p.get('id')} ({p.get('companyName')})" for p in portals) or "none"
        raise AuthError(f"org_id {connection.settings.org_id} is not a portal this token "
                        f"reaches; it reaches: {known}", status=403, url=error.url) from None


kit = ConnectorKit(
    name="zohodesk",
    title="Zoho Desk",
    roles=("helpdesk",),
    settings=ZohodeskSettings,
    client=build_client,
    check=check,
    docs_url=DOCS_URL,
    oauth=zoho_oauth(scopes=SCOPES, enabled=lambda settings: settings.uses_oauth),
)
"""The Zoho Desk connector and everything this plugin declares for it."""
