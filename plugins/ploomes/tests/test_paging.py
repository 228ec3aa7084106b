"""Paging past one answer: the sandbox's ``@odata.nextLink`` and ``$inlinecount``, and the
client following next links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from pontes_ploomes.client import Query, fetch_all, link_request

from .test_sandbox import values


def add_persons(api, count):
    api.post("/_sandbox/ploomes/records/Contacts",
             json=[{"TypeId": 2, "Name": f"P{n:03d}"} for n in range(count)]).raise_for_status()


def link_options(link: str) -> dict[str, str]:
    return {name: value for name, [value] in parse_qs(urlsplit(link).query).items()}


def deal_reads(api) -> list[dict[str, str]]:
    return [{name: value for name, [value] in parse_qs(r["query"]).items()}
            for r in api.get("/_sandbox/requests").json()
            if r["method"] == "GET" and r["path"] == "/Deals"]


def test_an_answer_cut_at_300_links_to_the_rest(api):
    add_persons(api, 400)                                    # 404 contacts with the seed
    first = api.get("/Contacts", params={"$select": "Id", "$filter": "TypeId eq 2"}).json()
    assert len(first["value"]) == 300
    link = first["@odata.nextLink"]
    assert urlsplit(link).path == "/Contacts"
    assert link_options(link) == {"$select": "Id", "$filter": "TypeId eq 2", "$skip": "300"}
    rest = api.get(link).json()
    assert len(rest["value"]) == 102 and "@odata.nextLink" not in rest
    ids = [row["Id"] for row in first["value"] + rest["value"]]
    assert len(set(ids)) == 402


def test_the_link_asks_for_what_remains_of_a_top_above_300(api):
    add_persons(api, 400)
    first = api.get("/Contacts", params={"$top": 350, "$orderby": "Name"}).json()
    assert len(first["value"]) == 300
    assert link_options(first["@odata.nextLink"]) == {"$orderby": "Name", "$top": "50",
                                                     "$skip": "300"}
    rest = api.get(first["@odata.nextLink"]).json()
    assert len(rest["value"]) == 50 and "@odata.nextLink" not in rest


def test_no_link_when_the_answer_is_whole(api):
    add_persons(api, 400)
    for params in ({"$top": 300}, {"$top": 10}, {"$skip": 300}, {"$filter": "TypeId eq 1"}):
        assert "@odata.nextLink" not in api.get("/Contacts", params=params).json()


def test_the_link_names_the_host_the_request_was_served_from(api):
    add_persons(api, 300)
    answer = api.get("/Contacts", headers={"Host": "public6-api2.ploomes.com"}).json()
    assert answer["@odata.nextLink"].startswith("http://public6-api2.ploomes.com/Contacts?")


def test_inlinecount_counts_like_count(api):
    counted = api.get("/Deals", params={"$inlinecount": "allpages", "$top": 0}).json()
    assert counted["@odata.count"] == 1 and counted["value"] == []
    assert "@odata.count" not in api.get("/Deals", params={"$inlinecount": "none"}).json()
    wrong = api.get("/Deals", params={"$inlinecount": "yes"})
    assert wrong.status_code == 400 and "$inlinecount" in wrong.json()["error"]["message"]


def test_the_page_size_is_a_sandbox_setting(api):
    assert api.get("/_sandbox/ploomes/config").json()["page_size"] == 300
    api.post("/_sandbox/ploomes/config", json={"page_size": 2}).raise_for_status()
    answer = api.get("/Contacts").json()
    assert len(answer["value"]) == 2 and link_options(answer["@odata.nextLink"]) == {"$skip": "2"}
    assert api.post("/_sandbox/ploomes/config", json={"page_size": 0}).status_code == 400
    api.post("/_sandbox/reset").raise_for_status()
    assert len(values(api.get("/Contacts"))) == 4


@pytest.mark.anyio
async def test_fetch_all_follows_next_links_when_pages_are_cut_short(connection, api):
    api.post("/_sandbox/ploomes/records/Deals",
             json=[{"Title": f"Deal {n}"} for n in range(650)]).raise_for_status()
    api.post("/_sandbox/ploomes/config", json={"page_size": 120}).raise_for_status()
    rows = await fetch_all(connection.client, "/Deals", Query(select=("Id",)))
    assert len(rows) == 651 and len({row["Id"] for row in rows}) == 651
    reads = deal_reads(api)
    assert [(r.get("$top"), r.get("$skip")) for r in reads] == [
        ("300", None), ("180", "120"), ("60", "240"),        # one page of 300, by links
        ("300", "300"), ("180", "420"), ("60", "540"),
        ("300", "600")]                                      # 51 rows left: the last page
    assert all(r["$orderby"] == "Id" and r["$select"] == "Id" for r in reads)


@pytest.mark.anyio
async def test_fetch_all_with_a_limit_follows_links_no_further_than_the_limit(connection, api):
    api.post("/_sandbox/ploomes/records/Deals",
             json=[{"Title": f"Deal {n}"} for n in range(400)]).raise_for_status()
    api.post("/_sandbox/ploomes/config", json={"page_size": 100}).raise_for_status()
    rows = await fetch_all(connection.client, "/Deals", Query(), limit=250)
    assert len(rows) == 250
    assert [(r.get("$top"), r.get("$skip")) for r in deal_reads(api)] == [
        ("250", None), ("150", "100"), ("50", "200")]


@pytest.mark.parametrize(("base", "link", "expected"), [
    ("https://public-api2.ploomes.com", "https://public6-api2.ploomes.com/Deals?$skip=300",
     ("/Deals", {"$skip": "300"})),
    ("http://127.0.0.1:9/ploomes", "http://127.0.0.1:9/ploomes/Deals?$top=5&$skip=10",
     ("/Deals", {"$top": "5", "$skip": "10"})),
    ("https://api2.ploomes.com", "Deals?$skip=300&$filter=Title%20eq%20%27a%26b%27",
     ("/Deals", {"$skip": "300", "$filter": "Title eq 'a&b'"})),
])
def test_a_link_is_asked_of_the_connections_own_host(base, link, expected):
    assert link_request(base, link) == expected
