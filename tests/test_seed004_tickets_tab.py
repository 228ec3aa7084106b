"""Seed 004's Tickets tab and signals, end to end: Bigin records, Zoho Desk tickets, a
real pontes server and a receiver for the outgoing webhooks.

The tab is opened at the address a CRM embeds, as the Bigin sandbox's record page does;
every action is checked in the Zoho Desk sandbox. Each signal is sent by the Zoho Desk
sandbox as Zoho Desk would, and must arrive as a note on the Bigin contact and as a
delivery whose Standard Webhooks signature the reference library accepts.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import html
import re
import subprocess
import sys
import threading
from types import SimpleNamespace
from urllib.parse import urlencode

import httpx
import pytest
from panel_support import bigin_desk_tab, desk_api
from pontes.models import Event
from pontes.panels.tickets_tab.context import personal_address, tab_address, user_key
from pontes.recipes import tickets_tab
from pontes.recipes.base import RunContext
from pontes.recipes.tickets_tab import TicketsTabOptions
from pontes.testing.server import serve_app
from pontes_demo import steps
from pontes_zohodesk.sandbox.state import AGENT_ZUID, DEPARTMENT_ID
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

pytestmark = pytest.mark.slow

SECRET = "whsec_" + base64.b64encode(b"tickets-tab-test-secret-32bytes!").decode()
MAPPED, UNMAPPED = "ana@crm.example", "bob@crm.example"
LIMITED, GONE = "cara@crm.example", "dan@crm.example"
"""Mapped to a Zoho Desk agent the tests add and change (``LIMITED_ZUID``), and to one
the portal does not have."""
LIMITED_ZUID, GONE_ZUID = "60054321", "60099999"


class Receiver:
    """The operator's webhook endpoint: keeps every delivery."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes, str]] = []
        self.lock = threading.Lock()
        self.failing = False

    async def take(self, request: Request) -> Response:
        body = await request.body()
        if self.failing:
            return Response(status_code=503)
        with self.lock:
            self.deliveries.append((dict(request.headers), body, request.url.path))
        return Response(status_code=204)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/signals", self.take, methods=["POST"])])


@pytest.fixture(scope="module")
def receiver():
    return Receiver()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, receiver):
    with serve_app(receiver.app()) as receiver_url:
        options = {"agents": {MAPPED: AGENT_ZUID, LIMITED: LIMITED_ZUID, GONE: GONE_ZUID},
                   "webhooks": [{"url": f"{receiver_url}/signals", "secret": SECRET}]}
        with bigin_desk_tab(tmp_path_factory.mktemp("tab"), options, poll=True,
                            poll_interval=1, max_attempts=3) as running:
            steps.activate(running, "tickets")
            yield running


def desk_control(stack, path: str, body: dict) -> dict:
    with stack.sandbox("zohodesk") as sandbox:
        return sandbox.post(f"/_sandbox{path}", json=body).raise_for_status().json()


def bigin_contact(stack, last_name: str, email: str) -> str:
    with stack.sandbox("bigin") as sandbox:
        return sandbox.post("/_sandbox/records/Contacts", json=[{
            "Last_Name": last_name, "Email": email}]).raise_for_status().json()["ids"][0]


def notes_of(stack, record_id: str) -> list[dict]:
    with stack.sandbox("bigin") as sandbox:
        notes = sandbox.get("/_sandbox/notes").raise_for_status().json()
    return [n for n in notes if n["Parent_Id"]["id"] == record_id]


def tab(stack, module: str, record_id: str, user: str | None = MAPPED,
        personal: bool = True) -> httpx.Response:
    """The tab of a record at ``user``'s personal address, or at the shared address
    naming ``user`` (``personal`` false)."""
    integration = stack.runtime.integrations["tickets"]
    if personal and user:
        address = personal_address(integration, user).format(module=module, id=record_id)
    else:
        address = tab_address(integration).format(module=module, id=record_id) + (
            f"&user={user}" if user else "")
    client = httpx.Client(base_url=stack.server_url, timeout=30.0)
    return client.get(address)


def link(page: str, css_class: str) -> str:
    found = re.search(rf'class="{css_class}" href="([^"]+)"', page)
    assert found, f"no {css_class} link in the page"
    return found.group(1).replace("&amp;", "&")


