"""Query options the sandbox reads through the core OData engine, beyond what the vendor
notes pin down."""

from __future__ import annotations

import pytest

from .test_sandbox import values


@pytest.mark.parametrize("top", ["1.5", "1e2", "+5"])
def test_top_is_a_whole_number(api, top):
    answer = api.get("/Deals", params={"$top": top})
    assert answer.status_code == 400 and "$top" in answer.json()["error"]["message"]


def test_select_star_and_select_of_a_navigation(api):
    [deal] = values(api.get("/Deals", params={"$select": "*"}))
    assert "Title" in deal and "Contact" not in deal
    [deal] = values(api.get("/Deals", params={"$select": "Contact",
                                              "$expand": "Contact($select=Name)"}))
    assert deal == {"Contact": {"Name": "Exemplo Ltda"}}


def test_unknown_properties_are_refused_even_when_nothing_matches(api):
    assert values(api.get("/Webhooks")) == []
    for params in ({"$filter": "Nope eq 1"}, {"$orderby": "Nope"}, {"$select": "Nope"}):
        assert api.get("/Webhooks", params=params).status_code == 400


def test_lists_kept_in_a_row_take_their_own_options(api):
    [company] = values(api.get("/Contacts", params={
        "$filter": "Id eq 40000100", "$select": "Id",
        "$expand": "Phones($filter=TypeId eq 2),OtherProperties($select=FieldKey;$top=0)"}))
    assert company == {"Id": 40000100, "Phones": [], "OtherProperties": []}


def test_blank_filter_and_lambda_over_a_value(api):
    assert values(api.get("/Deals", params={"$filter": "  "}))
    answer = api.get("/Deals", params={"$filter": "Title/any(t: t eq 'x')"})
    assert answer.status_code == 400 and "not a collection" in answer.json()["error"]["message"]
