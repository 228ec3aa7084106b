"""Polling reconciles webhooks that never arrived, without recording anything twice.

A separate installation from the other seed 000 tests: its poller reports every ticket
change in the sandbox, which would otherwise mix into their counts.
"""

from __future__ import annotations

import pytest
from e2e_support import movidesk_person, movidesk_ticket, ploomes_insert, seed_movidesk
from pontes_demo import steps
from pontes_demo.installation import demo_stack

pytestmark = pytest.mark.slow

INTEGRATIONS = {
    "history": {
        "recipe": "ticket_history", "helpdesk": "movidesk", "crm": "ploomes",
        "poll": True, "poll_interval": 1,
        "options": {"create_clients": False, "statuses": ["solved", "closed"]},
    },
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with demo_stack(tmp_path_factory.mktemp("reconcile"), INTEGRATIONS) as running:
        yield running


def client(stack, person_id: str, name: str, email: str) -> int:
    (crm_id,) = ploomes_insert(stack, "Contacts", [{"Name": name, "TypeId": 2, "Email": email}])
    seed_movidesk(stack, persons=[movidesk_person(person_id, name, email)])
    return crm_id


def poll_time(stack) -> str:
    """When the ticket poller last stored its cursor."""
    (cursor,) = [c for c in stack.admin("GET", "/cursors") if c["trigger"] == "ticket_poll"]
    return cursor["updated_at"]


def wait_for_a_poll_after(stack, seen: str) -> None:
    stack.wait_until(lambda: poll_time(stack) != seen, 30, "the next poll")


def history_of(stack, contact_id: int) -> list[dict]:
    return [r for r in steps.ploomes_records(stack, "InteractionRecords")
            if r.get("ContactId") == contact_id]


def test_a_resolution_whose_webhook_never_came_is_recorded_by_polling(stack, clean_automations):
    crm_id = client(stack, "cli-miss", "Mila Miss", "mila@miss.example")
    seed_movidesk(stack, tickets=[movidesk_ticket(3001, "cli-miss", "Webhook perdido")])
    steps.movidesk_set_status(stack, 3001)  # no automation: Movidesk calls nobody
    stack.wait_until(lambda: len(history_of(stack, crm_id)) == 1, 60, "the poller to record it")
    (record,) = history_of(stack, crm_id)
    assert "Ticket id: 3001" in record["Content"]
    (event,) = [e for e in stack.events("history") if e.get("entity_key") == "ticket:3001"]
    assert event["source"] == "poll"


def test_a_change_seen_by_webhook_and_by_polling_is_recorded_once(stack, clean_automations):
    steps.movidesk_automation(stack, "history")
    crm_id = client(stack, "cli-both", "Beto Both", "beto@both.example")
    seed_movidesk(stack, tickets=[movidesk_ticket(3002, "cli-both", "Dois caminhos")])
    steps.movidesk_set_status(stack, 3002)
    stack.wait_until(lambda: len(history_of(stack, crm_id)) == 1, 60, "the webhook to be recorded")
    for _ in range(2):  # two polls after the webhook: the change was seen by polling too
        wait_for_a_poll_after(stack, poll_time(stack))
    assert len(history_of(stack, crm_id)) == 1
    events = [e for e in stack.events("history") if e.get("entity_key") == "ticket:3002"]
    assert [e["source"] for e in events] == ["webhook"]


def test_changes_the_recipe_does_not_want_are_polled_but_not_recorded(stack, clean_automations):
    crm_id = client(stack, "cli-open", "Olga Open", "olga@open.example")
    seed_movidesk(stack, tickets=[movidesk_ticket(3003, "cli-open", "Ainda aberto")])
    steps.movidesk_set_status(stack, 3003, "Novo")
    stack.wait_until(lambda: any(e.get("entity_key") == "ticket:3003" and e["status"] == "succeeded"
                            for e in stack.events("history")), 60, "the poll of ticket 3003")
    assert history_of(stack, crm_id) == []
