"""The Tickets tab's "+ Ticket" for amoCRM × Usedesk: the form asks what Usedesk's
``/create/ticket`` requires (a subject and a message) and offers its priorities and
types; a post without the message is refused by name in the tab's language before
Usedesk is called, and a full one opens exactly one Usedesk ticket with the values."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from panel_support import amocrm_contact
from pontes.panels.tickets_tab.context import tab_address
from pontes.testing.stack import Stack
from pontes_demo.installation import FAST_RETRIES

pytestmark = pytest.mark.slow

USER = "sales@acme.example"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    integrations = {"tab": {"recipe": "tickets_tab", "helpdesk": "usedesk", "crm": "amocrm",
                            "options": {"agents": {USER: "1"}, "default_user": USER}}}
    with Stack.running(tmp_path_factory.mktemp("tab-usedesk-fields"),
                       connections={"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {})},
                       integrations=integrations, server_env=FAST_RETRIES) as running:
        yield running


def usedesk_tickets(stack, subject: str) -> list[dict]:
    """The Usedesk tickets with ``subject``, with their details."""
    token = stack.runtime.connections["usedesk"].settings.api_token.get_secret_value()
    with stack.sandbox("usedesk") as usedesk:
        listed = usedesk.post("/tickets", json={"api_token": token, "query": subject}
                              ).raise_for_status().json()
        return [usedesk.post("/ticket", json={"api_token": token, "ticket_id": t["id"]}
                             ).raise_for_status().json()
                for t in listed if t["subject"] == subject]


def form(stack, contact: str, language: str) -> tuple[httpx.Client, str, str]:
    """A client, the "+ Ticket" page and its form's action."""
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    address = tab_address(stack.runtime.integrations["tab"]).format(module="contacts",
                                                                    id=contact)
    listed = client.get(f"{address}&language={language}")
    assert listed.status_code == 200, listed.text
    new = html.unescape(re.search(r'class="button new-ticket" href="([^"]+)"',
                                  listed.text).group(1))
    page = client.get(new).text
    action = html.unescape(re.search(r'class="ticket-form" method="post" action="([^"]+)"',
                                     page).group(1))
    return client, page, action


def test_the_form_asks_what_usedesk_requires_and_refuses_without_it(stack):
    contact = amocrm_contact(stack, "Irina Petrova", "irina@client.example")
    client, page, action = form(stack, contact, "ru")
    assert re.search(r'<textarea name="description" rows="4" required', page)
    assert re.search(r'<input type="text" name="subject" value="" required', page)
    priority = re.search(r'<select name="priority">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\w+)"', priority) == [
        "low", "medium", "urgent", "extreme"]
    assert '<option value="medium" selected>' in priority
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(action, data={
        "csrf_token": token, "email": "irina@client.example", "subject": "No words",
        "priority": "urgent", "category": "problem", "description": ""})
    assert refused.status_code == 422
    assert "Поле «Сообщение» обязательно." in html.unescape(refused.text)
    assert usedesk_tickets(stack, "No words") == []


def test_a_full_form_opens_one_usedesk_ticket_with_the_values(stack):
    contact = amocrm_contact(stack, "Oleg Smirnov", "oleg@client.example")
    client, page, action = form(stack, contact, "en")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    created = client.post(action, data={
        "csrf_token": token, "email": "oleg@client.example", "subject": "Invoice twice",
        "priority": "urgent", "category": "problem",
        "description": "I was charged two times."})
    assert created.status_code == 200, created.text
    assert "The ticket was created." in created.text
    (made,) = usedesk_tickets(stack, "Invoice twice")
    assert made["ticket"]["priority"] == "urgent" and made["ticket"]["type"] == "problem"
    assert "I was charged two times." in made["comments"][0]["message"]
