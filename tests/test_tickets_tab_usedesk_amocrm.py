"""The Tickets tab for amoCRM × Usedesk, as far as Usedesk's capabilities go: an amoCRM
contact's Usedesk tickets, opened and answered from the tab, with the actions Usedesk
lacks (reply to all, forward) not offered and refused when posted by hand."""

from __future__ import annotations

import re

import httpx
import pytest
from panel_support import amocrm_contact, new_ticket
from pontes.panels.tickets_tab.context import tab_address
from pontes.testing.stack import Stack
from pontes_demo.installation import FAST_RETRIES

pytestmark = pytest.mark.slow

USER = "sales@acme.example"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    integrations = {"tab": {"recipe": "tickets_tab", "helpdesk": "usedesk", "crm": "amocrm",
                            "options": {"agents": {USER: "1"}, "default_user": USER}}}
    with Stack.running(tmp_path_factory.mktemp("tab-usedesk"),
                       connections={"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {})},
                       integrations=integrations, server_env=FAST_RETRIES) as running:
        yield running


def unescaped(value: str) -> str:
    return value.replace("&amp;", "&")


def test_an_amocrm_contacts_usedesk_tickets_are_listed_opened_and_answered(stack):
    contact = amocrm_contact(stack, "Olga Ivanova", "olga@client.example")
    ticket_id = new_ticket(stack, "Olga Ivanova", "olga@client.example")
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    address = tab_address(stack.runtime.integrations["tab"]).format(module="contacts",
                                                                    id=contact)
    listed = client.get(address)
    assert listed.status_code == 200, listed.text
    assert "Question from Olga Ivanova" in listed.text
    opened = client.get(unescaped(re.search(r'class="open-ticket" href="([^"]+)"',
                                            listed.text).group(1)))
    assert opened.status_code == 200, opened.text
    assert 'class="reply"' in opened.text
    assert "reply-all" not in opened.text and "forward-form" not in opened.text
    reply_url = unescaped(re.search(r'class="reply-form" method="post" action="([^"]+)"',
                                    opened.text).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', opened.text).group(1)
    answered = client.post(reply_url, data={"csrf_token": token, "text": "On it, Olga.",
                                            "mode": "reply"})
    assert "The reply was sent to the sender." in answered.text
    token_value = stack.runtime.connections["usedesk"].settings.api_token.get_secret_value()
    with stack.sandbox("usedesk") as usedesk:
        state = usedesk.post("/ticket", json={"api_token": token_value,
                                              "ticket_id": ticket_id}).raise_for_status().json()
    assert "On it, Olga." in str(state)
    refused = client.post(reply_url, data={"csrf_token": token, "text": "All",
                                           "mode": "reply_all"})
    assert refused.status_code == 404
    assert "Usedesk cannot do this (reply_all)" in refused.text
