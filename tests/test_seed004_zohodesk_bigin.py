"""Seed 004, Zoho Desk and Bigin, end to end through the sandboxes and a real pontes server.

- ``ticket_history``: Zoho Desk -> Bigin, a ticket becomes a note on the Bigin contact
  (created when Bigin does not have it);
- ``deal_to_ticket``: Bigin -> Zoho Desk, a deal owned by the "Zoho Desk" user opens a
  Desk ticket, and closing that ticket wins the deal;
- ``chat_to_crm``: JivoChat -> Bigin, every finished chat becomes a Bigin account,
  contact, deal and note.

``pontes activate`` registers Bigin's watch channels and Zoho Desk's webhooks, and the
sandboxes post their notifications and deliveries to the server. Both Zoho connections
sign in with Zoho OAuth as an operator's would: the self client's refresh token from the
configuration and an access token from the sandbox's accounts server; Bigin's calls go
to the ``api_domain`` of the token answer (the connection names no ``base_url``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import httpx
import pytest
from pontes.testing.stack import Stack
from pontes_bigin.sandbox import SANDBOX_ACCESS_TOKEN as BIGIN_TOKEN
from pontes_bigin.sandbox import SANDBOX_REFRESH_TOKEN
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES
from pontes_zohodesk.sandbox import SANDBOX_ACCESS_TOKEN as DESK_TOKEN
from pontes_zohodesk.sandbox import SANDBOX_REFRESH_TOKEN as DESK_REFRESH_TOKEN
from pontes_zohodesk.sandbox.state import DEPARTMENT_ID, ORG_ID

pytestmark = pytest.mark.slow

PIPELINE, STAGE = "Sales Pipeline Standard", "Needs Analysis"


def chat_integration(behaviour: str, **options) -> dict:
    return {"recipe": "chat_to_crm", "chat": "jivo", "crm": "bigin",
            "options": {"behaviour": behaviour, "pipeline": PIPELINE, "stage": STAGE,
                        **options}}


INTEGRATIONS = {
    "desk-history": {"recipe": "ticket_history", "helpdesk": "desk", "crm": "bigin",
                     "options": {"create_clients": True}},
    "deal-ticket": {"recipe": "deal_to_ticket", "crm": "bigin", "helpdesk": "desk",
                    "poll": True, "poll_interval": 1},
    "chat-cpd": chat_integration("company_person_deal"),
    "chat-pd": chat_integration("person_deal"),
    "chat-twice": chat_integration("person_deal", avoid_duplicate_deals=False),
    "chat-bad-stage": chat_integration("person_deal", stage="Won Already"),
}

CONNECTIONS = {"jivo": ("jivo", {}), "bigin": ("bigin", {}), "desk": ("zohodesk", {
    "access_token": None, "refresh_token": DESK_REFRESH_TOKEN})}
SANDBOX_OPTIONS = {"bigin": {"oauth": True, "daily_credits": 100_000}}
INTEGRATION_USER = "Zoho Desk"
"""The Bigin user whose deals open Desk tickets (the helpdesk connector's title)."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("seed004"), connections=CONNECTIONS,
                       integrations=INTEGRATIONS, sandbox_options=SANDBOX_OPTIONS,
                       server_env=FAST_RETRIES) as running:
        with running.sandbox("bigin") as sandbox:
            sandbox.post("/_sandbox/users", json={
                "full_name": INTEGRATION_USER, "email": "desk@acme.example"}
            ).raise_for_status()
        steps.activate(running, "desk-history")
        steps.activate(running, "deal-ticket")
        yield running


def desk(stack, method: str, path: str, **kwargs) -> httpx.Response:
    """Zoho Desk's API as an agent's script calls it."""
    headers = {"orgId": ORG_ID, "Authorization": f"Zoho-oauthtoken {DESK_TOKEN}"}
    with stack.sandbox("zohodesk") as sandbox:
        return sandbox.request(method, f"/api/v1{path}", headers=headers, **kwargs)


def desk_control(stack, path: str, body: dict) -> dict:
    """Something done in Zoho Desk's UI (a contact added, a ticket opened)."""
    with stack.sandbox("zohodesk") as sandbox:
        return sandbox.post(f"/_sandbox{path}", json=body).raise_for_status().json()


def bigin_api(stack, method: str, path: str, **kwargs) -> dict:
    """Bigin's API as a user's script calls it; its JSON answer."""
    headers = {"Authorization": f"Zoho-oauthtoken {BIGIN_TOKEN}"}
    answer = bigin(stack, method, f"/bigin/v2{path}", headers=headers, **kwargs)
    answer.raise_for_status()
    return answer.json()


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


