"""Seed 000, Ploomes <-> Movidesk, end to end through a real server and both sandboxes.

- Tickets become interaction records in the CRM client's history, found by e-mail (or
  phone); with ``create_clients`` a missing client is created through the mappings,
  without it the event is dead until the client exists and it is replayed.
- A deal with the integration user as owner or collaborator opens a ticket for its
  client (created in the helpdesk when missing); resolving the ticket wins the deal and
  updates it through the ticket -> deal mapping.
"""

from __future__ import annotations

import httpx
import pytest
from e2e_support import (
    movidesk_person,
    movidesk_ticket,
    new_rows,
    ploomes_insert,
    seed_movidesk,
)
from pontes_demo import steps
from pontes_demo.installation import demo_stack

pytestmark = pytest.mark.slow

ID_MOVIDESK_FIELD = "contact_8F1D6C2A-0000-4000-8000-000000000001"
DEAL_TICKET_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000002"
PLOOMES_MARIA, PLOOMES_JOAO, PLOOMES_EXEMPLO = 40000123, 40000124, 40000100

INTEGRATIONS = {
    "history": {
        "recipe": "ticket_history", "helpdesk": "movidesk", "crm": "ploomes",
        "options": {"create_clients": True},
        "mapping": {"contact": {f"custom.{ID_MOVIDESK_FIELD}": "refs.movidesk"}},
    },
    "strict-history": {
        "recipe": "ticket_history", "helpdesk": "movidesk", "crm": "ploomes",
        "options": {"create_clients": False},
    },
    "deal-ticket": {
        "recipe": "deal_to_ticket", "crm": "ploomes", "helpdesk": "movidesk",
        "options": {"integration_user": "Movidesk", "category": "Solicitação",
                    "urgency": "Média", "team": "Suporte"},
        "mapping": {
            "deal_to_ticket": {"custom.5005": {"from": "refs.ploomes", "transform": "text"}},
            "ticket_to_deal": {f"custom.{DEAL_TICKET_FIELD}": {"from": "number",
                                                               "transform": "integer"}},
        },
    },
    "deal-lost": {
        "recipe": "deal_to_ticket", "crm": "ploomes", "helpdesk": "movidesk",
        "options": {"integration_user": "Suporte Perdas", "finish_on": ["closed"],
                    "finish_as": "lost"},
    },
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with demo_stack(tmp_path_factory.mktemp("seed000"), INTEGRATIONS) as running:
        steps.activate(running, "deal-ticket")
        steps.activate(running, "deal-lost")
        yield running


@pytest.fixture
def history(stack, clean_automations):
    steps.movidesk_automation(stack, "history")
    return stack


def history_of(stack, contact_id: int) -> list[dict]:
    return [r for r in steps.ploomes_records(stack, "InteractionRecords")
            if r.get("ContactId") == contact_id]


def ticket_text(record: dict) -> str:
    return str(record["Content"])


# --- tickets -> CRM history ----------------------------------------------------------------


def test_resolved_ticket_is_recorded_on_the_client_found_by_email(history):
    seed_movidesk(history, persons=[movidesk_person("cli-mariaexemplo", "Maria S.",
                                                    "MARIA@exemplo.com.br")],
                  tickets=[movidesk_ticket(2001, "cli-mariaexemplo", "Nota fiscal rejeitada",
                                           createdDate="2026-11-02T13:45:00")])
    before = history_of(history, PLOOMES_MARIA)
    steps.movidesk_set_status(history, 2001)
    history.wait_for_events("history", 1)
    (record,) = [r for r in history_of(history, PLOOMES_MARIA) if r not in before]
    text = ticket_text(record)
    for part in ("Status: Resolvido", "Ticket id: 2001", "Subject: Nota fiscal rejeitada",
                 "Opened at: 02/11/2026 13:45", "Category: Problema", "Urgency: Alta",
                 "Owner: Ana Lima"):
        assert part in text


def test_client_is_found_by_phone_when_the_emails_differ(history):
    before = history_of(history, PLOOMES_JOAO)
    steps.movidesk_set_status(history, 1002)  # João Pereira: same mobile as Ploomes' João Lima
    history.wait_for_events("history", 2)
    added = [r for r in history_of(history, PLOOMES_JOAO) if r not in before]
    assert len(added) == 1 and "Ticket id: 1002" in ticket_text(added[0])


def test_missing_client_is_created_with_company_through_the_mapping(history):
    seed_movidesk(history, persons=[
        movidesk_person("org-oficina", "Oficina Nova", "contato@oficinanova.example",
                        person_type=2),
        movidesk_person("cli-rita", "Rita Prado", "rita@oficinanova.example",
                        company="org-oficina")],
        tickets=[movidesk_ticket(2002, "cli-rita", "Pedido de orçamento")])
    contacts = steps.ploomes_records(history, "Contacts")
    steps.movidesk_set_status(history, 2002)
    history.wait_for_events("history", 3)
    created = {row["Name"]: row for row in new_rows(history, "Contacts", contacts)}
    assert set(created) == {"Rita Prado", "Oficina Nova"}
    rita, company = created["Rita Prado"], created["Oficina Nova"]
    assert rita["TypeId"] == 2 and company["TypeId"] == 1
    assert rita["CompanyId"] == company["Id"]
    assert rita["Email"] == "rita@oficinanova.example"
    fields = {p["FieldKey"]: p for p in rita.get("OtherProperties") or []}
    assert fields[ID_MOVIDESK_FIELD]["StringValue"] == "cli-rita"
    (record,) = history_of(history, rita["Id"])
    assert "Ticket id: 2002" in ticket_text(record)


def test_repeated_webhook_delivery_has_one_effect(history):
    events_before = len(history.events("history"))
    records_before = steps.ploomes_records(history, "InteractionRecords")
    body = {"Id": 1001, "Subject": "Erro 500 ao emitir nota fiscal", "Status": "Resolvido",
            "LastUpdate": "2026-11-20T10:00:00"}
    url = history.hook_url("history", "helpdesk")
    answers = [httpx.post(url, json=body, timeout=30) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    history.wait_for_events("history", events_before + 1)
    assert len(history.events("history")) == events_before + 1
    assert len(new_rows(history, "InteractionRecords", records_before)) == 1


def test_movidesk_lockout_in_the_middle_of_a_run_still_records_once(history):
    (lia,) = ploomes_insert(history, "Contacts", [{"Name": "Lia Lock", "TypeId": 2,
                                                    "Email": "lia@lock.example"}])
    seed_movidesk(history, persons=[movidesk_person("cli-lock", "Lia Lock", "lia@lock.example")],
                  tickets=[movidesk_ticket(2003, "cli-lock", "Lentidão no sistema")])
    with history.sandbox("movidesk") as movidesk:
        movidesk.post("/_sandbox/faults", json={
            "status": 429, "count": 3, "retry_after": 1, "path": "/public/v1/tickets",
            "body": {"Message": "Too many failed requests"}}).raise_for_status()
    done = len(history.events("history")) + 1
    steps.movidesk_set_status(history, 2003)
    events = history.wait_for_events("history", done, timeout=90)
    detail = history.event(events[-1]["id"])
    assert detail["status"] == "succeeded"
    assert len(detail["attempt_log"]) >= 2
    assert "Too many failed requests" in detail["attempt_log"][0]["error"]
    (record,) = history_of(history, lia)
    assert "Ticket id: 2003" in ticket_text(record)


def test_ticket_resolved_twice_is_recorded_twice(history):
    (tom,) = ploomes_insert(history, "Contacts", [{"Name": "Tom Twice", "TypeId": 2,
                                                    "Email": "tom@twice.example"}])
    seed_movidesk(history, persons=[movidesk_person("cli-twice", "Tom Twice", "tom@twice.example")],
                  tickets=[movidesk_ticket(2004, "cli-twice", "Senha expirada")])
    count = len(history.events("history"))
    steps.movidesk_set_status(history, 2004)
    history.wait_for_events("history", count + 1)
    steps.movidesk_set_status(history, 2004, "Em atendimento")
    steps.movidesk_set_status(history, 2004)
    history.wait_for_events("history", count + 2)
    added = history_of(history, tom)
    assert len(added) == 2 and all("Ticket id: 2004" in ticket_text(r) for r in added)


def test_missing_client_without_create_clients_fails_visibly_and_replays(stack, clean_automations):
    steps.movidesk_automation(stack, "strict-history")
    seed_movidesk(stack, persons=[movidesk_person("cli-otto", "Otto Lenz", "otto@lenz.example")],
                  tickets=[movidesk_ticket(2005, "cli-otto", "Impressora não imprime")])
    contacts = steps.ploomes_records(stack, "Contacts")
    steps.movidesk_set_status(stack, 2005)
    (event,) = stack.wait_for_events("strict-history", 1)
    assert event["status"] == "dead"
    assert "create_clients is off" in event["last_error"]
    assert "otto@lenz.example" in event["last_error"]
    assert new_rows(stack, "Contacts", contacts) == []

    (otto,) = ploomes_insert(stack, "Contacts", [{"Name": "Otto Lenz", "TypeId": 2,
                                                   "Email": "otto@lenz.example"}])
    stack.admin("POST", f"/events/{event['id']}/replay")
    stack.wait_for_events("strict-history", 1, finished=("succeeded",))
    (record,) = history_of(stack, otto)
    assert "Ticket id: 2005" in ticket_text(record)


# --- deals -> tickets -> finished deals -------------------------------------------------------


@pytest.fixture
def deals(stack, clean_automations):
    steps.movidesk_automation(stack, "deal-ticket")
    return stack


def movidesk_tickets(stack) -> dict[int, dict]:
    return {int(t["id"]): t for t in steps.movidesk_state(stack)["tickets"]}


def deal_events(stack, deal_id: int, count: int) -> list[dict]:
    """Wait for ``count`` finished events of the deal-ticket integration about one deal."""
    def mine():
        return [e for e in stack.events("deal-ticket")
                if e["status"] in ("succeeded", "dead") and str(deal_id) in (e.get("entity_key") or "")]

    stack.wait_until(lambda: len(mine()) >= count, 60, f"{count} events of deal {deal_id}")
    return mine()


def open_deal(stack, title: str, contact_id: int, **people) -> tuple[int, dict]:
    """Create a deal in Ploomes and wait for pontes to handle it; returns its new ticket."""
    tickets = movidesk_tickets(stack)
    deal_id = steps.ploomes_create_deal(stack, title, contact_id, **people)
    deal_events(stack, deal_id, 1)
    opened = {k: v for k, v in movidesk_tickets(stack).items() if k not in tickets}
    return deal_id, opened


def deal_row(stack, deal_id: int) -> dict:
    return next(d for d in steps.ploomes_records(stack, "Deals") if d["Id"] == deal_id)


def test_activation_created_the_integration_user_and_registered_webhooks(stack):
    again = steps.activate(stack, "deal-ticket")
    assert "[done] ploomes: integration user 'Movidesk'" in again
    assert "[done] ploomes: webhook for deal.created" in again
    assert "already registered" in again
    assert "[to do] movidesk: webhook for ticket.changed" in again
    assert stack.hook_url("deal-ticket", "helpdesk") in again
    assert "Gatilhos" in again and "\"Ticket: Status\" \"Alterado para\"" in again
    assert "Acionar Webhook" in again
    names = [u["Name"] for u in steps.ploomes_records(stack, "Users")]
    assert names.count("Movidesk") == 1


def test_deal_owned_by_integration_user_opens_a_ticket_and_resolving_wins_it(deals):
    user = steps.ploomes_user_id(deals, "Movidesk")
    deal_id, opened = open_deal(deals, "Implantação NF-e", PLOOMES_MARIA, owner_id=user)
    ((ticket_id, ticket),) = opened.items()
    assert ticket["subject"] == "Implantação NF-e"
    assert ticket["category"] == "Solicitação" and ticket["urgency"] == "Média"
    values = {v["customFieldId"]: v["value"] for v in ticket.get("customFieldValues") or []}
    assert values[5005] == str(deal_id)
    clients = {c["id"] for c in ticket["clients"]}
    maria = [p for p in steps.movidesk_state(deals)["persons"] if p["id"] in clients]
    assert maria and maria[0]["businessName"] == "Maria Souza"

    steps.movidesk_set_status(deals, ticket_id)
    deals.wait_until(lambda: deal_row(deals, deal_id)["StatusId"] == 2, 60, "the deal to be won")
    fields = {p["FieldKey"]: p for p in deal_row(deals, deal_id).get("OtherProperties") or []}
    assert fields[DEAL_TICKET_FIELD]["IntegerValue"] == ticket_id


def test_deal_with_integration_user_as_collaborator_opens_a_ticket(deals):
    user = steps.ploomes_user_id(deals, "Movidesk")
    seller = steps.ploomes_user_id(deals, "Carla Vendas")
    _, opened = open_deal(deals, "Treinamento equipe", PLOOMES_JOAO, owner_id=seller,
                          collaborator_ids=(user,))
    assert [t["subject"] for t in opened.values()] == ["Treinamento equipe"]


def test_deal_without_the_integration_user_opens_nothing(deals):
    seller = steps.ploomes_user_id(deals, "Carla Vendas")
    deal_id, opened = open_deal(deals, "Venda direta", PLOOMES_JOAO, owner_id=seller)
    assert opened == {}
    (event,) = deal_events(deals, deal_id, 1)
    assert "not assigned to 'Movidesk'" in deals.event(event["id"])["result"]["summary"]


def test_deal_client_missing_in_movidesk_is_created(deals):
    (client,) = ploomes_insert(deals, "Contacts", [{"Name": "Beatriz Nunes", "TypeId": 2,
                                                     "Email": "bia@nunes.example"}])
    user = steps.ploomes_user_id(deals, "Movidesk")
    _, opened = open_deal(deals, "Consultoria", client, owner_id=user)
    ((_, ticket),) = opened.items()
    persons = {p["id"]: p for p in steps.movidesk_state(deals)["persons"]}
    (requester,) = [persons[c["id"]] for c in ticket["clients"]]
    assert requester["businessName"] == "Beatriz Nunes"
    assert [e["email"] for e in requester["emails"]] == ["bia@nunes.example"]


def test_deal_whose_client_has_no_email_still_opens_a_ticket(deals):
    (client,) = ploomes_insert(deals, "Contacts", [{"Name": "Seu Zé da Banca", "TypeId": 2}])
    user = steps.ploomes_user_id(deals, "Movidesk")
    _, opened = open_deal(deals, "Banca nova", client, owner_id=user)
    ((_, ticket),) = opened.items()
    persons = {p["id"]: p for p in steps.movidesk_state(deals)["persons"]}
    (requester,) = [persons[c["id"]] for c in ticket["clients"]]
    assert requester["businessName"] == "Seu Zé da Banca"


def test_ticket_resolved_twice_finishes_the_deal_once(deals):
    user = steps.ploomes_user_id(deals, "Movidesk")
    deal_id, opened = open_deal(deals, "Migração de dados", PLOOMES_JOAO, owner_id=user)
    ((ticket_id, _),) = opened.items()
    steps.movidesk_set_status(deals, ticket_id)
    deals.wait_until(lambda: deal_row(deals, deal_id)["StatusId"] == 2, 60, "the deal to be won")
    steps.movidesk_set_status(deals, ticket_id, "Em atendimento")
    steps.movidesk_set_status(deals, ticket_id)
    results = []

    def second_resolution_handled():
        results[:] = [deals.event(e["id"])["result"]["summary"]
                      for e in deals.events("deal-ticket", status="succeeded")
                      if e.get("entity_key") == f"ticket:{ticket_id}"]
        return len(results) >= 2

    deals.wait_until(second_resolution_handled, 60, "the second resolution")
    assert any("marked won" in r for r in results)
    assert any(f"deal {deal_id} is already won" in r for r in results)
    assert deal_row(deals, deal_id)["StatusId"] == 2


def test_finishing_is_configurable_closed_tickets_lose_the_deal(stack, clean_automations):
    steps.movidesk_automation(stack, "deal-lost", status=None)
    user = steps.ploomes_user_id(stack, "Suporte Perdas")
    tickets = movidesk_tickets(stack)
    deal_id = steps.ploomes_create_deal(stack, "Contrato cancelado", PLOOMES_JOAO, owner_id=user)
    stack.wait_until(lambda: len(movidesk_tickets(stack)) > len(tickets), 60, "the ticket")
    (ticket_id,) = set(movidesk_tickets(stack)) - set(tickets)
    steps.movidesk_set_status(stack, ticket_id)  # Resolvido: not a finishing status here
    stack.wait_until(lambda: any(f"ticket {ticket_id} is solved" in (e.get("summary") or "")
                            for e in summaries(stack, "deal-lost")), 60, "the resolution")
    assert deal_row(stack, deal_id)["StatusId"] == 1
    steps.movidesk_set_status(stack, ticket_id, "Fechado")
    stack.wait_until(lambda: deal_row(stack, deal_id)["StatusId"] == 3, 60, "the deal to be lost")


def summaries(stack, integration: str) -> list[dict]:
    return [{"summary": stack.event(e["id"])["result"]["summary"]}
            for e in stack.events(integration, status="succeeded")]