def form_action(page: str, css_class: str) -> str:
    found = re.search(rf'<form class="[^"]*{css_class}[^"]*" method="post" action="([^"]+)"',
                      page)
    assert found, f"no {css_class} form in the page"
    return found.group(1).replace("&amp;", "&")


def csrf(page: str) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def client_with_ticket(stack):
    """A Bigin contact and a Zoho Desk contact with the same e-mail and one ticket."""
    contact_id = bigin_contact(stack, "Tabby", "tabby@client.example")
    person = desk_control(stack, "/contacts", {"lastName": "Tabby",
                                               "email": "tabby@client.example"})
    ticket = desk_control(stack, "/tickets", {
        "subject": "Printer jams", "departmentId": DEPARTMENT_ID, "contactId": person["id"],
        "description": "Every second page.", "cf": {}})
    return contact_id, person, ticket


def test_the_tab_lists_the_records_tickets_found_by_email(stack, client_with_ticket):
    contact_id, _, ticket = client_with_ticket
    page = tab(stack, "Contacts", contact_id)
    assert page.status_code == 200, page.text
    assert "Printer jams" in page.text
    assert ticket["ticketNumber"] in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_tab_address_with_another_key_is_refused(stack, client_with_ticket):
    contact_id, _, _ = client_with_ticket
    address = f"{stack.server_url}/tabs/tickets/not-the-key?module=Contacts&id={contact_id}"
    answer = httpx.get(address)
    assert answer.status_code == 403
    assert "Printer jams" not in answer.text


def test_a_deal_shows_its_contacts_tickets_and_a_company_its_accounts(stack,
                                                                     client_with_ticket):
    contact_id, person, _ = client_with_ticket
    with stack.sandbox("bigin") as bigin:
        (deal_id,) = bigin.post("/_sandbox/records/Pipelines", json=[{
            "Deal_Name": "Printers for Tabby", "Stage": "Qualification",
            "Sub_Pipeline": "Sales Pipeline Standard",
            "Contact_Name": {"id": contact_id}}]).raise_for_status().json()["ids"]
        (company_id,) = bigin.post("/_sandbox/records/Accounts", json=[{
            "Account_Name": "Inkwell Ltd"}]).raise_for_status().json()["ids"]
    account = desk_control(stack, "/accounts", {"accountName": "Inkwell Ltd"})
    colleague = desk_control(stack, "/contacts", {"lastName": "Ink", "accountId": account["id"],
                                                  "email": "ink@inkwell.example"})
    desk_control(stack, "/tickets", {"subject": "Toner order", "departmentId": DEPARTMENT_ID,
                                     "contactId": colleague["id"]})
    deal_tab = tab(stack, "Pipelines", deal_id)
    assert deal_tab.status_code == 200, deal_tab.text
    assert "Printer jams" in deal_tab.text and "Toner order" not in deal_tab.text
    company_tab = tab(stack, "Accounts", company_id)
    assert company_tab.status_code == 200, company_tab.text
    assert "Toner order" in company_tab.text and "Printer jams" not in company_tab.text


def test_an_unknown_module_is_refused_with_the_reason(stack, client_with_ticket):
    contact_id, _, _ = client_with_ticket
    answer = tab(stack, "Tasks", contact_id)
    assert answer.status_code == 400
    assert "The tab shows contacts, companies and deals, not 'Tasks'" in answer.text