def finished(stack, integration: str) -> int:
    """How many of the integration's events have run to an end."""
    return len([e for e in stack.events(integration) if e["status"] in ("succeeded", "dead")])


def chat(stack, integration: str, sample: str, chat_id: int, visitor: dict,
         **overrides) -> None:
    """Jivo sends a finished chat with this test's own ids; waits for pontes to run it."""
    done = finished(stack, integration)
    body = {"chat_id": chat_id, **overrides, "visitor": {"number": str(chat_id), **visitor}}
    outcome = steps.jivo_send(stack, integration, "chat_finished", sample=sample,
                              overrides=body)
    assert outcome["ok"], outcome
    stack.wait_for_events(integration, done + 1)


def last_result(stack, integration: str) -> str:
    detail = stack.event(stack.events(integration)[-1]["id"])
    assert detail["status"] == "succeeded", detail["last_error"]
    return detail["result"]["summary"]


def test_activation_registered_bigins_channels_and_desks_webhooks(stack):
    channels = bigin(stack, "GET", "/_sandbox/watch").json()
    hook = stack.hook_url("deal-ticket", "crm")
    assert sorted(e for c in channels if c["notify_url"] == hook for e in c["events"]) == [
        "Pipelines.create", "Pipelines.edit"]
    again = steps.activate(stack, "deal-ticket")
    assert "already registered" in again
    assert len(bigin(stack, "GET", "/_sandbox/watch").json()) == len(channels)


def test_a_notification_without_the_channels_token_is_refused_and_never_run(stack):
    before = {e["id"] for e in stack.events("deal-ticket")}
    answer = httpx.post(stack.hook_url("deal-ticket", "crm"), json={
        "server_time": 1, "module": "Pipelines", "ids": ["5436046000000930001"],
        "operation": "insert", "channel_id": "1", "token": "forged"})
    assert 400 <= answer.status_code < 500
    assert "token" in answer.text
    new = [e for e in stack.events("deal-ticket") if e["id"] not in before]
    assert [e["status"] for e in new] == ["rejected"]


def test_the_server_renews_bigins_channels_before_they_expire(stack):
    soon = bigin(stack, "POST", "/_sandbox/watch/expire", json={"seconds": 900}).json()
    renewed_after = datetime.fromisoformat(soon["expiry"]) + timedelta(hours=12)

    def renewed() -> bool:
        channels = bigin(stack, "GET", "/_sandbox/watch").json()
        return bool(channels) and all(datetime.fromisoformat(c["channel_expiry"])
                                      > renewed_after for c in channels)

    stack.wait_until(renewed, 60, "the watch channels to be renewed")


def test_a_desk_ticket_becomes_a_note_on_a_contact_bigin_did_not_have(stack):
    done = finished(stack, "desk-history")
    contact = desk_control(stack, "/contacts", {"firstName": "Dana", "lastName": "Desk",
                                                "email": "dana@desk.example"})
    ticket = desk_control(stack, "/tickets", {
        "subject": "Invoice PDF will not open", "departmentId": DEPARTMENT_ID,
        "contactId": contact["id"], "description": "It says the file is damaged."})
    stack.wait_for_events("desk-history", done + 1)
    last_result(stack, "desk-history")
    (person,) = named(stack, "Contacts", "Email", "dana@desk.example")
    assert (person["First_Name"], person["Last_Name"]) == ("Dana", "Desk")
    (note,) = notes_of(stack, person["id"])
    assert note["Note_Title"] == f"Ticket {ticket['ticketNumber']}: Invoice PDF will not open"
    assert "Status: Open" in note["Note_Content"]


def test_a_second_ticket_of_a_known_client_adds_a_note_to_the_same_contact(stack):
    (existing,) = bigin(stack, "POST", "/_sandbox/records/Contacts", json=[{
        "First_Name": "Edu", "Last_Name": "Known", "Email": "edu@known.example"}]
    ).raise_for_status().json()["ids"]
    done = finished(stack, "desk-history")
    contact = desk_control(stack, "/contacts", {"lastName": "Known",
                                                "email": "EDU@known.example"})
    desk_control(stack, "/tickets", {"subject": "Second screen", "departmentId": DEPARTMENT_ID,
                                     "contactId": contact["id"]})
    stack.wait_for_events("desk-history", done + 1)
    last_result(stack, "desk-history")
    assert [c["id"] for c in records(stack, "Contacts")
            if (c.get("Email") or "").lower() == "edu@known.example"] == [existing]
    assert [n["Note_Title"].split(": ", 1)[1] for n in notes_of(stack, existing)] == [
        "Second screen"]


