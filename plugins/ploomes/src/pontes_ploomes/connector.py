"""The Ploomes connector: its settings, HTTP client and credential check."""

from __future__ import annotations

from pontes.connection import Connection
from pontes.connector import Connector

from .client import build_client
from .odata import Query
from .settings import PloomesSettings


async def check(conn: Connection) -> None:
    """Read the account (``GET /Account?$top=1&$select=Id``); ``AuthError`` on a bad key."""
    await conn.client.get_json("/Account", params=Query(select=("Id",), top=1).params())


CONNECTOR = Connector(
    name="ploomes",
    title="Ploomes",
    roles=("crm",),
    settings=PloomesSettings,
    client=build_client,  # type: ignore[arg-type]
    check=check,
)
"""The connector this plugin registers."""