def test_create_reply_reply_all_forward_and_status_reach_zoho_desk_api(stack, client_with_ticket):
    contact_id, person, _ = client_with_ticket
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    first = tab(stack, "Contacts", contact_id)
    form_page = client.get(link(first.text, "button new-ticket"))
    assert 'value="tabby@client.example"' in form_page.text
    created = client.post(form_action(form_page.text, "ticket-form"), data={
        "csrf_token": csrf(form_page.text), "subject": "Made from Bigin",
        "email": "tabby@client.example", "description": "Opened in the tab."})
    assert created.status_code == 200, stack.server_log()[-3000:]
    assert "The ticket was created." in created.text
    made = [t for t in desk_api(stack, "GET", f"/contacts/{person['id']}/tickets").json()["data"]
            if t["subject"] == "Made from Bigin"]
    assert len(made) == 1
    ticket_id = made[0]["id"]

    def threads() -> list[dict]:
        return desk_api(stack, "GET", f"/tickets/{ticket_id}/threads").json()["data"]

    page = created.text
    before = len(threads())
    page = client.post(form_action(page, "reply-form"), data={
        "csrf_token": csrf(page), "text": "Only to you", "mode": "reply"}).text
    assert "The reply was sent to the sender." in page
    assert len(threads()) == before + 1
    page = client.post(form_action(page, "reply-form"), data={
        "csrf_token": csrf(page), "text": "To all of you", "mode": "reply_all"}).text
    assert "The reply was sent to everyone on the ticket." in page
    assert len(threads()) == before + 2
    page = client.post(form_action(page, "forward-form"), data={
        "csrf_token": csrf(page), "to": "boss@client.example", "text": "FYI"}).text
    assert "The ticket was forwarded." in page
    latest = threads()
    assert len(latest) == before + 3
    assert any("boss@client.example" in str(t.get("to")) for t in latest)
    page = client.post(form_action(page, "status-form"), data={
        "csrf_token": csrf(page), "status": "closed"}).text
    assert "The status was changed." in page
    assert desk_api(stack, "GET", f"/tickets/{ticket_id}").json()["status"] == "Closed"


def test_an_unmapped_user_reads_but_is_told_clearly_when_trying_to_reply(stack,
                                                                      client_with_ticket):
    contact_id, _, ticket = client_with_ticket
    page = tab(stack, "Contacts", contact_id, user=UNMAPPED)
    assert "Printer jams" in page.text
    assert "new-ticket" not in page.text
    client = httpx.Client(base_url=stack.server_url, timeout=30.0)
    opened = client.get(link(page.text, "open-ticket"))
    assert "reply-form" not in opened.text
    action = link(page.text, "open-ticket").split("?")[0] + "/reply?" + \
        link(page.text, "open-ticket").split("?")[1]
    refused = client.post(action, data={"csrf_token": csrf(page.text), "text": "hi",
                                        "mode": "reply"})
    assert refused.status_code == 403
    assert f"({UNMAPPED}) is not mapped to a Zoho Desk agent" in refused.text


def test_zoho_desks_403_is_said_clearly(stack, client_with_ticket):
    contact_id, _, _ = client_with_ticket
    client = httpx.Client(base_url=stack.server_url, timeout=30.0)
    page = tab(stack, "Contacts", contact_id)
    opened = client.get(link(page.text, "open-ticket")).text
    with stack.sandbox("zohodesk") as sandbox:
        sandbox.post("/_sandbox/faults", json={"status": 403, "count": 1,
                                               "method": "POST"}).raise_for_status()
    refused = client.post(form_action(opened, "reply-form"), data={
        "csrf_token": csrf(opened), "text": "No right", "mode": "reply"})
    assert refused.status_code == 403
    assert "Zoho Desk refused: the agent you work as has no permission" in refused.text


def threads_of(stack, ticket_id: str) -> list[dict]:
    return desk_api(stack, "GET", f"/tickets/{ticket_id}/threads").json().get("data", [])


def tab_url(page: str, path: str) -> str:
    """A tab page's ``path`` with the context of ``page`` (whose buttons may be hidden)."""
    opened = link(page, "open-ticket")
    return f"{opened.split('?')[0].rsplit('/', 1)[0]}{path}?{opened.split('?')[1]}"


def test_a_user_named_on_the_shared_address_reads_but_cannot_write(stack, client_with_ticket):
    contact_id, _, ticket = client_with_ticket
    page = tab(stack, "Contacts", contact_id, user=MAPPED, personal=False)
    assert page.status_code == 200, page.text
    assert "Printer jams" in page.text
    assert "shared-address" in page.text and "new-ticket" not in page.text
    client = httpx.Client(base_url=stack.server_url, timeout=30.0)
    opened = client.get(link(page.text, "open-ticket"))
    assert "shared-address" in opened.text and "reply-form" not in opened.text
    before = threads_of(stack, ticket["id"])
    refused = client.post(tab_url(page.text, f"/{ticket['id']}/reply"), data={
        "csrf_token": csrf(page.text), "text": "Pretending to be Ana", "mode": "reply"})
    assert refused.status_code == 403
    assert "shared address, which does not prove who you are" in refused.text
    assert threads_of(stack, ticket["id"]) == before
    form = client.get(tab_url(page.text, "/new"))
    assert form.status_code == 403
    assert "personal tab address" in form.text


