"""Every Ploomes person and company, a page at a time (``contact.list``,
``company.list``), for an initial sync.

Both are ``/Contacts``, told apart by ``TypeId`` (2 person, 1 company). Pages are read in
``Id`` order, and Ploomes gives ids in creation order, so a client created while the
listing runs lands after the pages already read and ``$skip`` offsets stay valid; the
cursor is the ``$skip`` of the next page. Each page asks for 300 rows, the most Ploomes
returns, and is complete (``fetch_page`` follows an ``@odata.nextLink``), so a shorter
page is the last.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import CompanyPage, Connection, ContactPage, PageOf

from ..client import MAX_TOP, Query, eq, fetch_page
from ..connector import kit
from ..mappers import COMPANY_TYPE, PERSON_TYPE, company_to_canonical, contact_to_canonical
from .clients import CLIENT_EXPAND, PERSON_EXPAND


async def page_of(connection: Connection, type_id: int, expand: tuple[str, ...],
                  params: PageOf) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the clients of ``type_id`` from the cursor (a ``$skip``), and the
    next cursor (``None`` after a page shorter than 300 rows)."""
    skip = params.number(first=0)
    rows = await fetch_page(connection.client, "/Contacts", Query(
        filter=eq("TypeId", type_id), expand=expand, orderby="Id", top=MAX_TOP, skip=skip))
    return rows, (str(skip + len(rows)) if len(rows) >= MAX_TOP else None)


@kit.action("contact.list")
async def contact_list(connection: Connection, params: PageOf) -> ContactPage:
    """A page of every person, oldest first (``GET /Contacts?$filter=TypeId eq 2``)."""
    found, following = await page_of(connection, PERSON_TYPE, PERSON_EXPAND, params)
    return ContactPage(records=[contact_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)


@kit.action("company.list")
async def company_list(connection: Connection, params: PageOf) -> CompanyPage:
    """A page of every company, oldest first (``GET /Contacts?$filter=TypeId eq 1``)."""
    found, following = await page_of(connection, COMPANY_TYPE, CLIENT_EXPAND, params)
    return CompanyPage(records=[company_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)
