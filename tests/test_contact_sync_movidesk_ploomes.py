"""``contact_sync`` between Ploomes (CRM) and Movidesk (helpdesk), end to end: the Ploomes
sandbox posts its Contacts webhooks to a real pontes server, and the server polls
Movidesk's ``/persons`` by ``changedDate`` (Movidesk has no person webhook).

Each mode runs in its own stack: deactivating an integration takes its webhooks back, but
its polling goes on, so integrations sharing one Movidesk sandbox would see each other's
people. Writes are counted from the sandboxes' request logs: a copy that came back as a
loop would show as a second write.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from e2e_support import sandbox_writes, settle, summaries_with, summary_with
from pontes.testing.stack import Stack
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES, SANDBOX_OPTIONS
from pontes_movidesk.sandbox import SANDBOX_TOKEN

pytestmark = pytest.mark.slow

NAME_BOTH_WAYS = {"contact_to_helpdesk": {"name": "name"}, "contact_to_crm": {"name": "name"}}
"""Both vendors keep a person's name whole (no first and last name), so it is mapped."""
CONNECTIONS = {"ploomes": ("ploomes", {}),
               "movidesk": ("movidesk", {"poll_lookback_hours": 0, "poll_overlap_seconds": 2})}
PERSON_TYPE = 2
"""Ploomes' ``TypeId`` of a person."""


@pytest.fixture(scope="module")
def stacks(tmp_path_factory):
    """One running stack per mode, started when a test first asks for it."""
    running: dict[str, Stack] = {}
    contexts = []

    def start(mode: str) -> Stack:
        if mode not in running:
            integration = {"recipe": "contact_sync", "crm": "ploomes", "helpdesk": "movidesk",
                           "options": {"mode": mode}, "mapping": NAME_BOTH_WAYS,
                           "poll": True, "poll_interval": 1}
            context = Stack.running(tmp_path_factory.mktemp(f"sync-{mode}"),
                                    connections=CONNECTIONS,
                                    integrations={f"sync-{mode}": integration},
                                    sandbox_options=SANDBOX_OPTIONS, server_env=FAST_RETRIES)
            running[mode] = context.__enter__()
            contexts.append(context)
            steps.activate(running[mode], f"sync-{mode}")
        return running[mode]

    yield start
    for context in reversed(contexts):
        context.__exit__(None, None, None)


def ploomes_person(stack, name: str, email: str) -> int:
    """A person a Ploomes user adds (the sandbox posts the Contacts webhook)."""
    made = steps.ploomes_api(stack, "POST", "/Contacts",
                             json={"TypeId": PERSON_TYPE, "Name": name, "Email": email})
    return made["value"][0]["Id"] if "value" in made else made["Id"]


def ploomes_by_email(stack, email: str) -> list[dict]:
    return [row for row in steps.ploomes_records(stack, "Contacts")
            if (row.get("Email") or "").lower() == email]


def movidesk(stack, method: str, path: str, **kwargs):
    """Call the Movidesk sandbox API as an agent's tool would."""
    params = {"token": SANDBOX_TOKEN, **kwargs.pop("params", {})}
    with stack.sandbox("movidesk") as sandbox:
        answer = sandbox.request(method, f"/public/v1{path}", params=params, **kwargs)
    answer.raise_for_status()
    return answer.json() if answer.content else None


def movidesk_by_email(stack, email: str) -> list[dict]:
    with stack.sandbox("movidesk") as sandbox:
        persons = sandbox.get("/_sandbox/state").raise_for_status().json()["persons"]
    return [p for p in persons
            if any((e.get("email") or "").lower() == email for e in p.get("emails") or [])]


def movidesk_person(stack, name: str, email: str) -> str:
    """A client person an agent adds in Movidesk."""
    made = movidesk(stack, "POST", "/persons", json={
        "isActive": True, "personType": 1, "profileType": 2, "businessName": name,
        "emails": [{"emailType": "Profissional", "email": email, "isDefault": True}]})
    return made["id"]


def test_two_way_copies_a_ploomes_person_to_movidesk_and_an_edit_back_without_a_loop(stacks):
    stack = stacks("two_way")
    ploomes_id = ploomes_person(stack, "Lia Duas", "lia@two.example")
    stack.wait_until(lambda: movidesk_by_email(stack, "lia@two.example"), 60,
                     "Lia to reach Movidesk")
    settle(stack, "sync-two_way")
    (person,) = movidesk_by_email(stack, "lia@two.example")
    assert person["businessName"] == "Lia Duas"

    ploomes_writes = sandbox_writes(stack, "ploomes", f"Contacts({ploomes_id})")
    echoes = summaries_with(stack, "sync-two_way", f"contact {ploomes_id} ", "already agrees")
    movidesk(stack, "PATCH", "/persons", params={"id": person["id"]},
             json={"businessName": "Lia Duas Vias"})
    movidesk_writes = sandbox_writes(stack, "movidesk", f"id={person['id']}")
    stack.wait_until(lambda: ploomes_by_email(stack, "lia@two.example")[0]["Name"]
                     == "Lia Duas Vias", 60, "the Movidesk edit to reach Ploomes")
    # Ploomes' webhook of that write comes back, is read, and changes nothing.
    summary_with(stack, "sync-two_way", f"contact {ploomes_id} ", "already agrees",
                 more_than=echoes)
    settle(stack, "sync-two_way")
    assert sandbox_writes(stack, "ploomes", f"Contacts({ploomes_id})") == ploomes_writes + 1
    assert sandbox_writes(stack, "movidesk", f"id={person['id']}") == movidesk_writes
    assert len(ploomes_by_email(stack, "lia@two.example")) == 1
    assert len(movidesk_by_email(stack, "lia@two.example")) == 1


