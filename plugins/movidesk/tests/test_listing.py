"""Every Movidesk client person and company listed a page at a time through the sandbox
(``contact.list``, ``company.list``): each record once, oldest first, agents left out,
at the vendor's rate; and the ``/persons`` list as the sandbox pages it (``$top`` capped
at 100, bad paging values refused, three failures in a row locking the token out)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from pontes.plugin import VendorError
from pontes.testing import every_page

from .conftest import Sandbox

pytestmark = pytest.mark.anyio

DEMO_PEOPLE = ["cli-maria", "cli-joao", "cli-carla"]
DEMO_COMPANIES = ["org-acme", "org-padaria"]


def seed_people(sandbox, count: int) -> list[str]:
    """``count`` client people created one second apart long before the demo's people,
    their ids in reverse alphabetical order (so creation order is not id order); returns
    them oldest first."""
    ids = [f"p-{count - n:03}" for n in range(count)]
    sandbox.control("POST", "/seed", {"persons": [
        {"id": person_id, "personType": 1, "businessName": f"Pessoa {n}",
         "createdDate": f"2001-01-01T00:{n // 60:02}:{n % 60:02}.0000000",
         "emails": [{"emailType": "Profissional", "email": f"{person_id}@example.com",
                     "isDefault": True}]}
        for n, person_id in enumerate(ids)]})
    return ids


def person_queries(sandbox) -> list[dict]:
    return [parse_qs(r["query"]) for r in sandbox.control("GET", "/requests")
            if r["path"].endswith("/persons") and r["method"] == "GET"]


async def test_people_are_listed_once_over_several_pages_oldest_first(connect, sandbox):
    sandbox.control("POST", "/seed", {"persons": [
        {"id": "agent-new", "personType": 1, "profileType": 1, "accessProfile": "Agentes",
         "businessName": "Agente Novo"}]})
    made = seed_people(sandbox, 25)
    conn = connect(sandbox, page_size=10)

    people, sizes = await every_page(conn, "contact.list")

    ids = [p.refs[conn.name] for p in people]
    assert ids[:25] == made and sorted(ids[25:]) == sorted(DEMO_PEOPLE)
    assert sizes == [10, 10, 8, 0], "pages of page_size, the list ends at an empty page"
    assert "agent-new" not in ids and not set(DEMO_COMPANIES) & set(ids)
    assert people[24].emails == [f"{made[-1]}@example.com"]
    assert people[24].name == "Pessoa 24"
    queries = person_queries(sandbox)
    assert [q.get("$skip", ["0"])[0] for q in queries] == ["0", "10", "20", "28"]
    assert all(q["$top"] == ["10"] and q["$orderby"] == ["createdDate asc, id asc"]
               for q in queries)


async def test_a_person_created_while_listing_comes_once_after_the_pages_read(connect, sandbox):
    made = seed_people(sandbox, 12)
    conn = connect(sandbox, page_size=10)
    first = await conn.call("contact.list")
    sandbox.call("POST", "/persons", json={
        "isActive": True, "personType": 1, "profileType": 2, "businessName": "Aaron Novo",
        "id": "a-new"}).raise_for_status()
    rest, cursor = [], first.next_cursor
    while cursor is not None:
        page = await conn.call("contact.list", cursor=cursor)
        rest += page.records
        cursor = page.next_cursor
    ids = [p.refs[conn.name] for p in first.records + rest]
    assert ids[:12] == made and ids[-1] == "a-new"
    assert sorted(ids[12:-1]) == sorted(DEMO_PEOPLE)


async def test_companies_and_departments_are_listed_and_an_empty_list_is_one_empty_page(
        connect, sandbox):
    sandbox.control("POST", "/seed", {"persons": [
        {"id": "dep-fiscal", "personType": 4, "businessName": "Fiscal"}]})
    conn = connect(sandbox)
    companies, sizes = await every_page(conn, "company.list")
    assert sorted(c.refs[conn.name] for c in companies) == sorted(
        [*DEMO_COMPANIES, "dep-fiscal"])
    assert sizes == [3, 0]

    for person_id in [*DEMO_COMPANIES, "dep-fiscal"]:
        sandbox.call("DELETE", "/persons", id=person_id).raise_for_status()
    page = await conn.call("company.list")
    assert page.records == [] and page.next_cursor is None


async def test_a_list_longer_than_the_rate_allows_waits_its_turns_without_a_429(connect):
    slow = Sandbox(requests_per_minute=2, minute=1.0)
    try:
        made = seed_people(slow, 25)
        conn = connect(slow, page_size=10, rate_window_seconds=1.0)
        people, sizes = await every_page(conn, "contact.list")
        assert [p.refs[conn.name] for p in people][:25] == made and sizes == [10, 10, 8, 0]
        statuses = [r["status"] for r in slow.control("GET", "/requests")
                    if r["path"].endswith("/persons")]
        assert statuses == [200] * 4, "the client kept to the vendor's rate"
    finally:
        slow.stop()


async def test_a_vendor_error_while_listing_is_raised_with_its_status(connect, sandbox):
    sandbox.control("POST", "/faults", {"status": 500, "count": 1, "method": "GET",
                                        "path": "/public/v1/persons"})
    with pytest.raises(VendorError) as raised:
        await connect(sandbox).call("contact.list", cursor="100")
    assert raised.value.status == 500


@pytest.mark.parametrize("cursor", ["-1", "next", "1" * 30])
async def test_a_cursor_the_list_did_not_give_is_refused_by_name(conn, cursor):
    with pytest.raises(ValueError, match="cursor .* is not one this list gave"):
        await conn.call("company.list", cursor=cursor)


def test_the_sandbox_caps_a_person_page_at_100_and_refuses_bad_paging(sandbox):
    seed_people(sandbox, 120)
    big = sandbox.call("GET", "/persons", **{"$select": "id", "$top": "500"})
    assert big.status_code == 200 and len(big.json()) == 100
    rest = sandbox.call("GET", "/persons", **{"$select": "id", "$skip": "100"})
    assert len(rest.json()) == 120 + 7 - 100
    unselected = sandbox.call("GET", "/persons", **{"$top": "5"})
    assert unselected.status_code == 400 and "$select" in unselected.json()["Message"]
    for option, value in (("$top", "-5"), ("$top", "ten")):
        refused = sandbox.call("GET", "/persons", **{"$select": "id", option: value})
        assert refused.status_code == 400 and option in refused.json()["Message"]
    locked = sandbox.call("GET", "/persons", **{"$select": "id"})
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "60", \
        "three failed calls in a row lock the token out"
    sandbox.control("POST", "/clock", {"advance_seconds": 61})
    refused = sandbox.call("GET", "/persons", **{"$select": "id", "$skip": "1.5"})
    assert refused.status_code == 400 and "$skip" in refused.json()["Message"]
