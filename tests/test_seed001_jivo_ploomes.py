"""Seed 001, JivoChat -> Ploomes, end to end: every finished chat becomes CRM records.

The Jivo sandbox posts its documented payloads to the server's webhook URLs; the
Ploomes sandbox is the CRM. Each test uses its own visitors (e-mails, phones, chat ids)
so that de-duplication is tested on purpose, never by accident.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from e2e_support import new_rows, ploomes_insert
from pontes_demo import steps
from pontes_demo.installation import demo_stack

pytestmark = pytest.mark.slow

CANAL_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000003"
SALES, FIRST_SALES_STAGE, QUALIFICATION = 10000200, 10000201, 10000202
LEADS, FIRST_LEAD_STAGE = 10000300, 10000301

UTM_TO_CANAL = {"deal": {f"custom.{CANAL_FIELD}": "utm.source"}}


def chat_integration(behaviour: str, **options) -> dict:
    return {"recipe": "chat_to_crm", "chat": "jivo", "crm": "ploomes",
            "options": {"behaviour": behaviour, "pipeline": "Funil de Vendas",
                        "stage": "Qualificação", "lead_pipeline": "Leads", **options},
            "mapping": UTM_TO_CANAL}


INTEGRATIONS = {
    "chat-cpd": chat_integration("company_person_deal"),
    "chat-lead": chat_integration("lead"),
    "chat-pd": chat_integration("person_deal"),
    "chat-cp": chat_integration("company_person"),
    "chat-twice": chat_integration("person_deal", avoid_duplicate_deals=False),
    "chat-context": chat_integration("person_deal", show_crm_context=True,
                                     crm_link="https://app.crm.example/contacts/{contact_id}"),
    "chat-bad-pipeline": chat_integration("person_deal", pipeline="Funil Inexistente"),
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with demo_stack(tmp_path_factory.mktemp("seed001"), INTEGRATIONS) as running:
        yield running


def chat(stack, integration: str, sample: str, chat_id: int, visitor: dict | None = None,
         event: str = "chat_finished", **overrides) -> dict:
    """Jivo sends one event about a sample chat with this test's own ids; waits for pontes.

    The visitor gets Jivo's client number ``chat_id`` unless given one: pontes links a
    Jivo client to its CRM person, so two tests sharing a number would share a person.
    """
    done = len([e for e in stack.events(integration) if e["status"] in ("succeeded", "dead")])
    body = {"chat_id": chat_id, **overrides, "visitor": {"number": str(chat_id), **(visitor or {})}}
    outcome = steps.jivo_send(stack, integration, event, sample=sample, overrides=body)
    assert outcome["ok"], outcome
    stack.wait_for_events(integration, done + 1)
    return outcome


def rows_named(stack, resource: str, name: str, key: str = "Name") -> list[dict]:
    return [r for r in steps.ploomes_records(stack, resource) if r.get(key) == name]


def deals_of(stack, contact_id: int) -> list[dict]:
    return [d for d in steps.ploomes_records(stack, "Deals") if d.get("ContactId") == contact_id]


def history_of(stack, contact_id: int) -> list[dict]:
    return [r for r in steps.ploomes_records(stack, "InteractionRecords")
            if r.get("ContactId") == contact_id]


def last_result(stack, integration: str) -> str:
    event = stack.events(integration)[-1]
    detail = stack.event(event["id"])
    assert detail["status"] == "succeeded", detail["last_error"]
    return detail["result"]["summary"]


def test_company_person_and_deal_with_mapping_and_transcript(stack):
    chat(stack, "chat-cpd", "marcos-company", 9101,
         visitor={"name": "Marcos Um", "email": "marcos1@frota.example", "phone": "11 3456-0001"},
         organization={"id": "1", "name": "Frota Um Ltda"})
    (company,) = rows_named(stack, "Contacts", "Frota Um Ltda")
    (person,) = rows_named(stack, "Contacts", "Marcos Um")
    assert company["TypeId"] == 1 and person["TypeId"] == 2
    assert person["CompanyId"] == company["Id"] and person["Email"] == "marcos1@frota.example"
    (deal,) = [d for d in steps.ploomes_records(stack, "Deals")
               if d.get("Title") == "Chat with Marcos Um"]
    assert (deal["PipelineId"], deal["StageId"]) == (SALES, QUALIFICATION)
    fields = {p["FieldKey"]: p for p in deal.get("OtherProperties") or []}
    assert fields[CANAL_FIELD]["StringValue"] == "linkedin"
    (transcript,) = history_of(stack, person["Id"])
    assert "Frota de 40" in transcript["Content"] or "Marcos" in transcript["Content"]


def test_lead_behaviour_creates_a_deal_in_the_lead_pipeline(stack):
    chat(stack, "chat-lead", "ana-first", 9201,
         visitor={"name": "Lia Lead", "email": "lia@lead.example", "phone": "(31) 99999-0201"})
    (person,) = rows_named(stack, "Contacts", "Lia Lead")
    (lead,) = deals_of(stack, person["Id"])
    assert (lead["PipelineId"], lead["StageId"]) == (LEADS, FIRST_LEAD_STAGE)
    assert "as a lead" in last_result(stack, "chat-lead")


def test_person_and_deal_without_company(stack):
    chat(stack, "chat-pd", "marcos-company", 9301,
         visitor={"name": "Paulo Pessoa", "email": "paulo@pessoa.example", "phone": "11 3456-0301"},
         organization={"id": "1", "name": "Empresa Que Não Vai"})
    (person,) = rows_named(stack, "Contacts", "Paulo Pessoa")
    assert not rows_named(stack, "Contacts", "Empresa Que Não Vai")
    assert person.get("CompanyId") in (None, 0)
    assert len(deals_of(stack, person["Id"])) == 1


def test_company_and_person_only(stack):
    deals_before = steps.ploomes_records(stack, "Deals")
    chat(stack, "chat-cp", "marcos-company", 9401,
         visitor={"name": "Clara Cliente", "email": "clara@cp.example", "phone": "11 3456-0401"},
         organization={"id": "1", "name": "Clara e Filhos"})
    (company,) = rows_named(stack, "Contacts", "Clara e Filhos")
    (person,) = rows_named(stack, "Contacts", "Clara Cliente")
    assert person["CompanyId"] == company["Id"]
    assert new_rows(stack, "Deals", deals_before) == []


def test_same_person_twice_one_client_one_open_deal_two_transcripts(stack):
    first = {"name": "Ana Dupla", "email": "ana@dupla.example", "phone": "(11) 98765-0501"}
    second = {"name": "Ana Dupla", "email": "ANA@Dupla.Example", "phone": "+55 11 98765 0501"}
    chat(stack, "chat-pd", "ana-first", 9501, visitor=first)
    chat(stack, "chat-pd", "ana-second", 9502, visitor=second)
    (person,) = rows_named(stack, "Contacts", "Ana Dupla")
    assert len(deals_of(stack, person["Id"])) == 1
    assert "already has open deal" in last_result(stack, "chat-pd")
    assert len(history_of(stack, person["Id"])) == 2


def test_second_deal_is_created_when_duplicates_are_allowed(stack):
    visitor = {"name": "Beto Bis", "email": "beto@bis.example", "phone": "(11) 98765-0601"}
    chat(stack, "chat-twice", "ana-first", 9601, visitor=visitor)
    chat(stack, "chat-twice", "ana-second", 9602, visitor=visitor)
    (person,) = rows_named(stack, "Contacts", "Beto Bis")
    assert len(deals_of(stack, person["Id"])) == 2


def test_same_chat_delivered_twice_is_recorded_once(stack):
    visitor = {"name": "Rui Repete", "email": "rui@repete.example", "phone": "(11) 98765-0701"}
    chat(stack, "chat-pd", "ana-first", 9701, visitor=visitor)
    events = len(stack.events("chat-pd"))
    outcome = steps.jivo_send(stack, "chat-pd", "chat_finished", sample="ana-first",
                              overrides={"chat_id": 9701, "visitor": {"number": "9701", **visitor}})
    assert outcome["ok"]
    assert len(stack.events("chat-pd")) == events
    (person,) = rows_named(stack, "Contacts", "Rui Repete")
    assert len(deals_of(stack, person["Id"])) == 1 and len(history_of(stack, person["Id"])) == 1


def test_visitor_with_another_phone_writing_is_the_crm_client(stack):
    (existing,) = ploomes_insert(stack, "Contacts", [{
        "Name": "Fábio Fone", "TypeId": 2,
        "Phones": [{"PhoneNumber": "+55 (11) 3456-0801", "TypeId": 1, "CountryId": 76}]}])
    chat(stack, "chat-pd", "marcos-company", 9801,
         visitor={"name": "Fabio", "email": "fabio.novo@fone.example", "phone": "11 34560801"})
    assert rows_named(stack, "Contacts", "Fabio") == []
    assert len(deals_of(stack, existing)) == 1


def test_chat_without_email_or_phone(stack):
    contacts = steps.ploomes_records(stack, "Contacts")
    chat(stack, "chat-pd", "anonymous", 9901)
    assert "left no name, e-mail or phone" in last_result(stack, "chat-pd")
    assert new_rows(stack, "Contacts", contacts) == []
    chat(stack, "chat-pd", "anonymous", 9902, visitor={"name": "Só Nome"})
    (person,) = rows_named(stack, "Contacts", "Só Nome")
    assert "cannot be recognised" in last_result(stack, "chat-pd")
    assert len(deals_of(stack, person["Id"])) == 1


def test_offline_message_becomes_a_lead(stack):
    chat(stack, "chat-cpd", "bruno-offline", 9951, event="offline_message",
         visitor={"name": "Bruno Offline", "email": "bruno@offline.example", "phone": ""})
    (person,) = rows_named(stack, "Contacts", "Bruno Offline")
    (lead,) = deals_of(stack, person["Id"])
    assert lead["PipelineId"] == LEADS


def test_activation_checks_pipeline_and_stage_by_name(stack):
    good = steps.activate(stack, "chat-pd")
    assert f"deals go to pipeline {SALES}, stage {QUALIFICATION}" in good
    assert f"leads go to pipeline {LEADS}, stage {FIRST_LEAD_STAGE}" in good
    bad = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "activate", "chat-bad-pipeline", "--config",
         str(stack.config_path)], env=stack.env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert ("integrations.chat-bad-pipeline.options.pipeline: no pipeline 'Funil Inexistente'; "
            "the CRM has: Funil de Vendas (10000200), Leads (10000300)") in bad.stderr


def test_agent_sees_the_clients_open_deals_when_a_chat_is_accepted(stack):
    visitor = {"name": "Vera Vista", "email": "vera@vista.example", "phone": "(11) 98765-0991"}
    chat(stack, "chat-context", "ana-first", 9991, visitor=visitor)
    outcome = steps.jivo_send(stack, "chat-context", "chat_accepted", sample="ana-first",
                              overrides={"chat_id": 9992, "visitor": {"number": "9992", **visitor}})
    assert outcome["ok"], outcome
    panel = outcome["agent_panel"]
    assert panel and [line["title"] for line in panel["custom_data"]] == ["Chat with Vera Vista"]
    (vera,) = rows_named(stack, "Contacts", "Vera Vista")
    assert panel["crm_link"] == f"https://app.crm.example/contacts/{vera['Id']}"