def test_a_personal_address_tampered_or_of_another_integration_is_refused(stack,
                                                                          client_with_ticket):
    contact_id, _, _ = client_with_ticket
    integration = stack.runtime.integrations["tickets"]
    other = SimpleNamespace(name="other-tickets", webhook_tokens=integration.webhook_tokens)
    own = personal_address(integration, MAPPED).format(module="Contacts", id=contact_id)
    key = user_key(integration, MAPPED)
    forged = [
        own.replace(f"/{key}?", f"/{user_key(other, MAPPED)}?"),
        own.replace(urlencode({"user": MAPPED}), urlencode({"user": LIMITED})),
        own.replace(f"/{key}?", f"/{key[:-1]}{'A' if key[-1] != 'A' else 'B'}?"),
        own.replace(urlencode({"user": MAPPED}) + "&", ""),
    ]
    for address in forged:
        answer = httpx.get(address, timeout=30.0)
        assert answer.status_code == 403, address
        assert "This tab address is not valid for this integration." in answer.text
        assert "Printer jams" not in answer.text
    assert httpx.get(own, timeout=30.0).status_code == 200


@pytest.fixture(scope="module")
def limited_agent(stack):
    """A Zoho Desk agent whose profile may create tickets and change them, not reply."""
    agent = desk_control(stack, "/agents", {"zuid": LIMITED_ZUID, "name": "Cara Light"})
    profile = desk_control(stack, "/profiles", {"name": "Light agent", "permissions": {
        "tickets": {"view": True, "create": True, "edit": True, "reply": False}}})
    with stack.sandbox("zohodesk") as sandbox:
        sandbox.patch(f"/_sandbox/agents/{agent['id']}",
                      json={"profileId": profile["id"]}).raise_for_status()
    return agent


def test_an_agent_without_the_reply_permission_is_refused_before_anything_is_sent(
        stack, client_with_ticket, limited_agent):
    contact_id, _, ticket = client_with_ticket
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    page = tab(stack, "Contacts", contact_id, user=LIMITED)
    opened = client.get(link(page.text, "open-ticket")).text
    before = threads_of(stack, ticket["id"])
    refused = client.post(form_action(opened, "reply-form"), data={
        "csrf_token": csrf(opened), "text": "Not allowed", "mode": "reply"})
    assert refused.status_code == 403
    assert ("The Zoho Desk agent you work as (Cara Light) has no permission to reply to "
            "tickets in Zoho Desk, so nothing was sent.") in refused.text
    forwarded = client.post(form_action(opened, "forward-form"), data={
        "csrf_token": csrf(opened), "to": "boss@client.example"})
    assert forwarded.status_code == 403
    assert "no permission to forward tickets" in forwarded.text
    assert threads_of(stack, ticket["id"]) == before
    moved = client.post(form_action(opened, "status-form"), data={
        "csrf_token": csrf(opened), "status": "open"})
    assert "The status was changed." in moved.text


def test_a_deactivated_agent_and_one_zoho_desk_does_not_have_are_refused(
        stack, client_with_ticket, limited_agent):
    contact_id, _, _ = client_with_ticket
    client = httpx.Client(base_url=stack.server_url, timeout=30.0)
    with stack.sandbox("zohodesk") as sandbox:
        sandbox.patch(f"/_sandbox/agents/{limited_agent['id']}",
                      json={"status": "DISABLED"}).raise_for_status()
    try:
        page = tab(stack, "Contacts", contact_id, user=LIMITED)
        refused = client.get(link(page.text, "button new-ticket"))
        assert refused.status_code == 403
        assert "(Cara Light) is deactivated in Zoho Desk, so nothing was sent" in refused.text
    finally:
        with stack.sandbox("zohodesk") as sandbox:
            sandbox.patch(f"/_sandbox/agents/{limited_agent['id']}",
                          json={"status": "ACTIVE"}).raise_for_status()
    assert client.get(link(page.text, "button new-ticket")).status_code == 200
    page = tab(stack, "Contacts", contact_id, user=GONE)
    refused = client.get(link(page.text, "button new-ticket"))
    assert refused.status_code == 403
    assert f"The Zoho Desk agent you work as ({GONE_ZUID}) does not exist in Zoho Desk" \
        in refused.text


