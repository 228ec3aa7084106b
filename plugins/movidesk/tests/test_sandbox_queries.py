"""Query options the sandbox reads through the core OData engine, beyond the subset the
vendor notes pin down (raw HTTP, no plugin code involved)."""

from __future__ import annotations


def _select(sandbox, path="/tickets", **params):
    return sandbox.call("GET", path, **params)


def test_option_names_are_read_in_any_case(sandbox):
    rows = _select(sandbox, **{"$SELECT": "ID", "$Filter": "Id Eq 1002"}).json()
    assert rows == [{"id": 1002}]


def test_expanded_lists_take_their_own_options(sandbox):
    rows = _select(sandbox, **{"$select": "id", "$filter": "id eq 1001", "$expand": (
        "actions($select=id,origin;$filter=origin eq 2;$orderby=id desc;$top=1)")}).json()
    assert rows == [{"id": 1001, "actions": [{"id": 2, "origin": 2}]}]
    refused = _select(sandbox, **{"$select": "id", "$expand": "actions($count=true)"})
    assert refused.status_code == 400 and "$count" in refused.json()["Message"]


def test_only_people_and_lists_can_be_expanded(sandbox):
    refused = _select(sandbox, **{"$select": "id", "$expand": "subject"})
    assert refused.status_code == 400 and refused.json()["Message"].startswith("$expand")


def test_any_without_a_condition_and_orderby_over_a_path(sandbox):
    rows = _select(sandbox, **{"$select": "id", "$filter": "clients/any()",
                               "$orderby": "owner/businessName desc, id desc"}).json()
    assert [r["id"] for r in rows] == [1003, 1001, 1002]


def test_single_reads_check_every_option(sandbox):
    assert _select(sandbox, id=1001, **{"$top": "many"}).status_code == 400
    assert _select(sandbox, id=1001, **{"$filter": "id eq 1001"}).status_code == 200
    assert _select(sandbox, id=1001, **{"$filter": "id eq"}).status_code == 400


def test_an_impossible_date_is_a_400(sandbox):
    answer = _select(sandbox, **{"$select": "id", "$filter": "lastUpdate gt 2024-13-45T00:00:00Z"})
    assert answer.status_code == 400 and answer.json()["Message"].startswith("$filter")


def test_single_reads_check_what_they_expand(sandbox):
    for path, ticket in (("/tickets", 1001), ("/tickets/past", 1004)):
        known = _select(sandbox, path, id=ticket, **{
            "$expand": "clients($expand=organization),actions,customFieldValues($expand=items)"})
        assert known.status_code == 200 and known.json()["id"] == ticket
        unknown = _select(sandbox, path, id=ticket, **{"$expand": "actions,nothing"})
        assert unknown.status_code == 400 and "nothing" in unknown.json()["Message"]
        scalar = _select(sandbox, path, id=ticket, **{"$expand": "subject"})
        assert scalar.status_code == 400 and scalar.json()["Message"].startswith("$expand")