def test_one_way_copies_ploomes_to_movidesk_but_never_movidesk_to_ploomes(stacks):
    stack = stacks("one_way")
    ploomes_id = ploomes_person(stack, "Rui Um", "rui@one.example")
    stack.wait_until(lambda: movidesk_by_email(stack, "rui@one.example"), 60,
                     "Rui to reach Movidesk")
    settle(stack, "sync-one_way")
    (person,) = movidesk_by_email(stack, "rui@one.example")
    movidesk(stack, "PATCH", "/persons", params={"id": person["id"]},
             json={"businessName": "Rui Só no Movidesk"})
    summary_with(stack, "sync-one_way", f"contact {person['id']} ")
    steps.ploomes_api(stack, "PATCH", f"/Contacts({ploomes_id})", json={"Name": "Ruy Um"})
    stack.wait_until(lambda: movidesk_by_email(stack, "rui@one.example")[0]["businessName"]
                     == "Ruy Um", 60, "the Ploomes edit to reach Movidesk")
    settle(stack, "sync-one_way")
    assert ploomes_by_email(stack, "rui@one.example")[0]["Name"] == "Ruy Um"
    assert sandbox_writes(stack, "ploomes", f"Contacts({ploomes_id})") == 1


def test_none_links_a_person_both_have_and_copies_nothing(stacks):
    stack = stacks("none")
    movidesk_person(stack, "Noa Movidesk", "noa@none.example")
    summary_with(stack, "sync-none", "<noa@none.example>", "nothing to link")
    ploomes_person(stack, "Noa Ploomes", "noa@none.example")
    summary_with(stack, "sync-none", "<noa@none.example>", "linked to", "not copied")
    settle(stack, "sync-none")
    assert [p["businessName"] for p in movidesk_by_email(stack, "noa@none.example")] == [
        "Noa Movidesk"]
    assert [p["Name"] for p in ploomes_by_email(stack, "noa@none.example")] == ["Noa Ploomes"]
    ploomes_person(stack, "Solo", "solo@none.example")
    summary_with(stack, "sync-none", "<solo@none.example>", "nothing to link")
    settle(stack, "sync-none")
    assert movidesk_by_email(stack, "solo@none.example") == []


def pontes(stack, *args: str) -> str:
    """Run the ``pontes`` command line on the stack's configuration; what it printed."""
    done = subprocess.run([sys.executable, "-m", "pontes.cli", *args, "--config",
                           str(stack.config_path)], env=stack.env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_deactivating_takes_back_the_ploomes_webhooks_and_says_movidesk_is_polled(stacks):
    stack = stacks("none")
    printed = pontes(stack, "deactivate", "sync-none")
    assert "movidesk: webhook: none to set up: its changes are polled" in printed
    assert "ploomes: webhook for" in printed and "removed" in printed
    hooks = steps.ploomes_records(stack, "Webhooks")
    assert [h for h in hooks if "/hooks/sync-none/" in (h.get("CallbackUrl") or "")] == []


def test_deactivated_nothing_is_polled_or_copied_and_reactivated_both_edits_arrive(stacks):
    stack = stacks("two_way")
    (movidesk_lia,) = movidesk_by_email(stack, "lia@two.example")
    (ploomes_lia,) = ploomes_by_email(stack, "lia@two.example")
    settle(stack, "sync-two_way")
    pontes(stack, "deactivate", "sync-two_way")
    before = len(stack.events("sync-two_way"))
    movidesk(stack, "PATCH", "/persons", params={"id": movidesk_lia["id"]},
             json={"businessName": "Lia Pausada"})
    steps.ploomes_api(stack, "PATCH", f"/Contacts({ploomes_lia['Id']})",
                      json={"Email": "lia.pausa@two.example"})
    time.sleep(3)  # three poll intervals in which a poll of Movidesk would have run
    assert len(stack.events("sync-two_way")) == before

    printed = steps.activate(stack, "sync-two_way")
    assert "catch-up events" in printed
    stack.wait_until(lambda: ploomes_by_email(stack, "lia.pausa@two.example")
                     and ploomes_by_email(stack, "lia.pausa@two.example")[0]["Name"]
                     == "Lia Pausada", 60, "the Movidesk edit made while off to reach Ploomes")
    stack.wait_until(lambda: movidesk_by_email(stack, "lia.pausa@two.example"), 60,
                     "the Ploomes edit made while off to reach Movidesk")
    settle(stack, "sync-two_way")
    (person,) = movidesk_by_email(stack, "lia.pausa@two.example")
    assert person["businessName"] == "Lia Pausada"