def deliveries_of(receiver, signal: str, path: str = "/signals") -> list[tuple[dict, bytes]]:
    with receiver.lock:
        return [(h, b) for h, b, at in receiver.deliveries
                if at == path and f'"type":"ticket.{signal}"' in b.decode()]


def wait_for_signal(stack, receiver, signal: str, contact_id: str, title: str) -> None:
    stack.wait_until(lambda: bool(deliveries_of(receiver, signal)), 60,
                     f"the {signal} webhook")
    for headers, body in deliveries_of(receiver, signal):
        verified = Webhook(SECRET).verify(body, headers)
        assert verified["data"]["signal"] == signal
    stack.wait_until(lambda: any(title in (n.get("Note_Title") or "")
                                 for n in notes_of(stack, contact_id)), 30,
                     f"the {signal} note")


@pytest.fixture(scope="module")
def signalled(stack):
    contact_id = bigin_contact(stack, "Signal", "signal@client.example")
    person = desk_control(stack, "/contacts", {"lastName": "Signal",
                                               "email": "signal@client.example"})
    ticket = desk_control(stack, "/tickets", {
        "subject": "Signals please", "departmentId": DEPARTMENT_ID,
        "contactId": person["id"]})
    return contact_id, ticket


def test_new_ticket_signal(stack, receiver, signalled):
    contact_id, _ = signalled
    wait_for_signal(stack, receiver, "new_ticket", contact_id, "New ticket")


def test_new_reply_signal(stack, receiver, signalled):
    contact_id, ticket = signalled
    desk_control(stack, f"/tickets/{ticket['id']}/customer-reply", {"content": "Any news?"})
    wait_for_signal(stack, receiver, "new_reply", contact_id, "New reply")


def comment(stack, ticket_id: str, content: str) -> None:
    desk_api(stack, "POST", f"/tickets/{ticket_id}/comments",
         json={"content": content, "isPublic": False, "contentType": "plainText"}
         ).raise_for_status()


def test_new_comment_signal(stack, receiver, signalled):
    contact_id, ticket = signalled
    comment(stack, ticket["id"], "Checked the logs, nothing odd.")
    wait_for_signal(stack, receiver, "new_comment", contact_id, "New comment")


def test_a_signal_switched_off_is_neither_noted_nor_sent(stack, signalled):
    integration = stack.runtime.integrations["tickets"]
    quiet = dataclasses.replace(integration, options=TicketsTabOptions(
        signals={"new_comment": False}, webhooks=integration.options.webhooks))
    event = Event(type="ticket.commented", connection="desk", idempotency_key="quiet-1",
                  entity_key="ticket:1", record_id=signalled[1]["id"])
    run = RunContext(quiet, event, "helpdesk", links=None)
    assert asyncio.run(tickets_tab.handle(run, event)) == "new_comment is switched off"


def test_mention_of_a_mapped_user_signal(stack, receiver, signalled):
    contact_id, ticket = signalled
    comment(stack, ticket["id"], f"zsu[@user:{AGENT_ZUID}]zsu can you look?")
    wait_for_signal(stack, receiver, "mention", contact_id, "Mentioned")


def test_new_rating_signal(stack, receiver, signalled):
    contact_id, ticket = signalled
    desk_control(stack, f"/tickets/{ticket['id']}/rating",
                 {"rating": "GOOD", "feedback": "Quick and kind"})
    wait_for_signal(stack, receiver, "new_rating", contact_id, "New rating")
    notes = [n for n in notes_of(stack, contact_id) if "New rating" in n["Note_Title"]]
    assert "Rating: GOOD" in notes[0]["Note_Content"]


def test_escalated_signal(stack, receiver, signalled):
    contact_id, ticket = signalled
    desk_control(stack, f"/tickets/{ticket['id']}/escalate", {})
    wait_for_signal(stack, receiver, "escalated", contact_id, "Ticket escalated")


