"""The Tickets tab for amoCRM × Usedesk, as far as Usedesk's capabilities go: an amoCRM
contact's Usedesk tickets, opened and answered from the tab, with the actions Usedesk
lacks (reply to all, forward) not offered and refused when posted by hand; each reply and
status change is written as the agent of the user the address is for."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from panel_support import amocrm_contact, new_ticket
from pontes.panels.tickets_tab.context import personal_address, tab_address, tab_key
from pontes.testing.stack import Stack
from pontes_amocrm.sandbox.state import ADMIN_ID
from pontes_amocrm.sandbox.widget_tokens import signed_token
from pontes_demo.installation import FAST_RETRIES

pytestmark = pytest.mark.slow

USER = "sales@acme.example"
SECOND, SECOND_AGENT = "pavel@acme.example", 2
"""A second amoCRM user, mapped to a second Usedesk agent the test adds."""
WIDGET_USER = str(ADMIN_ID)
"""The amoCRM user a widget's one-time token names (by id), mapped to the second agent."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    integrations = {"tab": {"recipe": "tickets_tab", "helpdesk": "usedesk", "crm": "amocrm",
                            "options": {"agents": {USER: "1", SECOND: str(SECOND_AGENT),
                                                   WIDGET_USER: str(SECOND_AGENT)},
                                        "default_user": USER}}}
    with Stack.running(tmp_path_factory.mktemp("tab-usedesk"),
                       connections={"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {})},
                       integrations=integrations, server_env=FAST_RETRIES) as running:
        with running.sandbox("usedesk") as usedesk:
            usedesk.post("/_sandbox/agents", json={
                "id": SECOND_AGENT, "name": "Pavel Orlov"}).raise_for_status()
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


def usedesk_ticket(stack, ticket_id) -> dict:
    token_value = stack.runtime.connections["usedesk"].settings.api_token.get_secret_value()
    with stack.sandbox("usedesk") as usedesk:
        return usedesk.post("/ticket", json={"api_token": token_value,
                                             "ticket_id": ticket_id}).raise_for_status().json()


def test_replies_and_status_are_written_as_the_agent_of_the_addresses_user(stack):
    contact = amocrm_contact(stack, "Nina Volkova", "nina@client.example")
    ticket_id = new_ticket(stack, "Nina Volkova", "nina@client.example")
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    integration = stack.runtime.integrations["tab"]
    for address, text, agent in [
            (personal_address(integration, SECOND), "Pavel here.", SECOND_AGENT),
            (tab_address(integration), "Shared address, default user.", 1)]:
        listed = client.get(address.format(module="contacts", id=contact))
        opened = client.get(unescaped(re.search(r'class="open-ticket" href="([^"]+)"',
                                                listed.text).group(1)))
        reply_url = unescaped(re.search(r'class="reply-form" method="post" action="([^"]+)"',
                                        opened.text).group(1))
        token = re.search(r'name="csrf_token" value="([^"]+)"', opened.text).group(1)
        answered = client.post(reply_url, data={"csrf_token": token, "text": text,
                                                "mode": "reply"})
        assert "The reply was sent to the sender." in answered.text
        (comment,) = [c for c in usedesk_ticket(stack, ticket_id)["comments"]
                      if text in (c.get("message") or "")]
        assert comment["user_id"] == agent and comment["from"] == "user", comment
    status_url = reply_url.replace("/reply?", "/status?")
    moved = client.post(status_url, data={"csrf_token": token, "status": "on_hold"})
    assert "The status was changed." in moved.text
    changes = usedesk_ticket(stack, ticket_id)["changes"]
    assert changes[-1]["user_id"] == 1, changes


def one_time_token(stack, **claims) -> str:
    """A token the amoCRM sandbox signs for its user, as a widget's $authorizedAjax gets."""
    with stack.sandbox("amocrm") as amocrm:
        return amocrm.post("/_sandbox/one-time-token", json={
            "user_id": ADMIN_ID, **claims}).raise_for_status().json()["token"]


def test_an_amocrm_widgets_one_time_token_opens_the_tab_as_its_user(stack):
    contact = amocrm_contact(stack, "Irina Sokolova", "irina@client.example")
    ticket_id = new_ticket(stack, "Irina Sokolova", "irina@client.example")
    integration = stack.runtime.integrations["tab"]
    session = (f"{stack.server_url}/tabs/tab/{tab_key(integration)}/session"
               f"?module=contacts&id={contact}")
    account = stack.sandbox_urls["amocrm"].rstrip("/").lower()
    client = httpx.Client(timeout=30.0, follow_redirects=True)

    preflight = client.options(session, headers={
        "Origin": account, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-Auth-Token"})
    assert preflight.status_code == 204
    assert "X-Auth-Token" in preflight.headers["access-control-allow-headers"]
    answer = client.post(session, headers={"X-Auth-Token": one_time_token(stack),
                                           "Origin": account})
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == account
    listed = client.get(answer.json()["url"])
    assert "Question from Irina Sokolova" in listed.text and "shared-address" not in listed.text
    opened = client.get(f"{stack.server_url}" + unescaped(re.search(
        r'class="open-ticket" href="([^"]+)"', listed.text).group(1)))
    reply_url = unescaped(re.search(r'class="reply-form" method="post" action="([^"]+)"',
                                    opened.text).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', opened.text).group(1)
    answered = client.post(f"{stack.server_url}{reply_url}", data={
        "csrf_token": token, "text": "From the widget.", "mode": "reply"})
    assert "The reply was sent to the sender." in answered.text
    (comment,) = [c for c in usedesk_ticket(stack, ticket_id)["comments"]
                  if "From the widget." in (c.get("message") or "")]
    assert comment["user_id"] == SECOND_AGENT


def test_a_forged_expired_or_foreign_widget_token_is_refused(stack):
    integration = stack.runtime.integrations["tab"]
    session = (f"{stack.server_url}/tabs/tab/{tab_key(integration)}/session"
               "?module=contacts&id=1")
    account = stack.sandbox_urls["amocrm"].rstrip("/").lower()
    good = one_time_token(stack)
    header, claims, signature = good.split(".")
    forged_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    secret = stack.runtime.connections["amocrm"].settings.client_secret.get_secret_value()
    now = int(time.time())
    foreign = signed_token({"iss": "https://other.amocrm.ru", "nbf": now, "exp": now + 60,
                            "user_id": ADMIN_ID}, secret)
    refusals = {
        f"{header}.{claims}.{forged_signature}": "not signed with this integration's secret",
        foreign: "signed for another amoCRM account",
        one_time_token(stack, lifetime=-120): "has expired",
        "not-a-token": "not a JWT",
    }
    for token, reason in refusals.items():
        answer = httpx.post(session, headers={"X-Auth-Token": token}, timeout=30.0)
        assert answer.status_code == 403, answer.text
        assert reason in answer.json()["error"]
        assert "access-control-allow-origin" not in answer.headers
    elsewhere = httpx.post(session, headers={"X-Auth-Token": good,
                                             "Origin": "https://evil.example"}, timeout=30.0)
    assert elsewhere.status_code == 403
    assert httpx.post(session, timeout=30.0).status_code == 401
    wrong_key = session.replace(tab_key(integration), "not-the-key")
    assert httpx.post(wrong_key, headers={"X-Auth-Token": good,
                                          "Origin": account}, timeout=30.0).status_code == 403
