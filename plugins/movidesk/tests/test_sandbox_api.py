"""The sandbox answers like Movidesk's public API (raw HTTP, no plugin code involved)."""

from __future__ import annotations

import httpx
import pytest
from pontes_movidesk.sandbox.app import SANDBOX_TOKEN

from .conftest import Sandbox


def _new_ticket(sandbox: Sandbox, **fields) -> int:
    body = {"type": 2, "subject": "Teste", "createdBy": {"id": "agent-pontes"},
            "clients": [{"id": "cli-carla"}],
            "actions": [{"type": 2, "description": "<p>Primeira</p>"}], **fields}
    response = sandbox.call("POST", "/tickets", json=body)
    assert response.status_code == 200, response.text
    return response.json()["id"]


# --- authentication -------------------------------------------------------------------


def test_token_must_be_in_the_query_string(sandbox):
    missing = sandbox.call("GET", "/tickets", token=None, id=1001)
    wrong = sandbox.call("GET", "/tickets", token="not-the-token", id=1001)
    header_only = httpx.get(sandbox.api + "/tickets", params={"id": 1001},
                            headers={"token": SANDBOX_TOKEN,
                                     "Authorization": f"Bearer {SANDBOX_TOKEN}"})
    right = sandbox.call("GET", "/tickets", id=1001)
    for answer in (missing, wrong, header_only):
        assert answer.status_code == 401
        assert answer.json() == {"Message": "Authorization has been denied for this request."}
    assert right.status_code == 200


# --- reads and OData ------------------------------------------------------------------


def test_single_ticket_is_an_object_and_a_list_a_bare_array_of_selected_fields(sandbox):
    one = sandbox.call("GET", "/tickets", id=1001).json()
    assert isinstance(one, dict) and one["id"] == 1001
    assert one["clients"][0]["id"] == "cli-maria" and one["actions"]

    rows = sandbox.call("GET", "/tickets", **{"$select": "id,Subject"}).json()
    assert isinstance(rows, list)
    assert [set(r) for r in rows] == [{"id", "subject"}] * len(rows)


def test_a_list_without_select_is_rejected(sandbox):
    answer = sandbox.call("GET", "/tickets")
    assert answer.status_code == 400
    assert "$select" in answer.json()["Message"]
    assert sandbox.call("GET", "/persons").status_code == 400


@pytest.mark.parametrize("option", ["$count", "$search", "$format"])
def test_options_outside_the_subset_are_rejected(sandbox, option):
    answer = sandbox.call("GET", "/tickets", **{"$select": "id", option: "true"})
    assert answer.status_code == 400
    assert option in answer.json()["Message"]


def test_unknown_properties_are_rejected(sandbox):
    assert sandbox.call("GET", "/tickets", **{"$select": "id,nope"}).status_code == 400
    assert sandbox.call("GET", "/tickets", **{"$select": "id", "$orderby": "nope"}).status_code == 400


def test_expanded_lists_come_only_through_expand(sandbox):
    plain = sandbox.call("GET", "/tickets", **{"$select": "id,actions", "$filter": "id eq 1001"})
    expanded = sandbox.call("GET", "/tickets", **{
        "$select": "id", "$filter": "id eq 1001",
        "$expand": "actions($select=id,description),customFieldValues($expand=items)"})
    assert plain.json() == [{"id": 1001}]
    row = expanded.json()[0]
    assert [set(a) for a in row["actions"]] == [{"id", "description"}] * 2
    assert row["customFieldValues"][0]["items"][0]["customFieldItem"] == "Plano Ouro"


def test_page_is_capped_at_100_and_ordered_by_id(sandbox):
    created = [{"id": 2000 + n, "subject": f"Lote {n}", "createdBy": {"id": "cli-carla"},
                "clients": [{"id": "cli-carla"}]} for n in range(130, 0, -1)]
    sandbox.control("POST", "/seed", {"tickets": created})
    first = sandbox.call("GET", "/tickets", **{"$select": "id", "$top": "500"}).json()
    assert len(first) == 100
    ids = [r["id"] for r in first]
    assert ids == sorted(ids)
    rest = sandbox.call("GET", "/tickets", **{"$select": "id", "$skip": "100"}).json()
    assert len(rest) == 133 - 100
    assert not {r["id"] for r in rest} & set(ids)


def test_legacy_page_size_can_be_switched_on():
    legacy = Sandbox(max_page_size=1000)
    try:
        tickets = [{"subject": f"T{n}", "createdBy": {"id": "cli-carla"}} for n in range(150)]
        legacy.control("POST", "/seed", {"tickets": tickets})
        rows = legacy.call("GET", "/tickets", **{"$select": "id", "$top": "1000"}).json()
        assert len(rows) == 153
    finally:
        legacy.stop()


