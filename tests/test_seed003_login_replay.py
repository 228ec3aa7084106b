"""Deals from a helpdesk rule while amoCRM needs a login (OAuth, not logged in yet):
``pontes hooks`` prints the URL and says why it has no example body; the request is
stored all the same, unchecked, and goes dead with the reason; after the login through
amoCRM's authorize page, replaying it makes the deal once."""

from __future__ import annotations

import httpx
import pytest
from pontes.testing.stack import Stack
from pontes_amocrm.sandbox.state import FIRST_STATUS_ID, PIPELINE_ID
from pontes_demo import steps

pytestmark = pytest.mark.slow

CONNECTIONS = {"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {"long_lived_token": None})}
INTEGRATIONS = {"ticket-deals": {"recipe": "deal_request", "helpdesk": "usedesk",
                                 "crm": "amocrm", "options": {"link_client": False}}}
SEEDED_TICKET = 153341111


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("seed003-login"), connections=CONNECTIONS,
                       integrations=INTEGRATIONS,
                       server_env={"PONTES_BACKOFF_BASE": "0.2", "PONTES_IDLE_INTERVAL": "0.2"},
                       sandbox_options={"amocrm": {"requests_per_second": 50}}) as running:
        yield running


def test_a_request_waiting_for_a_login_is_stored_dead_and_replayed_after_it(stack):
    (url,) = [r.url for r in stack.runtime.request_urls()]
    body = {"ticketId": str(SEEDED_TICKET), "comment": "after the login",
            "fields": {"name": "Waiting deal", "pipeline_id": PIPELINE_ID,
                       "status_id": FIRST_STATUS_ID}}

    hooks = steps.pontes_command(stack, "hooks")
    answer = httpx.post(url, json=body, timeout=30)

    assert f"POST {url}" in hooks
    assert "(no example body: the metadata could not be read:" in hooks
    assert "login" in hooks.split("(no example body", 1)[1].lower()
    assert answer.status_code == 202, answer.text
    event_id = answer.json()["event"]
    stack.wait_until(lambda: stack.event(event_id)["status"] == "dead", 60, "the dead event")
    assert "login" in stack.event(event_id)["last_error"].lower()
    assert steps.amocrm_records(stack, "leads") == []

    assert steps.crm_login(stack, "amocrm") == "Logged in"
    stack.admin("POST", f"/events/{event_id}/replay")
    stack.wait_until(lambda: stack.event(event_id)["status"] == "succeeded", 60,
                     "the replayed event")
    (lead,) = steps.amocrm_records(stack, "leads")
    assert (lead["name"], lead["pipeline_id"]) == ("Waiting deal", PIPELINE_ID)
    again = httpx.post(url, json=body, timeout=30)
    assert again.json()["status"] == "duplicate"
    assert len(steps.amocrm_records(stack, "leads")) == 1
