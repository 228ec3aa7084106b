"""Bigin accounts (Companies in Bigin's screens): find by name or phone, get, create,
update, and find the one a run created."""

from __future__ import annotations

from pontes.plugin import (
    ById,
    ByName,
    ByPhone,
    Company,
    Connection,
    UpdateCompany,
    first_named,
    first_with_phone,
)

from ..connector import kit
from ..mappers import company_from_canonical, company_to_canonical
from ..modules import ACCOUNTS
from .markers import find_marked, with_marker
from .records import find_equal, get_one, insert_one, read_back, search, update_one


@kit.action("company.find_by_name")
async def company_find_by_name(connection: Connection, params: ByName) -> Company | None:
    """The first account with exactly this name, compared without case
    (``criteria=(Account_Name:equals:...)``)."""
    rows = await find_equal(connection, ACCOUNTS, "Account_Name", params.name.strip())
    return first_named((company_to_canonical(row, connection.name) for row in rows),
                       params.name)


@kit.action("company.find_by_phone")
async def company_find_by_phone(connection: Connection, params: ByPhone) -> Company | None:
    """The first account with this phone, however Bigin has it written
    (``GET /Accounts/search?phone=``)."""
    rows = await search(connection, ACCOUNTS, phone=params.phone)
    return first_with_phone((company_to_canonical(row, connection.name) for row in rows),
                            params.phone)


@kit.action("company.get")
async def company_get(connection: Connection, params: ById) -> Company:
    """One account."""
    return company_to_canonical(await get_one(connection, ACCOUNTS, params.id), connection.name)


@kit.action("company.create")
async def company_create(connection: Connection, params: Company) -> Company:
    """Create an account, with its marker in ``Description``; Bigin needs its name."""
    payload = company_from_canonical(params, connection.name)
    payload.pop("id", None)
    if not payload.get("Account_Name"):
        raise ValueError("a Bigin account needs a name")
    payload = with_marker(payload, params)
    account_id = await insert_one(connection, ACCOUNTS, payload)
    return await read_back(connection, ACCOUNTS, account_id, payload, company_to_canonical)


@kit.action("company.update")
async def company_update(connection: Connection, params: UpdateCompany) -> Company:
    """Write the fields set in ``changes`` (``PUT /Accounts/<id>``); Bigin keeps the
    others."""
    payload = company_from_canonical(params.changes, connection.name)
    account_id = await update_one(connection, ACCOUNTS, params.id, payload)
    return await read_back(connection, ACCOUNTS, account_id, payload, company_to_canonical)


@kit.action("company.find_created")
async def company_find_created(connection: Connection, params: Company) -> Company | None:
    """The account created from this draft, by the marker in its ``Description``."""
    return await find_marked(connection, ACCOUNTS, params, company_to_canonical)