def test_orderby_desc_and_top(sandbox):
    rows = sandbox.call("GET", "/tickets", **{"$select": "id,lastUpdate",
                                              "$orderby": "lastUpdate desc", "$top": "2"}).json()
    assert [r["id"] for r in rows] == [1001, 1002]


@pytest.mark.parametrize("expression, expected", [
    ("owner/id eq 'agent-ana'", [1001, 1003]),
    ("status eq 'Novo'", [1002]),
    ("STATUS eq 'novo'", [1002]),
    ("id gt 1001", [1002, 1003]),
    ("clients/any(c: c/email eq 'joao@paoquente.example.com.br')", [1002]),
    ("clients/any(c: c/organization/id eq 'org-acme') and baseStatus ne 'Closed'", [1001]),
    ("not (id eq 1001) and (category eq 'Dúvida' or urgency eq 'Baixa')", [1002, 1003]),
    ("lastUpdate ge 2000-01-01T00:00:00.00z", [1001, 1002, 1003]),
    ("lastUpdate lt 2000-01-01T00:00:00Z", []),
    ("owner eq null", [1002]),
])
def test_filter_subset(sandbox, expression, expected):
    answer = sandbox.call("GET", "/tickets", **{"$select": "id", "$filter": expression})
    assert answer.status_code == 200, answer.text
    assert [r["id"] for r in answer.json()] == expected


@pytest.mark.parametrize("expression", [
    "owner.id eq 'agent-ana'", "ownerId eq 'agent-ana'", "id eq", "id eq 1 and", "(id eq 1",
    "clients/any(c: c/email eq 'x'",
])
def test_filters_movidesk_rejects_answer_400(sandbox, expression):
    answer = sandbox.call("GET", "/tickets", **{"$select": "id", "$filter": expression})
    assert answer.status_code == 400
    assert answer.json()["Message"].startswith("$filter")


def test_persons_filter_on_emails_and_type(sandbox):
    rows = sandbox.call("GET", "/persons", **{
        "$select": "id,businessName,emails",
        "$filter": "personType eq 2 and emails/any(e: e/email eq 'CONTATO@acme.example.com.br')",
    }).json()
    assert rows == [{"id": "org-acme", "businessName": "Acme Indústria",
                     "emails": [{"emailType": "Profissional", "email": "contato@acme.example.com.br",
                                 "isDefault": True}]}]


# --- the 90-day split -----------------------------------------------------------------


def test_old_tickets_live_only_in_tickets_past(sandbox):
    recent = [r["id"] for r in sandbox.call("GET", "/tickets", **{"$select": "id"}).json()]
    past = [r["id"] for r in sandbox.call("GET", "/tickets/past", **{"$select": "id"}).json()]
    assert 1004 not in recent and past == [1004]
    assert sandbox.call("GET", "/tickets", id=1004).status_code == 404
    assert sandbox.call("GET", "/tickets/past", id=1004).json()["status"] == "Fechado"
    assert sandbox.call("GET", "/tickets/past", id=1001).status_code == 404


def test_tickets_past_is_read_only(sandbox):
    assert sandbox.call("POST", "/tickets/past", json={"type": 2}).status_code == 405
    assert sandbox.call("PATCH", "/tickets/past", id=1004, json={"subject": "x"}).status_code == 405


def test_tickets_move_to_past_as_time_goes_by(sandbox):
    sandbox.control("POST", "/clock", {"advance_seconds": 91 * 86400})
    past = [r["id"] for r in sandbox.call("GET", "/tickets/past", **{"$select": "id"}).json()]
    assert past == [1001, 1002, 1003, 1004]


# --- writes ---------------------------------------------------------------------------


def test_create_answers_the_id_or_everything(sandbox):
    short = sandbox.call("POST", "/tickets", json={"type": 2, "subject": "Sem status",
                                                    "createdBy": {"id": "cli-carla"}})
    assert set(short.json()) == {"id"}
    full = sandbox.call("POST", "/tickets", returnAllProperties="true",
                        json={"type": 1, "subject": "Completo", "createdBy": {"id": "cli-carla"},
                              "baseStatus": "Closed"}).json()
    assert full["origin"] == 9 and full["baseStatus"] == "New" and full["status"] == "Novo"
    assert full["id"] == short.json()["id"] + 1


