"""Every Bigin contact and company listed a page at a time through the sandbox
(``contact.list``, ``company.list``): each record once, in the order they were made."""

import httpx
import pytest
from pontes.testing import every_page


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_every_contact_and_company_is_listed_once_over_pages(sandbox_url,
                                                                   sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    before = {c.refs[connection.name] for c in (await every_page(connection,
                                                                 "contact.list"))[0]}
    rows = [{"Last_Name": f"P{n}", "Email": f"p{n}@example.com"} for n in range(230)]
    answer = httpx.post(f"{url}/_sandbox/records/Contacts", json=rows)
    made = answer.json()["ids"]
    contacts, sizes = await every_page(connection, "contact.list")
    ids = [c.refs[connection.name] for c in contacts]
    assert len(sizes) == 2 and len(ids) == len(set(ids)) == len(made) + len(before)
    assert set(made) <= set(ids)
    assert next(c for c in contacts if c.refs[connection.name] == made[7]).emails == \
        ["p7@example.com"]

    company = await connection.call("company.create", {"name": "Acme"})
    companies, _ = await every_page(connection, "company.list")
    assert company.refs[connection.name] in {c.refs[connection.name] for c in companies}
    assert next(c for c in companies if c.name == "Acme")


@pytest.mark.anyio
@pytest.mark.parametrize("cursor", ["0", "²", "page-2"])
async def test_a_cursor_the_list_did_not_give_is_refused_by_name(sandbox_connection, cursor):
    with pytest.raises(ValueError, match="cursor .* is not one this list gave"):
        await sandbox_connection("bigin").call("company.list", cursor=cursor)
