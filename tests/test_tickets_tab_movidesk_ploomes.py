"""The Tickets tab for Ploomes × Movidesk, as far as Movidesk's capabilities go: a
Ploomes contact's Movidesk tickets listed, opened with their actions, answered and moved
from the tab, with the actions Movidesk lacks (reply to all, forward) not offered; and a
new Movidesk ticket of a Ploomes client told as a "New ticket" interaction record in
Ploomes and a signed outgoing webhook, and a satisfaction answer as a "New rating" one."""

from __future__ import annotations

import re

import httpx
import pytest
from e2e_support import movidesk_person, movidesk_ticket, ploomes_insert, seed_movidesk
from pontes.panels.tickets_tab.context import tab_address
from pontes.testing import serve_app
from pontes.testing.matrix import WEBHOOK_SECRET, SignalReceiver
from pontes.testing.stack import Stack
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES, SANDBOX_OPTIONS
from pontes_movidesk.sandbox import SANDBOX_TOKEN
from standardwebhooks import Webhook

pytestmark = pytest.mark.slow

USER = "vendas@acme.example"
PERSON = 2
"""Ploomes' ``TypeId`` of a person."""
RECEIVER = SignalReceiver()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with serve_app(RECEIVER.app()) as receiver_url:
        integrations = {"tab": {
            "recipe": "tickets_tab", "helpdesk": "movidesk", "crm": "ploomes",
            "options": {"agents": {USER: "agent-ana"}, "default_user": USER,
                        "webhooks": [{"url": f"{receiver_url}/signals",
                                      "secret": WEBHOOK_SECRET}]},
            "poll": True, "poll_interval": 1}}
        connections = {"ploomes": ("ploomes", {}),
                       "movidesk": ("movidesk", {"poll_lookback_hours": 0,
                                                 "poll_overlap_seconds": 2})}
        with Stack.running(tmp_path_factory.mktemp("tab-movidesk"), connections=connections,
                           integrations=integrations, sandbox_options=SANDBOX_OPTIONS,
                           server_env=FAST_RETRIES) as running:
            steps.activate(running, "tab")
            steps.movidesk_automation(running, "tab", status=None)
            yield running


def unescaped(value: str) -> str:
    return value.replace("&amp;", "&")


def movidesk_ticket_state(stack, ticket_id: int) -> dict:
    with stack.sandbox("movidesk") as movidesk:
        state = movidesk.get("/_sandbox/state").raise_for_status().json()
    return next(t for t in state["tickets"] if t["id"] == ticket_id)


