"""amoCRM companies: find by name or e-mail, get, create."""

from __future__ import annotations

from pontes.plugin import ByEmail, ById, ByName, Company, Connection, first_named, first_with_email

from ..connector import kit
from ..mappers import company_from_canonical, company_to_canonical
from .markers import find_marked, with_marker
from .records import create_one, get_one, read_back, search


@kit.action("company.find_by_name")
async def company_find_by_name(connection: Connection, params: ByName) -> Company | None:
    """The first company with exactly this name (compared without case)."""
    rows = await search(connection, "companies", params.name)
    return first_named((company_to_canonical(row, connection.name) for row in rows),
                       params.name)


@kit.action("company.find_by_email")
async def company_find_by_email(connection: Connection, params: ByEmail) -> Company | None:
    """The first company with this e-mail."""
    rows = await search(connection, "companies", params.email)
    return first_with_email((company_to_canonical(row, connection.name) for row in rows),
                            params.email)


@kit.action("company.get")
async def company_get(connection: Connection, params: ById) -> Company:
    """One company."""
    return company_to_canonical(await get_one(connection, "companies", params.id),
                                connection.name)


@kit.action("company.create")
async def company_create(connection: Connection, params: Company) -> Company:
    """Create a company, with its marker in ``company_marker_field`` when one is set."""
    payload = company_from_canonical(params, connection.name)
    payload.pop("id", None)
    payload = with_marker(connection, "companies", payload, params)
    company_id = await create_one(connection, "companies", payload)
    return await read_back(connection, "companies", company_id, payload, company_to_canonical)


@kit.action("company.find_created")
async def company_find_created(connection: Connection, params: Company) -> Company | None:
    """The company created from this draft, by the marker in ``company_marker_field``."""
    return await find_marked(connection, "companies", params, company_to_canonical)