def test_a_deal_of_the_zoho_desk_user_opens_a_ticket_and_closing_it_wins_the_deal(stack):
    users = bigin_api(stack, "GET", "/users", params={"type": "ActiveUsers"})["users"]
    (desk_user,) = [u for u in users if u["full_name"] == INTEGRATION_USER]
    [contact] = bigin_api(stack, "POST", "/Contacts", json={"data": [{
        "First_Name": "Gil", "Last_Name": "Deal", "Email": "gil@deal.example"}]})["data"]
    done = finished(stack, "deal-ticket")
    [deal] = bigin_api(stack, "POST", "/Pipelines", json={"data": [{
        "Deal_Name": "Onboarding for Gil", "Sub_Pipeline": PIPELINE, "Stage": "Qualification",
        "Amount": 1200, "Owner": {"id": desk_user["id"]},
        "Contact_Name": {"id": contact["details"]["id"]}}]})["data"]
    deal_id = deal["details"]["id"]
    stack.wait_for_events("deal-ticket", done + 1)
    assert "opened ticket" in last_result(stack, "deal-ticket")

    tickets = desk(stack, "GET", "/tickets", params={"limit": 100}).json()["data"]
    (ticket,) = [t for t in tickets if t["subject"] == "Onboarding for Gil"]
    assert ticket["email"] == "gil@deal.example"

    done = finished(stack, "deal-ticket")
    desk(stack, "PATCH", f"/tickets/{ticket['id']}", json={"status": "Closed"}
         ).raise_for_status()
    stack.wait_until(lambda: bigin_api(stack, "GET", f"/Pipelines/{deal_id}")["data"][0][
        "Stage"] == "Closed Won", 60, "the deal to be won")
    stack.wait_for_events("deal-ticket", done + 1)
    assert len([t for t in desk(stack, "GET", "/tickets", params={"limit": 100}).json()["data"]
                if t["subject"] == "Onboarding for Gil"]) == 1


def test_a_deal_of_another_user_opens_no_ticket(stack):
    [contact] = bigin_api(stack, "POST", "/Contacts", json={"data": [{
        "Last_Name": "Other", "Email": "other@deal.example"}]})["data"]
    done = finished(stack, "deal-ticket")
    bigin_api(stack, "POST", "/Pipelines", json={"data": [{
        "Deal_Name": "Not for the desk", "Sub_Pipeline": PIPELINE, "Stage": "Qualification",
        "Contact_Name": {"id": contact["details"]["id"]}}]})
    stack.wait_for_events("deal-ticket", done + 1)
    assert "is not assigned to 'Zoho Desk'" in last_result(stack, "deal-ticket")
    assert not [t for t in desk(stack, "GET", "/tickets", params={"limit": 100}).json()["data"]
                if t["subject"] == "Not for the desk"]


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


def lose_the_answer_to_the_next_post(stack, path: str) -> None:
    """Bigin stores the next record POSTed to ``path``, then the connection drops."""
    bigin(stack, "POST", "/_sandbox/faults", json={
        "drop": True, "commit_first": True, "method": "POST", "path": path}
    ).raise_for_status()


def found_by_marker(stack, integration: str) -> bool:
    """Whether the last run, a retry, found a record its earlier attempt had made."""
    detail = stack.event(stack.events(integration)[-1]["id"])
    return detail["attempts"] >= 2 and "created by an earlier attempt" in json.dumps(
        detail["result"])


def test_a_contact_whose_answer_is_lost_is_found_by_its_marker_not_made_twice(stack):
    lose_the_answer_to_the_next_post(stack, "/bigin/v2/Contacts")
    chat(stack, "chat-pd", "anonymous", 4501, visitor={"name": "Nadia Semcontato"})
    last_result(stack, "chat-pd")
    (contact,) = named(stack, "Contacts", "Last_Name", "Semcontato")
    assert len(deals_of(stack, contact["id"])) == 1
    assert found_by_marker(stack, "chat-pd")


def test_a_deal_whose_answer_is_lost_is_found_by_its_marker_not_made_twice(stack):
    lose_the_answer_to_the_next_post(stack, "/bigin/v2/Pipelines")
    chat(stack, "chat-twice", "ana-first", 4502,
         visitor={"name": "Otto Perdido", "email": "otto@lost.example", "phone": ""})
    last_result(stack, "chat-twice")
    (contact,) = named(stack, "Contacts", "Email", "otto@lost.example")
    assert len(deals_of(stack, contact["id"])) == 1
    assert found_by_marker(stack, "chat-twice")


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
