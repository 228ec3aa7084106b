"""``$filter`` in both dialects: what each accepts, and how values compare."""

from __future__ import annotations

import pytest
from pontes.sandbox.odata import (
    Compare,
    EntityType,
    Literal,
    Logical,
    Navigation,
    ODataError,
    Property,
    QueryEngine,
    Schema,
)

from .conftest import CRM


def deal_ids(crm, text: str) -> list[int]:
    rows, _ = crm.query("CRM.Deals", **{"$filter": text}).run(crm.deals)
    return [row["Id"] for row in rows]


# --- the helpdesk dialect (as Movidesk) -------------------------------------------------


@pytest.mark.parametrize("expression, expected", [
    ("owner/id eq 'agent-ana'", [1, 4]),
    ("status eq 'Novo'", [1, 3]),
    ("STATUS Eq 'NOVO'", [1, 3]),
    ("Owner/ID eq 'AGENT-ANA' AND id GT 1", [4]),
    ("id gt 1", [2, 3, 4]),
    ("id eq '2'", [2]),
    ("amount gt 1000", [1]),
    ("amount eq 1530.75", [1]),
    ("amount ne 12", [1, 3, 4]),
    ("amount eq '1.530,75'", [3]),
    ("clients/any(c: c/email eq 'maria@acme.example')", [1]),
    ("clients/any(c: c/organization/id eq 'org-acme') and status ne 'Fechado'", [1]),
    ("clients/any()", [1, 3]),
    ("clients/all(c: c/nope eq null)", [1, 2, 3, 4]),
    ("tags/any(t: t eq 'URGENTE')", [3]),
    ("subject/any(s: s eq 'x')", []),
    ("not (id eq 1) and (status eq 'novo' or subject eq 'Senha')", [3, 4]),
    ("lastUpdate ge 2024-03-10T14:22:31.1234567Z", [1, 2]),
    ("lastUpdate gt 2024-03-10T14:22:31.123456z", [2]),
    ("lastUpdate lt 2030-01-01T00:00:00.00z", [1, 2]),
    ("lastUpdate ne 2030-01-01T00:00:00Z", [1, 2, 3, 4]),
    ("lastUpdate ge 2024-03-10T11:00:00-03:00", [1, 2]),
    ("owner eq null", [2]),
    ("owner/team eq null", [2, 3, 4]),
    ("owner/nope/deeper eq 'x'", []),
    ("subject gt 0", [1, 2, 3, 4]),
])
def test_helpdesk_filters(helpdesk, expression, expected):
    assert helpdesk.ids(**{"$select": "id", "$filter": expression}) == expected


@pytest.mark.parametrize("expression, message", [
    ("owner.id eq 'agent-ana'", "unexpected '.'"),
    ("ownerId eq 'agent-ana'", "could not find a property named 'ownerId' on type 'Ticket'"),
    ("id eq", "unexpected end"),
    ("id eq 1 and", "unexpected end"),
    ("(id eq 1", "expected ')'"),
    ("clients/any(c: c/email eq 'x'", "expected ')'"),
    ("id", "expected a comparison"),
    ("id eq subject", "expected a literal"),
    ("1 eq id", "expected a property name"),
    ("(id eq 1) eq true", "expected a property name"),
    ("contains(subject, 'x')", "unknown function"),
    ("clients/all()", "all() needs"),
    ("lastUpdate gt 2024-13-45T99:00:00Z", "not a date-time"),
    ("id eq 1 id", "unexpected 'id'"),
])
def test_helpdesk_refuses_what_movidesk_refuses(helpdesk, expression, message):
    with pytest.raises(ODataError, match="^\\$filter") as refused:
        helpdesk.query(**{"$filter": expression})
    assert message in str(refused.value)


def test_the_filter_tree_is_there_to_read(helpdesk):
    tree = helpdesk.query(**{"$filter": "LASTUPDATE ge 2024-01-01T00:00:00Z and ID gt 5"}).filter
    assert isinstance(tree, Logical) and tree.op == "and"
    assert tree.right == Compare("gt", Property(("id",)), Literal(5))
    assert tree.left.left == Property(("lastUpdate",))


# --- the crm dialect (as Ploomes) -------------------------------------------------------