def test_a_tampered_delivery_fails_the_reference_check(receiver, stack, signalled):
    headers, body = deliveries_of(receiver, "new_ticket")[0]
    tampered = body.replace(b'"signal":"new_ticket"', b'"signal":"overdue"')
    assert tampered != body
    with pytest.raises(Exception, match="(?i)signature"):
        Webhook(SECRET).verify(tampered, headers)


def test_overdue_signal(stack, receiver, signalled):
    contact_id, _ = signalled
    desk_control(stack, "/clock", {"advance": 60 * 24 * 3600})
    wait_for_signal(stack, receiver, "overdue", contact_id, "Ticket overdue")



def test_a_webhook_that_fails_is_retried_then_dead_then_replayed_with_one_note(
        stack, receiver):
    contact_id = bigin_contact(stack, "Retry", "retry@client.example")
    person = desk_control(stack, "/contacts", {"lastName": "Retry",
                                               "email": "retry@client.example"})
    receiver.failing = True
    try:
        ticket = desk_control(stack, "/tickets", {
            "subject": "Retry me", "departmentId": DEPARTMENT_ID, "contactId": person["id"]})

        def dead() -> list[dict]:
            return [e for e in stack.events("tickets", status="dead")
                    if e["type"] == "ticket.created" and ticket["id"] in str(e["entity_key"])]

        stack.wait_until(lambda: bool(dead()), 60, "the signal to become a dead letter")
    finally:
        receiver.failing = False
    (event,) = dead()
    detail = stack.event(event["id"])
    assert "outgoing webhook did not take the signal" in detail["last_error"]
    assert SECRET not in str(detail)
    stack.admin("POST", f"/events/{event['id']}/replay")
    stack.wait_until(lambda: stack.event(event["id"])["status"] == "succeeded", 60,
                     "the replayed signal")
    delivered = [(h, b) for h, b in deliveries_of(receiver, "new_ticket") if b"Retry me" in b]
    assert len(delivered) == 1
    Webhook(SECRET).verify(delivered[0][1], delivered[0][0])
    notes = [n for n in notes_of(stack, contact_id) if "New ticket" in n["Note_Title"]]
    assert len(notes) == 1


def pontes(stack, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pontes.cli", *args, "--config",
                           str(stack.config_path)], env=stack.env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_deactivating_keeps_the_tickets_and_reactivating_shows_them_with_new_ones(
        stack, client_with_ticket):
    contact_id, person, _ = client_with_ticket
    pontes(stack, "deactivate", "tickets")
    page = tab(stack, "Contacts", contact_id)
    assert "The Zoho Desk integration is turned off." in page.text
    assert "Printer jams" not in page.text
    desk_control(stack, "/tickets", {"subject": "Made while off",
                                     "departmentId": DEPARTMENT_ID, "contactId": person["id"]})
    pontes(stack, "activate", "tickets")
    page = tab(stack, "Contacts", contact_id)
    assert "turned off" not in page.text
    assert "Printer jams" in page.text and "Made while off" in page.text


def test_pontes_hooks_prints_the_tab_address_to_embed_and_each_users_own(stack):
    printed = pontes(stack, "hooks")
    integration = stack.runtime.integrations["tickets"]
    assert (f"Tickets tab of tickets, to embed in the CRM's record pages (read-only unless "
            f"default_user is set): {tab_address(integration)}") in printed
    for user in (MAPPED, LIMITED, GONE):
        assert (f"  {user}'s own address (creates and answers as their agent): "
                f"{personal_address(integration, user)}") in printed
    assert UNMAPPED not in printed


def test_the_admin_integrations_page_lists_the_shared_address_and_each_users_own(stack):
    integration = stack.runtime.integrations["tickets"]
    (entry,) = [e for e in stack.admin("GET", "/integrations") if e["name"] == "tickets"]
    assert entry["tab"] == tab_address(integration)
    assert entry["user_tabs"] == {user: personal_address(integration, user)
                                  for user in (MAPPED, LIMITED, GONE)}
    operator = httpx.Client(base_url=stack.server_url, timeout=30.0)
    form = operator.get("/admin/sign-in").text
    operator.post("/admin/sign-in", data={
        "token": stack.admin_token, "next": "/admin/integrations",
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)})
    page = operator.get("/admin/integrations")
    assert page.status_code == 200, page.text[:300]
    for address in entry["user_tabs"].values():
        assert f'class="user-tab" value="{html.escape(address)}"' in page.text
