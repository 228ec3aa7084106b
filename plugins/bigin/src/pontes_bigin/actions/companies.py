"""Bigin accounts (Companies in Bigin's screens): find by name, get, create."""

from __future__ import annotations

from pontes.plugin import ById, ByName, Company, Connection

from ..connector import kit
from ..mappers import company_from_canonical, company_to_canonical
from ..modules import ACCOUNTS
from .records import find_equal, get_one, insert_one, read_back


@kit.action("company.find_by_name")
async def company_find_by_name(connection: Connection, params: ByName) -> Company | None:
    """The first account with exactly this name, compared without case
    (``criteria=(Account_Name:equals:...)``)."""
    wanted = params.name.strip().casefold()
    for row in await find_equal(connection, ACCOUNTS, "Account_Name", params.name.strip()):
        if str(row.get("Account_Name") or "").strip().casefold() == wanted:
            return company_to_canonical(row, connection.name)
    return None


@kit.action("company.get")
async def company_get(connection: Connection, params: ById) -> Company:
    """One account."""
    return company_to_canonical(await get_one(connection, ACCOUNTS, params.id), connection.name)


@kit.action("company.create")
async def company_create(connection: Connection, params: Company) -> Company:
    """Create an account; Bigin needs its name."""
    payload = company_from_canonical(params, connection.name)
    payload.pop("id", None)
    if not payload.get("Account_Name"):
        raise ValueError("a Bigin account needs a name")
    account_id = await insert_one(connection, ACCOUNTS, payload)
    return await read_back(connection, ACCOUNTS, account_id, payload, company_to_canonical)
