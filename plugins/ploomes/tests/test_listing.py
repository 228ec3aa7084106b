"""Every Ploomes person and company listed a page at a time through the sandbox
(``contact.list``, ``company.list``): each record once, in ``Id`` order, pages of 300
(complete even when an answer is cut short), and the vendor's errors raised."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from pontes.plugin import VendorError
from pontes.testing import every_page

pytestmark = pytest.mark.anyio

PERSON, COMPANY = 2, 1


def add(api, type_id: int, count: int) -> list[int]:
    answer = api.post("/_sandbox/ploomes/records/Contacts", json=[
        {"TypeId": type_id, "Name": f"C{n:03d}", "Email": f"c{n:03d}@example.com"}
        for n in range(count)])
    return answer.raise_for_status().json()["ids"]


def stored_ids(api, type_id: int) -> list[int]:
    rows = api.get("/_sandbox/ploomes/records/Contacts").raise_for_status().json()
    return sorted(r["Id"] for r in rows if r["TypeId"] == type_id)


def contact_reads(api) -> list[dict[str, str]]:
    return [{name: value for name, [value] in parse_qs(r["query"]).items()}
            for r in api.get("/_sandbox/requests").json()
            if r["method"] == "GET" and r["path"] == "/Contacts"]


async def test_people_are_listed_once_over_several_pages_in_id_order(api, connection):
    made = add(api, PERSON, 650)
    people, sizes = await every_page(connection, "contact.list")
    ids = [int(p.refs[connection.name]) for p in people]
    assert ids == stored_ids(api, PERSON) and set(made) <= set(ids)
    assert sizes == [300, 300, len(ids) - 600], "a page shorter than 300 is the last"
    by_id = {int(p.refs[connection.name]): p for p in people}
    assert by_id[made[7]].emails == ["c007@example.com"] and by_id[made[7]].name == "C007"
    reads = contact_reads(api)
    assert [r.get("$skip", "0") for r in reads] == ["0", "300", "600"]
    assert all(r["$top"] == "300" and r["$orderby"] == "Id" and r["$filter"] == "TypeId eq 2"
               for r in reads)


async def test_a_person_created_while_listing_comes_once_at_the_end(api, connection):
    add(api, PERSON, 310)
    first = await connection.call("contact.list")
    made = api.post("/Contacts", json={"TypeId": PERSON, "Name": "Nova"}).raise_for_status()
    new_id = made.json()["value"][0]["Id"]
    rest = await connection.call("contact.list", cursor=first.next_cursor)
    assert rest.next_cursor is None
    ids = [int(p.refs[connection.name]) for p in first.records + rest.records]
    assert ids == stored_ids(api, PERSON) and ids[-1] == new_id


async def test_a_page_the_vendor_cuts_short_is_completed_from_its_next_link(api, connection):
    add(api, COMPANY, 320)
    api.post("/_sandbox/ploomes/config", json={"page_size": 120}).raise_for_status()
    companies, sizes = await every_page(connection, "company.list")
    ids = [int(c.refs[connection.name]) for c in companies]
    assert ids == stored_ids(api, COMPANY) and sizes == [300, len(ids) - 300]
    assert [r.get("$top") for r in contact_reads(api)] == ["300", "180", "60", "300"], \
        "the first page took three answers (120, 120, 60), the last one answer"


async def test_an_empty_list_is_one_empty_page(api, connection):
    for company_id in stored_ids(api, COMPANY):
        api.patch(f"/Contacts({company_id})", json={"TypeId": PERSON}).raise_for_status()
    page = await connection.call("company.list")
    assert page.records == [] and page.next_cursor is None


async def test_a_vendor_error_while_listing_is_raised_with_its_reason(api, connection):
    api.post("/_sandbox/faults", json={
        "status": 400, "count": 1, "method": "GET", "path": "/Contacts",
        "body": {"error": {"code": "", "message": "The query is too complex."}}}
             ).raise_for_status()
    with pytest.raises(VendorError, match="The query is too complex") as raised:
        await connection.call("contact.list", cursor="300")
    assert raised.value.status == 400


@pytest.mark.parametrize("cursor", ["-1", "next", "1" * 30])
async def test_a_cursor_the_list_did_not_give_is_refused_by_name(connection, cursor):
    with pytest.raises(ValueError, match="cursor .* is not one this list gave"):
        await connection.call("company.list", cursor=cursor)


def test_the_sandbox_refuses_paging_values_that_are_not_whole_numbers(api):
    for option, value in (("$top", "-1"), ("$top", "many"), ("$skip", "2.5")):
        refused = api.get("/Contacts", params={option: value})
        assert refused.status_code == 400, (option, value)
        assert option in refused.json()["error"]["message"]
    assert len(api.get("/Contacts", params={"$top": "1000"}).json()["value"]) <= 300
