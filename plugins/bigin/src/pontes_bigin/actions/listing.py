"""Every Bigin contact and company, a page at a time (``contact.list``,
``company.list``), for an initial sync.

Pages are read oldest first (``sort_by=Created_Time&sort_order=asc``), so a record
created while the listing runs lands after the pages already read; the cursor is the
next ``page`` number, given while ``info.more_records`` is true.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import CompanyPage, Connection, ContactPage, PageOf

from ..client import MAX_PER_PAGE, rows_of
from ..connector import kit
from ..mappers import company_to_canonical, contact_to_canonical
from ..modules import ACCOUNTS, CONTACTS

LISTED_FIELDS = {
    CONTACTS: "First_Name,Last_Name,Full_Name,Email,Secondary_Email,Mobile,Phone,Title,"
              "Account_Name,Owner,"
              "Description,Modified_Time,Created_Time",
    ACCOUNTS: "Account_Name,Phone,Website,Description,Modified_Time,Created_Time",
}
"""The fields a listed record is read with (Bigin needs ``fields`` on a list)."""


async def page_of(connection: Connection, module: str,
                  params: PageOf) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``module`` from the cursor (a page number) and the next cursor."""
    page = params.number()
    body = await connection.client.get_json(f"/{module}", params={
        "fields": LISTED_FIELDS[module], "sort_by": "Created_Time", "sort_order": "asc",
        "page": str(page), "per_page": str(MAX_PER_PAGE)})
    info = body.get("info") if isinstance(body, dict) else None
    more = isinstance(info, dict) and bool(info.get("more_records"))
    return rows_of(body), (str(page + 1) if more else None)


@kit.action("contact.list")
async def contact_list(connection: Connection, params: PageOf) -> ContactPage:
    """A page of every contact, oldest first (``GET /Contacts``)."""
    found, following = await page_of(connection, CONTACTS, params)
    return ContactPage(records=[contact_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)


@kit.action("company.list")
async def company_list(connection: Connection, params: PageOf) -> CompanyPage:
    """A page of every company, oldest first (``GET /Accounts``)."""
    found, following = await page_of(connection, ACCOUNTS, params)
    return CompanyPage(records=[company_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)