def test_create_checks_type_names_and_people(sandbox):
    answer = sandbox.call("POST", "/tickets", json={
        "subject": "x", "category": "Inexistente", "urgency": "Alta",
        "createdBy": {"id": "ninguem"}, "clients": [{"id": "cli-carla"}, {"id": "fantasma"}]})
    assert answer.status_code == 400
    problems = answer.json()["ModelState"]
    assert set(problems) == {"ticket.type", "ticket.createdBy", "ticket.category",
                             "ticket.clients[1]"}


def test_patch_replaces_lists_whole(sandbox):
    ticket_id = _new_ticket(sandbox, tags=["a", "b"])
    assert sandbox.call("PATCH", "/tickets", id=ticket_id, json={"tags": []}).status_code == 200
    assert sandbox.call("GET", "/tickets", id=ticket_id).json()["tags"] == []

    sandbox.call("PATCH", "/tickets", id=ticket_id, json={"clients": [{"id": "cli-joao"}]})
    clients = sandbox.call("GET", "/tickets", id=ticket_id).json()["clients"]
    assert [c["id"] for c in clients] == ["cli-joao"]


def test_patch_custom_fields_drops_values_left_out(sandbox):
    before = sandbox.call("GET", "/tickets", id=1001).json()["customFieldValues"]
    assert {v["customFieldId"] for v in before} == {5002, 5003}
    sandbox.call("PATCH", "/tickets", id=1001, json={"customFieldValues": [
        {"customFieldId": 5001, "customFieldRuleId": 7001, "line": 1, "value": "x", "items": []}]})
    after = sandbox.call("GET", "/tickets", id=1001).json()["customFieldValues"]
    assert [v["customFieldId"] for v in after] == [5001]


def test_patch_actions_upserts_by_id_and_keeps_the_rest(sandbox):
    ticket_id = _new_ticket(sandbox)
    sandbox.call("PATCH", "/tickets", id=ticket_id, json={"actions": [
        {"id": 1, "description": "<p>Primeira, corrigida</p>"},
        {"type": 1, "description": "Nota <b>interna</b>"},
    ]})
    actions = sandbox.call("GET", "/tickets", id=ticket_id).json()["actions"]
    assert [(a["id"], a["type"], a["description"]) for a in actions] == [
        (1, 2, "Primeira, corrigida"), (2, 1, "Nota interna")]

    sandbox.call("PATCH", "/tickets", id=ticket_id, json={"actions": [
        {"type": 2, "description": "<p>Terceira</p>"}]})
    shown = sandbox.call("GET", "/tickets", id=ticket_id).json()["actions"]
    assert [(a["id"], a["description"], a["isDeleted"]) for a in shown] == [
        (1, "Primeira, corrigida", False), (2, "Nota interna", False), (3, "Terceira", False)]


def test_ticket_reads_leave_the_html_to_its_own_endpoint(sandbox):
    ticket_id = _new_ticket(sandbox)
    sandbox.call("PATCH", "/tickets", id=ticket_id, json={"actions": [
        {"type": 1, "description": "Nota <b>interna</b>"}]})
    one = sandbox.call("GET", "/tickets", id=ticket_id).json()["actions"]
    listed = sandbox.call("GET", "/tickets", **{
        "$select": "id", "$filter": f"id eq {ticket_id}", "$expand": "actions"}).json()
    assert [a["htmlDescription"] for a in one] == [None, None]
    assert [a["htmlDescription"] for a in listed[0]["actions"]] == [None, None]
    assert one[1]["description"] == "Nota interna"

    html = sandbox.call("GET", "/tickets/htmldescription", id=ticket_id, actionId=2)
    assert html.json() == {"id": 2, "description": "Nota <b>interna</b>"}
    first = sandbox.call("GET", "/tickets/htmldescription", id=ticket_id).json()
    assert first["id"] == 1
    assert sandbox.call("GET", "/tickets/htmldescription", id=1004, actionId=1).json() == {
        "id": 1, "description": "Não consigo acessar o portal."}
    assert sandbox.call("GET", "/tickets/htmldescription", id=ticket_id,
                        actionId=9).status_code == 404
    assert sandbox.call("GET", "/tickets/htmldescription", id=ticket_id,
                        actionId="²").status_code == 400
    assert sandbox.call("GET", "/tickets/htmldescription", id=ticket_id).status_code == 200
    assert sandbox.call("GET", "/tickets/htmldescription").status_code == 400
    assert sandbox.call("GET", "/tickets/htmldescription", id=ticket_id,
                        token="wrong").status_code == 401


