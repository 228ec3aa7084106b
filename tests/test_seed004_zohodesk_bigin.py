"""Seed 004's CRM, Bigin, end to end through the sandboxes and a real pontes server.

- ``chat_to_crm``: JivoChat -> Bigin, every finished chat becomes a Bigin account,
  contact, deal and note;

Bigin signs in with Zoho OAuth as an operator's connection would: the self client's
refresh token from the configuration, an access token from the sandbox's accounts
server, and every call sent to the ``api_domain`` of the token answer (the connection
names no ``base_url``).
"""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from pontes.testing.stack import Stack
from pontes_bigin.sandbox import SANDBOX_REFRESH_TOKEN
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES

pytestmark = pytest.mark.slow

PIPELINE, STAGE = "Sales Pipeline Standard", "Needs Analysis"


def chat_integration(behaviour: str, **options) -> dict:
    return {"recipe": "chat_to_crm", "chat": "jivo", "crm": "bigin",
            "options": {"behaviour": behaviour, "pipeline": PIPELINE, "stage": STAGE,
                        **options}}


INTEGRATIONS = {
    "chat-cpd": chat_integration("company_person_deal"),
    "chat-pd": chat_integration("person_deal"),
    "chat-bad-stage": chat_integration("person_deal", stage="Won Already"),
}

CONNECTIONS = {"jivo": ("jivo", {}), "bigin": ("bigin", {})}
SANDBOX_OPTIONS = {"bigin": {"oauth": True, "daily_credits": 100_000}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("seed004"), connections=CONNECTIONS,
                       integrations=INTEGRATIONS, sandbox_options=SANDBOX_OPTIONS,
                       server_env=FAST_RETRIES) as running:
        yield running


def bigin(stack, method: str, path: str, **kwargs) -> httpx.Response:
    with stack.sandbox("bigin") as sandbox:
        return sandbox.request(method, path, **kwargs)


def records(stack, module: str) -> list[dict]:
    return bigin(stack, "GET", f"/_sandbox/records/{module}").raise_for_status().json()


def named(stack, module: str, field: str, value: str) -> list[dict]:
    return [r for r in records(stack, module) if r.get(field) == value]


def notes_of(stack, record_id: str) -> list[dict]:
    notes = bigin(stack, "GET", "/_sandbox/notes").raise_for_status().json()
    return [n for n in notes if n["Parent_Id"]["id"] == record_id]


def deals_of(stack, contact_id: str) -> list[dict]:
    return [d for d in records(stack, "Pipelines")
            if (d.get("Contact_Name") or {}).get("id") == contact_id]


def chat(stack, integration: str, sample: str, chat_id: int, visitor: dict,
         **overrides) -> None:
    """Jivo sends a finished chat with this test's own ids; waits for pontes to run it."""
    done = len([e for e in stack.events(integration) if e["status"] in ("succeeded", "dead")])
    body = {"chat_id": chat_id, **overrides, "visitor": {"number": str(chat_id), **visitor}}
    outcome = steps.jivo_send(stack, integration, "chat_finished", sample=sample,
                              overrides=body)
    assert outcome["ok"], outcome
    stack.wait_for_events(integration, done + 1)


def last_result(stack, integration: str) -> str:
    detail = stack.event(stack.events(integration)[-1]["id"])
    assert detail["status"] == "succeeded", detail["last_error"]
    return detail["result"]["summary"]


def test_a_chat_becomes_an_account_a_contact_a_deal_and_a_note(stack):
    chat(stack, "chat-cpd", "marcos-company", 4101,
         visitor={"name": "Marcos Quatro", "email": "marcos4@frota.example",
                  "phone": "11 3456-4101"},
         organization={"id": "1", "name": "Frota Quatro Ltda"})
    last_result(stack, "chat-cpd")
    (account,) = named(stack, "Accounts", "Account_Name", "Frota Quatro Ltda")
    (contact,) = named(stack, "Contacts", "Email", "marcos4@frota.example")
    assert (contact["First_Name"], contact["Last_Name"]) == ("Marcos", "Quatro")
    assert contact["Account_Name"]["id"] == account["id"]
    (deal,) = deals_of(stack, contact["id"])
    assert deal["Deal_Name"] == "Chat with Marcos Quatro"
    assert (deal["Sub_Pipeline"], deal["Stage"]) == (PIPELINE, STAGE)
    assert deal["Account_Name"]["id"] == account["id"]
    (note,) = notes_of(stack, deal["id"])
    assert note["$se_module"] == "Pipelines" and note["Note_Title"] == "Chat with Marcos Quatro"
    assert "pontes:" in note["Note_Content"].splitlines()[-1]


def test_the_same_visitor_twice_is_one_contact_with_one_open_deal_and_two_notes(stack):
    first = {"name": "Ana Quatro", "email": "ana4@dupla.example", "phone": "(11) 98765-4201"}
    second = {"name": "Ana Quatro", "email": "ANA4@Dupla.Example", "phone": "+55 11 98765 4201"}
    chat(stack, "chat-pd", "ana-first", 4201, visitor=first)
    chat(stack, "chat-pd", "ana-second", 4202, visitor=second)
    (contact,) = named(stack, "Contacts", "Email", "ana4@dupla.example")
    (deal,) = deals_of(stack, contact["id"])
    assert "already has open deal" in last_result(stack, "chat-pd")
    assert len(notes_of(stack, deal["id"]) + notes_of(stack, contact["id"])) == 2


def test_a_contact_bigin_already_has_is_found_by_its_phone(stack):
    (existing,) = bigin(stack, "POST", "/_sandbox/records/Contacts", json=[{
        "First_Name": "Fábio", "Last_Name": "Fone", "Mobile": "+55 (11) 3456-4301"}]
    ).raise_for_status().json()["ids"]
    chat(stack, "chat-pd", "marcos-company", 4301,
         visitor={"name": "Fabio", "email": "fabio4@fone.example", "phone": "11 34564301"})
    last_result(stack, "chat-pd")
    assert named(stack, "Contacts", "Email", "fabio4@fone.example") == []
    assert len(deals_of(stack, existing)) == 1


def test_bigin_is_reached_with_oauth_and_a_refreshed_token_after_it_expires(stack):
    before = bigin(stack, "GET", "/_sandbox/accounts/tokens").json()
    assert before["refreshes"] >= 1
    bigin(stack, "POST", "/_sandbox/accounts/expire").raise_for_status()
    chat(stack, "chat-pd", "ana-first", 4401,
         visitor={"name": "Olga Oauth", "email": "olga@oauth.example", "phone": ""})
    last_result(stack, "chat-pd")
    assert named(stack, "Contacts", "Email", "olga@oauth.example")
    after = bigin(stack, "GET", "/_sandbox/accounts/tokens").json()
    assert after["refreshes"] > before["refreshes"]
    assert SANDBOX_REFRESH_TOKEN not in stack.server_log()


def test_activation_checks_the_pipeline_and_stage_by_name(stack):
    good = steps.activate(stack, "chat-pd")
    assert f"deals go to pipeline {PIPELINE}, stage {STAGE}" in good
    bad = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "activate", "chat-bad-stage", "--config",
         str(stack.config_path)], env=stack.env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert f"pipeline {PIPELINE!r} has no stage 'Won Already'" in bad.stderr