@pytest.mark.parametrize("expression, expected", [
    ("Title eq 'UPGRADE'", [1]),
    ("contains(Title, 'upgrade')", [1, 3]),
    ("startswith(Title, 'Ren') or endswith(Title, 'EXTRA')", [2, 3]),
    ("tolower(Title) eq 'upgrade'", [1]),
    ("toupper(Title) eq 'UPGRADE'", [1]),
    ("Amount gt 3 and Amount le 10.5", [1, 4]),
    ("Amount eq null", [3]),
    ("Won", [1, 4]),
    ("not Won", [2, 3]),
    ("Won eq true and Contact/Name eq 'exemplo ltda'", [1, 4]),
    ("Contact eq null", [3]),
    ("When gt 2025-03-10T13:59:59Z", [1, 3]),
    ("When gt 2025-03-10T14:00:00Z", [3]),
    ("When lt 2025-03-10T08:00:00-03:00", []),
    ("Tags/any()", [1]),
    ("Tags/all(t: t eq 'vip')", [1, 2, 3, 4]),
    ("Contact/Phones/any(p: contains(p/PhoneNumber, '5555'))", [1, 4]),
    ("Contact/Deals/any(d: d/Id ne Id)", [1, 4]),
    ("Title eq Title", [1, 2, 3, 4]),
    ("'Serviço' eq Title", [4]),
])
def test_crm_filters(crm, expression, expected):
    assert deal_ids(crm, expression) == expected


@pytest.mark.parametrize("expression, message", [
    ("Title eq", "unexpected end"),
    ("Title eq 'x", "unexpected \"'\""),
    ("Nope eq 1", "could not find a property named 'Nope' on type 'CRM.Deals'"),
    ("title eq 'x'", "could not find a property named 'title'"),
    ("Contact/Nope eq 1", "on type 'CRM.Contacts'"),
    ("Contact/Deals/any(d: d/Nope eq 1)", "on type 'CRM.Deals'"),
    ("Title EQ 'x'", "unexpected 'EQ'"),
    ("Title eq 'x' AND Won", "unexpected 'AND'"),
    ("Won eq TRUE", "could not find a property named 'TRUE'"),
    ("contains(Title)", "contains() takes 2 argument(s), got 1"),
    ("substringof('x', Title)", "unknown function"),
    ("Title eq 'x' extra", "unexpected 'extra'"),
])
def test_crm_refuses_at_once_even_with_nothing_to_filter(crm, expression, message):
    with pytest.raises(ODataError) as refused:
        crm.query("CRM.Deals", **{"$filter": expression}).run([])
    assert message in str(refused.value)


@pytest.mark.parametrize("expression, message", [
    ("Amount gt 'x'", "cannot compare 10.5 and 'x' with gt"),
    ("When gt 5", "cannot compare"),
    ("Tags/any(t: t/Name eq 'x')", "'Name' cannot be read from a value"),
    ("Contact/Phones/any(p: p/Colour eq 'x')", "could not find a property named 'Colour'"),
    ("Title/any(t: t eq 'x')", "'Title' is not a collection"),
])
def test_crm_refuses_what_cannot_be_evaluated(crm, expression, message):
    with pytest.raises(ODataError, match="^\\$filter") as refused:
        deal_ids(crm, expression)
    assert message in str(refused.value)


def test_crm_mismatched_types_are_simply_unequal(crm):
    assert deal_ids(crm, "Amount eq 'x'") == []
    assert deal_ids(crm, "Amount ne 'x'") == [1, 2, 3, 4]


def test_filter_language_edge_cases():
    row_type = EntityType("Row", ("Name", "Amount", "When", "Tags"), {"Owner": Navigation()})
    engine = QueryEngine(CRM, Schema([row_type]))
    row = {"Name": "O'Neil", "Amount": 10.5, "When": "2025-03-10T11:00:00-03:00", "Tags": [],
           "Owner": None}

    def holds(text: str) -> bool:
        return engine.parse("Row", {"$filter": text}).matches(row)

    assert holds("Name eq 'o''neil'")
    assert holds("Amount gt 10 and Amount le 10.5")
    assert holds("When gt 2025-03-10T13:59:59Z")
    assert not holds("When gt 2025-03-10T14:00:00Z")
    assert holds("not (Name eq 'x') and Owner eq null")
    assert holds("tolower(Name) eq 'o''neil' or Amount lt 0")
    assert not holds("Tags/any()")
    assert holds("Tags/all(t: t eq 1)")
    assert holds("Owner/Name eq null")
    assert holds("   ") and holds("")
