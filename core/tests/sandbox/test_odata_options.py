"""``$select``, ``$expand``, ``$orderby``, ``$top``, ``$skip`` and ``$count`` in both
dialects, and the dialect and schema checks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pontes.sandbox.odata import (
    Dialect,
    EntityType,
    Navigation,
    ODataError,
    QueryEngine,
    Schema,
)
from pontes.sandbox.odata.options import split_top_level

from .conftest import CRM, HELPDESK, PERSON, TICKET

# --- which options ----------------------------------------------------------------------


@pytest.mark.parametrize("option", ["$count", "$search", "$format", "$apply"])
def test_options_outside_the_dialect_are_refused(helpdesk, option):
    with pytest.raises(ODataError, match=rf"The query parameter '\{option}' is not supported\."):
        helpdesk.query(**{"$select": "id", option: "true"})


def test_parameters_without_a_dollar_are_left_alone(helpdesk, crm):
    assert helpdesk.query(id="1", token="t").select is None
    assert crm.query("CRM.Deals", foo="bar").count is False


def test_option_names_match_in_any_case_only_where_the_dialect_says(helpdesk, crm):
    query = helpdesk.query(**{"$SELECT": "ID", "$Filter": "ID eq 2"})
    assert query.select == ("id",)
    assert [row["id"] for row in query.run(helpdesk.tickets)[0]] == [2]
    with pytest.raises(ODataError, match="'\\$Select' is not supported"):
        crm.query("CRM.Deals", **{"$Select": "Id"})


# --- $top, $skip, $count ----------------------------------------------------------------


def test_top_is_cut_to_the_maximum_and_is_the_default_page(helpdesk):
    small = QueryEngine(replace(HELPDESK, max_top=2), Schema([TICKET, PERSON]))
    assert small.parse("Ticket", {"$top": "500"}).top == 2
    assert small.parse("Ticket", {}).top == 2
    assert small.parse("Ticket", {"$top": "1"}).top == 1
    rows, matched = small.parse("Ticket", {"$skip": "1"}).run(helpdesk.tickets)
    assert [row["id"] for row in rows] == [2, 3] and matched == 4


@pytest.mark.parametrize("value", ["-1", "1.5", "1e2", "+5", "ten", ""])
def test_top_and_skip_are_whole_numbers(crm, value):
    for option in ("$top", "$skip"):
        with pytest.raises(ODataError, match=rf"\{option} must be a whole number"):
            crm.query("CRM.Deals", **{option: value})


def test_count_is_the_number_matched_before_paging(crm):
    query = crm.query("CRM.Deals", **{"$count": "TRUE", "$top": "1", "$filter": "Won"})
    rows, matched = query.run(crm.deals)
    assert query.count and matched == 2 and [row["Id"] for row in rows] == [1]
    assert not crm.query("CRM.Deals", **{"$count": "false"}).count


def test_inlinecount_counts_only_where_the_dialect_takes_it(crm):
    with pytest.raises(ODataError, match=r"'\$inlinecount' is not supported\."):
        crm.query("CRM.Deals", **{"$inlinecount": "allpages"})
    v3 = QueryEngine(replace(CRM, options=CRM.options | {"$inlinecount"}), crm.engine.schema)
    query = v3.parse("CRM.Deals", {"$inlinecount": "AllPages", "$top": "1", "$filter": "Won"})
    assert query.count and query.run(crm.deals)[1] == 2
    assert not v3.parse("CRM.Deals", {"$inlinecount": "none"}).count
    with pytest.raises(ODataError, match="\\$inlinecount must be allpages or none, got 'true'"):
        v3.parse("CRM.Deals", {"$inlinecount": "true"})
    with pytest.raises(ODataError, match="'\\$inlinecount' is not supported inside \\$expand"):
        v3.parse("CRM.Deals", {"$expand": "Contact($inlinecount=allpages)"})


@pytest.mark.parametrize(("params", "expected"), [
    ({}, (3, None)),                          # no $top: the page limit cut it, the rest follows
    ({"$skip": "3"}, None),                   # the last page
    ({"$top": "10"}, (3, 7)),                 # asked for more than a page: the rest of what was asked
    ({"$top": "4", "$skip": "1"}, None),      # cut to 3 rows, but no row is left after them
    ({"$top": "3"}, None),                    # the $top asked was met
    ({"$top": "2"}, None),
    ({"$filter": "Won"}, None),               # fewer matched than a page
])
def test_next_page_is_where_the_rest_of_a_cut_answer_is(crm, params, expected):
    paged = QueryEngine(replace(CRM, max_top=3, next_links=True), crm.engine.schema)
    query = paged.parse("CRM.Deals", params)
    _, matched = query.run(crm.deals)
    assert query.next_page(matched) == expected


def test_next_page_is_none_unless_the_dialect_gives_next_links(crm):
    cut = QueryEngine(replace(CRM, max_top=3), crm.engine.schema).parse("CRM.Deals", {})
    assert cut.run(crm.deals)[0] and cut.next_page(4) is None


# --- $select ----------------------------------------------------------------------------


def test_select_names_declared_properties(helpdesk, crm):
    assert helpdesk.query(**{"$select": "ID, Subject"}).select == ("id", "subject")
    with pytest.raises(ODataError, match="\\$select: could not find a property named 'nope' "
                                         "on type 'Ticket'"):
        helpdesk.query(**{"$select": "id,nope"})
    with pytest.raises(ODataError, match="'title'"):
        crm.query("CRM.Deals", **{"$select": "title"})


def test_shape_keeps_what_is_selected_in_order(helpdesk):
    query = helpdesk.query(**{"$select": "subject,id,owner"})
    assert query.shape(helpdesk.tickets[0]) == {"subject": "Impressora", "id": 1}
    everything = helpdesk.query(**{"$select": "*"}).shape(helpdesk.tickets[0])
    assert set(everything) == set(TICKET.properties)


def test_without_select_every_property_and_no_expand_only_navigation(crm):
    assert crm.query("CRM.Deals").shape(crm.deals[0]) == {
        "Id": 1, "Title": "Upgrade", "Amount": 10.5, "ContactId": 10,
        "When": "2025-03-10T11:00:00-03:00", "Won": True}


def test_navigations_not_expand_only_come_when_selected(helpdesk):
    person = helpdesk.persons[0]
    assert helpdesk.query("Person", **{"$select": "id,emails"}).shape(person) == {
        "id": "p1", "emails": [{"email": "a@acme.example", "isDefault": True}]}
    assert "emails" in helpdesk.query("Person", **{"$select": "*"}).shape(person)


def test_selecting_only_a_navigation_gives_only_that_navigation(crm):
    query = crm.query("CRM.Deals", **{"$select": "Contact", "$expand": "Contact($select=Name)"})
    assert query.shape(crm.deals[0]) == {"Contact": {"Name": "Exemplo Ltda"}}


# --- $expand ----------------------------------------------------------------------------


def test_expand_objects_of_no_declared_type(helpdesk):
    query = helpdesk.query(**{
        "$select": "id",
        "$expand": "OWNER,clients($select=ID,nope;$expand=organization),"
                   "actions($select=id;$filter=origin eq 2;$orderby=id desc;$top=1)"})
    assert query.shape(helpdesk.tickets[0]) == {
        "id": 1,
        "owner": {"id": "agent-ana", "team": "Suporte"},
        "clients": [{"id": "cli-1", "organization": {"id": "org-acme", "name": "Acme"}}],
        "actions": [{"id": 3}],
    }
    assert query.shape(helpdesk.tickets[1]) == {"id": 2, "owner": None, "clients": [],
                                                "actions": []}


def test_nested_options_apply_below_an_item_taken_whole(helpdesk):
    query = helpdesk.query(**{"$select": "id", "$expand": "clients($expand=organization($select=id))"})
    assert query.shape(helpdesk.tickets[0])["clients"] == [
        {"id": "cli-1", "email": "Maria@Acme.example", "organization": {"id": "org-acme"}}]


def test_expand_typed_navigations_with_their_own_options(crm):
    query = crm.query("CRM.Contacts", **{
        "$select": "Name",
        "$expand": "Deals($select=Id,Title;$filter=Won;$orderby=Id desc;"
                   "$expand=Contact($select=Id)),Phones($select=PhoneNumber;$skip=1)"})
    assert query.shape(crm.contacts[0]) == {
        "Name": "Exemplo Ltda",
        "Deals": [{"Id": 4, "Title": "Serviço", "Contact": {"Id": 10}},
                  {"Id": 1, "Title": "Upgrade", "Contact": {"Id": 10}}],
        "Phones": [{"PhoneNumber": "(11) 5555-6666"}],
    }


def test_expanded_lists_are_whole_unless_they_ask_for_a_page(crm):
    small = QueryEngine(replace(crm.engine.dialect, max_top=1), crm.engine.schema)
    contact = crm.contacts[0]
    assert len(small.parse("CRM.Contacts", {"$expand": "Deals"}).shape(contact)["Deals"]) == 2
    capped = small.parse("CRM.Contacts", {"$expand": "Deals($top=5)"}).shape(contact)
    assert len(capped["Deals"]) == 1


@pytest.mark.parametrize("expand, message", [
    ("Nope", "$expand: could not find a property named 'Nope' on type 'CRM.Deals'"),
    ("Title", "$expand: 'Title' of type 'CRM.Deals' is not a navigation property"),
    ("Contact($select=Nope)", "$select: could not find a property named 'Nope' on type "
                              "'CRM.Contacts'"),
    ("Contact($count=true)", "The query parameter '$count' is not supported inside $expand."),
    ("Contact($levels=2)", "The query parameter '$levels' is not supported inside $expand."),
    ("Contact($select=Id", "$expand: unbalanced parentheses or quotes"),
    ("Contact($select=Id)x", "$expand: cannot read 'Contact($select=Id)x'"),
    ("Contact($filter=Name eq 'a,b)", "$expand: unbalanced parentheses or quotes"),
])
def test_bad_expands(crm, expand, message):
    with pytest.raises(ODataError) as refused:
        crm.query("CRM.Deals", **{"$expand": expand})
    assert message in str(refused.value)


def test_quoted_text_may_hold_separators(crm):
    query = crm.query("CRM.Contacts", **{"$expand": "Deals($filter=Title eq 'a,b;(c)')"})
    assert query.shape(crm.contacts[0])["Deals"] == []
    assert split_top_level("a, 'b,c' ,, d(e,f)", ",", "$x") == ["a", "'b,c'", "d(e,f)"]


def test_a_scalar_cannot_be_expanded_even_where_names_are_forgiving(helpdesk):
    with pytest.raises(ODataError, match="'subject' of type 'Ticket' is not a navigation"):
        helpdesk.query(**{"$expand": "subject"})


# --- $orderby ---------------------------------------------------------------------------


def test_default_order_applies_to_top_level_lists(helpdesk):
    shuffled = list(reversed(helpdesk.tickets))
    rows, _ = helpdesk.query(**{"$select": "id"}).run(shuffled)
    assert [row["id"] for row in rows] == [1, 2, 3, 4]


def test_orderby_nulls_first_ascending_and_last_descending(helpdesk, crm):
    assert helpdesk.ids(**{"$orderby": "lastUpdate"}) == [3, 1, 2, 4]
    assert helpdesk.ids(**{"$orderby": "LASTUPDATE DESC"}) == [4, 2, 1, 3]
    rows, _ = crm.query("CRM.Deals", **{"$orderby": "Amount desc"}).run(crm.deals)
    assert [row["Id"] for row in rows] == [1, 4, 2, 3]


def test_orderby_several_keys_text_without_case_and_paths(crm, helpdesk):
    rows, _ = crm.query("CRM.Deals", **{"$orderby": "Won desc, Title"}).run(crm.deals)
    assert [row["Id"] for row in rows] == [4, 1, 2, 3]
    rows, _ = crm.query("CRM.Deals", **{"$orderby": "Contact/Name desc,Id"}).run(crm.deals)
    assert [row["Id"] for row in rows] == [2, 1, 4, 3]
    assert helpdesk.ids(**{"$orderby": "owner/id desc, id desc"}) == [3, 4, 1, 2]


def test_orderby_survives_values_of_mixed_types(helpdesk):
    helpdesk.tickets[1]["subject"] = 7
    helpdesk.tickets[2]["subject"] = {"text": "x"}
    assert helpdesk.ids(**{"$orderby": "subject"}) == [2, 1, 4, 3]


@pytest.mark.parametrize("orderby, message", [
    ("Title sideways", "$orderby: cannot read 'Title sideways'"),
    ("Title asc desc", "$orderby: cannot read"),
    ("Nope", "$orderby: could not find a property named 'Nope'"),
    ("Contact/Nope", "on type 'CRM.Contacts'"),
    ("Tags/any()", "$orderby: syntax error"),
    ("(Title)", "$orderby: syntax error"),
])
def test_bad_orderby(crm, orderby, message):
    with pytest.raises(ODataError) as refused:
        crm.query("CRM.Deals", **{"$orderby": orderby})
    assert message in str(refused.value)


# --- dialects and schemas ---------------------------------------------------------------


@pytest.mark.parametrize("settings, message", [
    ({"max_top": 0}, "max_top"),
    ({"max_top": 10, "options": frozenset({"$search"})}, "options"),
    ({"max_top": 10, "functions": frozenset({"substringof"})}, "functions"),
])
def test_dialects_hold_only_what_the_engine_knows(settings, message):
    with pytest.raises(ValueError, match=message):
        Dialect(**settings)


def test_schemas_check_navigation_targets():
    with pytest.raises(ValueError, match="Deal.Owner leads to an unknown type 'User'"):
        Schema([EntityType("Deal", ("Id",), {"Owner": Navigation("User")})])