def test_a_ploomes_contacts_movidesk_tickets_are_listed_opened_answered_and_moved(stack):
    (contact,) = ploomes_insert(stack, "Contacts", [
        {"TypeId": PERSON, "Name": "Rita Campos", "Email": "rita@campos.example"}])
    seed_movidesk(stack, persons=[
        movidesk_person("cli-rita", "Rita Campos", "rita@campos.example"),
        movidesk_person("cli-outra", "Outra Pessoa", "outra@pessoa.example")], tickets=[
        movidesk_ticket(8101, "cli-rita", "Impressora não imprime", actions=[
            {"type": 2, "description": "A impressora parou ontem."}]),
        movidesk_ticket(8102, "cli-outra", "Chamado de outra pessoa")])
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    address = tab_address(stack.runtime.integrations["tab"]).format(module="contacts",
                                                                    id=contact)
    listed = client.get(address)
    assert listed.status_code == 200, listed.text
    assert "Impressora não imprime" in listed.text
    assert "Chamado de outra pessoa" not in listed.text

    opened = client.get(unescaped(re.search(r'class="open-ticket" href="([^"]+)"',
                                            listed.text).group(1)))
    assert opened.status_code == 200, opened.text
    assert "A impressora parou ontem." in opened.text
    assert 'class="reply"' in opened.text
    assert "reply-all" not in opened.text and "forward-form" not in opened.text
    reply_url = unescaped(re.search(r'class="reply-form" method="post" action="([^"]+)"',
                                    opened.text).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', opened.text).group(1)
    answered = client.post(reply_url, data={"csrf_token": token,
                                            "text": "Vamos trocar o toner, Rita.",
                                            "mode": "reply"})
    assert "The reply was sent to the sender." in answered.text
    (action,) = [a for a in movidesk_ticket_state(stack, 8101)["actions"]
                 if "Vamos trocar o toner" in (a.get("description") or "")]
    assert action["type"] == 2 and action["origin"] == 9, action
    assert action["createdBy"]["id"] == "agent-ana", action

    refused = client.post(reply_url, data={"csrf_token": token, "text": "Todos",
                                           "mode": "reply_all"})
    assert refused.status_code == 404
    assert "Movidesk cannot do this (reply_all)" in refused.text

    moved = client.post(reply_url.replace("/reply?", "/status?"),
                        data={"csrf_token": token, "status": "solved"})
    assert "The status was changed." in moved.text
    stored = movidesk_ticket_state(stack, 8101)
    assert (stored["status"], stored["baseStatus"]) == ("Resolvido", "Resolved")


def test_a_new_movidesk_ticket_of_a_ploomes_client_is_a_note_and_a_signed_webhook(stack):
    (contact,) = ploomes_insert(stack, "Contacts", [
        {"TypeId": PERSON, "Name": "Davi Nunes", "Email": "davi@nunes.example"}])
    seed_movidesk(stack, persons=[movidesk_person("cli-davi", "Davi Nunes",
                                                  "davi@nunes.example")])
    subject = "Sistema fora do ar para Davi"
    with stack.sandbox("movidesk") as movidesk:
        movidesk.post("/public/v1/tickets", params={"token": SANDBOX_TOKEN}, json={
            "type": 2, "subject": subject, "createdBy": {"id": "cli-davi"},
            "clients": [{"id": "cli-davi"}],
            "actions": [{"type": 2, "description": "Nada abre desde cedo."}],
        }).raise_for_status()

    def new_ticket_notes() -> list[dict]:
        return [r for r in steps.ploomes_records(stack, "InteractionRecords")
                if r.get("ContactId") == contact and subject in str(r.get("Content"))]

    stack.wait_until(lambda: new_ticket_notes() and RECEIVER.deliveries(subject), 60,
                     "the new-ticket note in Ploomes and the outgoing webhook")
    (note,) = new_ticket_notes()
    assert "Movidesk: New ticket" in str(note["Content"]), note
    ((headers, body),) = RECEIVER.deliveries(subject)
    signal = Webhook(WEBHOOK_SECRET).verify(body, headers)
    assert signal["type"] == "ticket.new_ticket", signal
    assert signal["data"]["helpdesk"] == "movidesk"
    assert signal["data"]["crm_record"] == {"kind": "contact", "id": str(contact)}
    assert signal["data"]["ticket"]["subject"] == subject


def test_plus_ticket_opens_a_movidesk_ticket_for_the_client_found_by_e_mail(stack):
    (contact,) = ploomes_insert(stack, "Contacts", [
        {"TypeId": PERSON, "Name": "Lia Souto", "Email": "lia@souto.example"}])
    seed_movidesk(stack, persons=[movidesk_person("cli-lia", "Lia Souto",
                                                  "lia@souto.example")])
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    address = tab_address(stack.runtime.integrations["tab"]).format(module="contacts",
                                                                    id=contact)
    listed = client.get(address)
    page = client.get(unescaped(re.search(r'class="button new-ticket" href="([^"]+)"',
                                          listed.text).group(1))).text
    action = unescaped(re.search(r'class="ticket-form" method="post" action="([^"]+)"',
                                 page).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    created = client.post(action, data={
        "csrf_token": token, "email": "lia@souto.example", "subject": "Troca de plano",
        "category": "Comercial", "urgency": "Média",
        "description": "Quero o plano Ouro."})
    assert "The ticket was created." in created.text, created.text
    with stack.sandbox("movidesk") as movidesk:
        state = movidesk.get("/_sandbox/state").raise_for_status().json()
    (made,) = [t for t in state["tickets"] if t["subject"] == "Troca de plano"]
    assert [c["id"] for c in made["clients"]] == ["cli-lia"]
    assert made["category"] == "Comercial"
    assert "Quero o plano Ouro." in made["actions"][0]["description"]


def test_plus_ticket_for_a_client_movidesk_does_not_know_says_why_and_opens_nothing(stack):
    (contact,) = ploomes_insert(stack, "Contacts", [
        {"TypeId": PERSON, "Name": "Rui Novo", "Email": "rui@novo.example"}])
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    address = tab_address(stack.runtime.integrations["tab"]).format(module="contacts",
                                                                    id=contact)
    page = client.get(unescaped(re.search(r'class="button new-ticket" href="([^"]+)"',
                                          client.get(address).text).group(1))).text
    action = unescaped(re.search(r'class="ticket-form" method="post" action="([^"]+)"',
                                 page).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(action, data={
        "csrf_token": token, "email": "rui@novo.example", "subject": "Plano novo",
        "category": "Comercial", "urgency": "Média", "description": "Quero mudar."})
    assert refused.status_code == 422, refused.text
    assert "e-mail of a Movidesk client" in refused.text
    with stack.sandbox("movidesk") as movidesk:
        state = movidesk.get("/_sandbox/state").raise_for_status().json()
    assert not [t for t in state["tickets"] if t["subject"] == "Plano novo"]


def seed_movidesk_answers(stack, answers: list[dict]) -> None:
    """Satisfaction-survey answers clients gave in Movidesk."""
    with stack.sandbox("movidesk") as movidesk:
        movidesk.post("/_sandbox/seed", json={"survey_responses": answers}).raise_for_status()


def test_a_satisfaction_answer_on_a_ploomes_clients_ticket_is_a_new_rating_note(stack):
    (contact,) = ploomes_insert(stack, "Contacts", [
        {"TypeId": PERSON, "Name": "Bia Rocha", "Email": "bia@rocha.example"}])
    seed_movidesk(stack, persons=[movidesk_person("cli-bia", "Bia Rocha", "bia@rocha.example")],
                  tickets=[movidesk_ticket(8301, "cli-bia", "Entrega atrasada da Bia")])

    def survey_read() -> bool:
        with stack.sandbox("movidesk") as movidesk:
            log = movidesk.get("/_sandbox/requests").raise_for_status().json()
        return any(r["path"].endswith("/survey/responses") and r["status"] == 200
                   for r in log)

    stack.wait_until(survey_read, 60, "the first poll of the survey answers")
    seed_movidesk_answers(stack, [{
        "id": "zz-bia-1", "questionId": "pZN7", "clientId": "cli-bia", "type": 2,
        "ticketId": 8301, "responseDate": "2026-12-01T13:35:38.0174433",
        "commentary": "Chegou tarde.", "value": 2}])

    def rating_notes() -> list[dict]:
        return [r for r in steps.ploomes_records(stack, "InteractionRecords")
                if r.get("ContactId") == contact and "New rating" in str(r.get("Content"))]

    stack.wait_until(rating_notes, 60, "the new-rating note in Ploomes")
    (note,) = rating_notes()
    assert "Rating: bad" in str(note["Content"]) and "Chegou tarde." in str(note["Content"])