def test_patch_with_unknown_action_id_is_rejected(sandbox):
    answer = sandbox.call("PATCH", "/tickets", id=1002, json={"actions": [{"id": 99}]})
    assert answer.status_code == 400
    assert "ticket.actions[0].id" in answer.json()["ModelState"]


def test_coupled_fields(sandbox):
    no_justification = sandbox.call("PATCH", "/tickets", id=1002, json={"status": "Aguardando"})
    assert no_justification.status_code == 400
    assert "ticket.justification" in no_justification.json()["ModelState"]
    ok = sandbox.call("PATCH", "/tickets", id=1002,
                      json={"status": "Aguardando", "justification": "Retorno do cliente"})
    assert ok.status_code == 200
    assert sandbox.call("GET", "/tickets", id=1002).json()["baseStatus"] == "Stopped"

    owner_alone = sandbox.call("PATCH", "/tickets", id=1002, json={"owner": {"id": "agent-ana"}})
    assert "ticket.ownerTeam" in owner_alone.json()["ModelState"]
    client_owner = sandbox.call("PATCH", "/tickets", id=1002,
                                json={"owner": {"id": "cli-joao"}, "ownerTeam": "Suporte"})
    assert "ticket.owner" in client_owner.json()["ModelState"]


def test_base_status_is_read_only(sandbox):
    sandbox.call("PATCH", "/tickets", id=1002, json={"baseStatus": "Closed", "subject": "Novo assunto"})
    ticket = sandbox.call("GET", "/tickets", id=1002).json()
    assert ticket["baseStatus"] == "New" and ticket["subject"] == "Novo assunto"


@pytest.mark.parametrize("value, accepted", [
    ("1.530,75", True), ("1530,75", True), ("42", True), ("1,530.75", False), ("1530.75", False),
])
def test_number_custom_fields_use_the_brazilian_format(sandbox, value, accepted):
    answer = sandbox.call("PATCH", "/tickets", id=1002, json={"customFieldValues": [
        {"customFieldId": 5003, "customFieldRuleId": 7001, "line": 1, "value": value, "items": []}]})
    assert (answer.status_code == 200) is accepted
    if accepted:
        stored = sandbox.call("GET", "/tickets", id=1002).json()["customFieldValues"]
        assert stored[0]["value"] == value


def test_person_rules(sandbox):
    minimal = {"isActive": True, "personType": 1, "profileType": 2, "businessName": "Nova"}
    assert sandbox.call("POST", "/persons", json=minimal).status_code == 200
    for broken, field in [
        ({k: v for k, v in minimal.items() if k != "businessName"}, "person.businessName"),
        ({**minimal, "personType": 3}, "person.personType"),
        ({**minimal, "profileType": 1}, "person.accessProfile"),
        ({**minimal, "password": "curta"}, "person.password"),
        ({**minimal, "cpfCnpj": "123.456.789-09"}, "person.cpfCnpj"),
        ({**minimal, "id": "cli-maria"}, "person.id"),
    ]:
        answer = sandbox.call("POST", "/persons", json=broken)
        assert answer.status_code == 400, broken
        assert field in answer.json()["ModelState"]
        assert sandbox.call("GET", "/persons", id="cli-maria").status_code == 200


def test_person_id_is_read_only_and_lists_are_replaced(sandbox):
    renamed = sandbox.call("PATCH", "/persons", id="cli-maria", json={"id": "other"})
    assert renamed.status_code == 400
    sandbox.call("PATCH", "/persons", id="cli-maria", json={"emails": [
        {"emailType": "Pessoal", "email": "maria@casa.example.com", "isDefault": True}]})
    person = sandbox.call("GET", "/persons", id="cli-maria").json()
    assert [e["email"] for e in person["emails"]] == ["maria@casa.example.com"]
    assert person["businessName"] == "Maria Souza"


def test_dates_are_written_as_movidesk_does(sandbox):
    sandbox.control("POST", "/seed", {"tickets": [
        {"id": 5000, "subject": "Datas", "createdBy": {"id": "cli-carla"},
         "createdDate": "2030-01-02T03:04:05+00:00", "lastUpdate": "2030-01-02T06:04:05-03:00"}]})
    ticket = sandbox.call("GET", "/tickets", id=5000).json()
    assert ticket["createdDate"] == "2030-01-02T03:04:05.0000000"
    assert ticket["lastUpdate"] == "2030-01-02T09:04:05.0000000"
    bad = httpx.post(sandbox.url + "/_sandbox/seed", json={"tickets": [{"lastUpdate": "ontem"}]})
    assert bad.status_code == 400 and "lastUpdate" in bad.json()["Message"]
