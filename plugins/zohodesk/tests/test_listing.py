"""Every Zoho Desk contact and account listed a page at a time through the sandbox
(``contact.list``, ``company.list``): each record once, oldest first."""

from __future__ import annotations

import pytest
from pontes.testing import every_page

pytestmark = pytest.mark.anyio


async def test_every_contact_and_account_is_listed_once_over_pages(desk, desk_connection):
    made = [desk.contact(email=f"p{n}@example.com", lastName=f"P{n}")["id"]
            for n in range(130)]
    contacts, sizes = await every_page(desk_connection, "contact.list")
    ids = [c.refs[desk_connection.name] for c in contacts]
    assert len(sizes) == 2 and ids == made
    assert contacts[7].emails == ["p7@example.com"] and contacts[7].last_name == "P7"

    account = desk.api("POST", "/accounts", {"accountName": "Acme"}).json()
    companies, _ = await every_page(desk_connection, "company.list")
    assert [(c.refs[desk_connection.name], c.name) for c in companies] == \
        [(account["id"], "Acme")]


@pytest.mark.parametrize("cursor", ["-1", "0", "²", "next", "1" * 30])
async def test_a_cursor_the_list_did_not_give_is_refused_by_name(desk_connection, cursor):
    with pytest.raises(ValueError, match="cursor .* is not one this list gave"):
        await desk_connection.call("contact.list", cursor=cursor)
