"""Query building: key syntax, filters and query options (literals: core's
``pontes.odata``)."""

from __future__ import annotations

import pytest
from pontes_ploomes.client import (
    MAX_TOP,
    Query,
    all_of,
    any_in,
    any_of,
    contains,
    eq,
    key_path,
    record_id,
)


def test_key_syntax_uses_parentheses():
    assert key_path("Deals", 123) == "/Deals(123)"
    assert key_path("Deals", "123", "Win") == "/Deals(123)/Win"


@pytest.mark.parametrize("bad", ["abc", "", None, "12a", -3, 0])
def test_key_syntax_rejects_non_ids(bad):
    with pytest.raises(ValueError, match="Deals id"):
        key_path("Deals", bad)


def test_record_id_names_the_field():
    with pytest.raises(ValueError, match="deal.stage must be a Ploomes id"):
        record_id("first", "deal.stage")


def test_filters_group_alternatives_inside_conjunctions():
    clause = all_of(eq("TypeId", 2), any_of(eq("ContactId", 5), eq("PersonId", 5)), None)
    assert clause == "TypeId eq 2 and (ContactId eq 5 or PersonId eq 5)"
    assert any_in("Phones", "p", contains("p/PhoneNumber", "5678")) == \
        "Phones/any(p: contains(p/PhoneNumber, '5678'))"


def test_query_params_cap_top_and_skip_zero():
    params = Query(filter="Id eq 1", expand=("Phones", "OtherProperties"), select=("Id",),
                   orderby="Id", top=1000, skip=0).params()
    assert params == {"$filter": "Id eq 1", "$expand": "Phones,OtherProperties",
                      "$select": "Id", "$orderby": "Id", "$top": str(MAX_TOP)}
    assert Query().page(50, 600).params() == {"$top": "50", "$skip": "600"}
