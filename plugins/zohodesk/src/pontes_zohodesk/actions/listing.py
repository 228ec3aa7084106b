"""Every Zoho Desk contact and account, a page at a time (``contact.list``,
``company.list``), for an initial sync.

Pages are read oldest first (``sortBy=createdTime``, a guess listed in the README), so a
record created while the listing runs lands after the pages already read and offsets
stay valid; the cursor is the ``from`` of the next page.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import CompanyPage, Connection, ContactPage, PageOf

from ..client import MAX_LIMIT, desk_get, rows
from ..connector import kit
from ..mappers.people import company_to_canonical, contact_to_canonical


async def page_of(connection: Connection, path: str,
                  params: PageOf) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``path`` from the cursor (a ``from`` offset) and the next cursor."""
    start = params.number()
    found = rows(await desk_get(connection, path, params={
        "sortBy": "createdTime", "from": str(start), "limit": str(MAX_LIMIT)}))
    return found, (str(start + len(found)) if len(found) == MAX_LIMIT else None)


@kit.action("contact.list")
async def contact_list(connection: Connection, params: PageOf) -> ContactPage:
    """A page of every contact, oldest first (``GET /contacts?sortBy=createdTime``)."""
    found, following = await page_of(connection, "/contacts", params)
    return ContactPage(records=[contact_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)


@kit.action("company.list")
async def company_list(connection: Connection, params: PageOf) -> CompanyPage:
    """A page of every account, oldest first (``GET /accounts?sortBy=createdTime``)."""
    found, following = await page_of(connection, "/accounts", params)
    return CompanyPage(records=[company_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)
