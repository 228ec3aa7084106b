"""Every Movidesk client person and company, a page at a time (``contact.list``,
``company.list``), for an initial sync.

Both are ``/persons`` lists: people are ``personType`` 1, companies 2 and departments 4
(read as companies, as ``company.get`` reads them); agents (``profileType`` 1) are not
clients and are left out, as the persons poller leaves them out. Pages are read oldest
first (``$orderby=createdDate asc, id asc``), so a person created while the listing runs
lands after the pages already read and ``$skip`` offsets stay valid; the cursor is the
``$skip`` of the next page. Each page asks for the connection's ``page_size`` rows (at
most 100) and the list ends at an empty page, never at a short one, since Movidesk may
answer fewer rows than asked for.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import CompanyPage, Connection, ContactPage, PageOf

from .client import PERSON_EXPAND, PERSON_FIELDS, PERSONS, list_rows
from .connector import kit
from .mappers.people import COMPANY, DEPARTMENT, PERSON, company_to_canonical, contact_to_canonical
from .triggers import AGENT_PROFILE

CLIENTS = f"profileType ne {AGENT_PROFILE}"
PEOPLE = f"personType eq {PERSON} and {CLIENTS}"
COMPANIES = f"(personType eq {COMPANY} or personType eq {DEPARTMENT}) and {CLIENTS}"
OLDEST_FIRST = "createdDate asc, id asc"


async def page_of(connection: Connection, condition: str,
                  params: PageOf) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the persons matching ``condition`` from the cursor (a ``$skip``),
    and the next cursor (``None`` once a page comes back empty)."""
    skip = params.number(first=0)
    rows = await list_rows(connection.client, PERSONS, select=PERSON_FIELDS,
                           expand=PERSON_EXPAND, filter=condition, orderby=OLDEST_FIRST,
                           top=connection.settings.page_size, skip=skip)
    return rows, (str(skip + len(rows)) if rows else None)


@kit.action("contact.list")
async def contact_list(connection: Connection, params: PageOf) -> ContactPage:
    """A page of every client person, oldest first (``GET /persons``)."""
    found, following = await page_of(connection, PEOPLE, params)
    return ContactPage(records=[contact_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)


@kit.action("company.list")
async def company_list(connection: Connection, params: PageOf) -> CompanyPage:
    """A page of every client company and department, oldest first (``GET /persons``)."""
    found, following = await page_of(connection, COMPANIES, params)
    return CompanyPage(records=[company_to_canonical(r, connection.name) for r in found],
                       next_cursor=following)
