"""The Zoho Desk connector: its settings, credential check, OAuth declaration and kit.

``kit`` names the connector once; ``actions``, ``triggers``, ``mappers``, ``streams`` and
``sandbox`` declare their parts on it.
"""

from __future__ import annotations

from typing import Literal

from pontes.plugin import AuthError, Connection, ConnectorKit, ZohoSettings, zoho_oauth
from pydantic import Field

from .client import API_PREFIX, build_client, desk_get, rows

DOCS_URL = "https://desk.zoho.com/DeskAPIDocument"
SCOPES = ("Desk.tickets.ALL", "Desk.contacts.ALL", "Desk.basic.READ", "Desk.settings.READ",
          "Desk.search.READ", "Desk.events.ALL")
"""What pontes asks Zoho Desk's users to allow: tickets (with threads and comments),
contacts and accounts, the organization and departments, search, and webhooks."""
EXPRESS_CREDITS = 25_100
"""API credits a day of the Express edition with one agent (25,000 + 100 an agent)."""


class ZohodeskSettings(ZohoSettings):
    """One Zoho Desk portal (organization), reached with Zoho OAuth: the settings of every
    Zoho product (``pontes.plugin.ZohoSettings``: the client, tokens, data centre, hosts,
    time-out; a refresh token is made with the ``SCOPES``, ``base_url`` is the Desk host,
    under which the API is ``/api/v1``), and:

    - ``org_id``: the portal's organization id, sent as the ``orgId`` header on every call
      but ``GET /organizations`` (``pontes check`` lists the portals the token reaches when
      it is wrong);
    - ``department_id``: the department new tickets go to (default: the portal's first);
    - ``reply_from``: the support address replies are sent from (default: the ticket's
      department's first);
    - ``daily_credits``: the API credits of the portal's edition for a day.
    """

    api_path = API_PREFIX
    plugin: Literal["zohodesk"] = "zohodesk"
    org_id: str = Field(pattern=r"^\d+$")
    department_id: str | None = None
    reply_from: str | None = None
    daily_credits: int = Field(EXPRESS_CREDITS, gt=0)

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
