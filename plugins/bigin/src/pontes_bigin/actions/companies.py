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
from .kinds import Kind

ACCOUNT_RECORDS = Kind(ACCOUNTS, company_to_canonical, company_from_canonical,
                 required="Account_Name", missing="a Bigin account needs a name")
"""Accounts as canonical companies."""


@kit.action("company.find_by_name")
async def company_find_by_name(connection: Connection, params: ByName) -> Company | None:
    """The first account with exactly this name, compared without case
    (``criteria=(Account_Name:equals:...)``)."""
    found = await ACCOUNT_RECORDS.search_equal(connection, "Account_Name", params.name.strip())
    return first_named(found, params.name)


@kit.action("company.find_by_phone")
async def company_find_by_phone(connection: Connection, params: ByPhone) -> Company | None:
    """The first account with this phone, however Bigin has it written
    (``GET /Accounts/search?phone=``)."""
    return first_with_phone(await ACCOUNT_RECORDS.search(connection, phone=params.phone),
                            params.phone)


@kit.action("company.get")
async def company_get(connection: Connection, params: ById) -> Company:
    """One account."""
    return await ACCOUNT_RECORDS.get(connection, params.id)


@kit.action("company.create")
async def company_create(connection: Connection, params: Company) -> Company:
    """Create an account, with its marker in ``Description``; Bigin needs its name."""
    return await ACCOUNT_RECORDS.create(connection, params)


@kit.action("company.update")
async def company_update(connection: Connection, params: UpdateCompany) -> Company:
    """Write the fields set in ``changes`` (``PUT /Accounts/<id>``); Bigin keeps the
    others."""
    return await ACCOUNT_RECORDS.update(connection, params.id, params.changes)


@kit.action("company.find_created")
async def company_find_created(connection: Connection, params: Company) -> Company | None:
    """The account created from this draft, by the marker in its ``Description``."""
    return await ACCOUNT_RECORDS.find_created(connection, params)
