"""Users: the integration user that recipes act as."""

from __future__ import annotations

from typing import Any

from pontes.plugin import Connection, EnsureUser, UserInfo

from ..client import Query, create, eq, fetch_first
from ..connector import kit


def _user_info(row: dict[str, Any]) -> UserInfo:
    return UserInfo(id=str(row["Id"]), name=row.get("Name"), email=row.get("Email"))


@kit.action("user.ensure")
async def user_ensure(connection: Connection, params: EnsureUser) -> UserInfo:
    """The Ploomes user called ``params.name``, created as an integration user if missing."""
    found = await fetch_first(connection.client, "/Users", Query(filter=eq("Name", params.name)))
    if found is not None:
        return _user_info(found)
    body: dict[str, Any] = {"Name": params.name, "Integration": True}
    if params.email:
        body["Email"] = params.email
    return _user_info(await create(connection.client, "/Users", body))
