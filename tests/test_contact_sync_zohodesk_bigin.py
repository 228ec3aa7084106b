"""``contact_sync`` between Bigin and Zoho Desk, end to end: the sandboxes post their change
notifications to a real pontes server, which copies people across as the mode says.

One integration is active at a time (``pontes deactivate`` takes the other ones' webhooks
back), so the three modes run against the same two sandboxes without seeing each other.
Writes are counted from the sandboxes' request logs: a copy that came back as a loop would
show as a second write.
"""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
from e2e_support import sandbox_writes as writes
from e2e_support import settle, summary_with
from pontes.testing.stack import Stack
from pontes_bigin.sandbox import SANDBOX_ACCESS_TOKEN as BIGIN_TOKEN
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES
from pontes_zohodesk.sandbox import SANDBOX_ACCESS_TOKEN as DESK_TOKEN
from pontes_zohodesk.sandbox import SANDBOX_REFRESH_TOKEN as DESK_REFRESH_TOKEN
from pontes_zohodesk.sandbox.state import ORG_ID

pytestmark = pytest.mark.slow

INTEGRATIONS = {
    f"sync-{mode}": {"recipe": "contact_sync", "crm": "bigin", "helpdesk": "desk",
                     "options": {"mode": mode}}
    for mode in ("two_way", "one_way", "none")
}
CONNECTIONS = {"bigin": ("bigin", {}), "desk": ("zohodesk", {
    "access_token": None, "refresh_token": DESK_REFRESH_TOKEN})}
SANDBOX_OPTIONS = {"bigin": {"oauth": True, "daily_credits": 100_000}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("contact-sync"), connections=CONNECTIONS,
                       integrations=INTEGRATIONS, sandbox_options=SANDBOX_OPTIONS,
                       server_env=FAST_RETRIES) as running:
        yield running


def only(stack, integration: str) -> None:
    """Deactivate every other integration, then activate ``integration``."""
    for other in INTEGRATIONS:
        if other != integration:
            pontes(stack, "deactivate", other)
    steps.activate(stack, integration)


def pontes(stack, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pontes.cli", *args, "--config",
                           str(stack.config_path)], env=stack.env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def bigin(stack, method: str, path: str, **kwargs) -> dict:
    headers = {"Authorization": f"Zoho-oauthtoken {BIGIN_TOKEN}"}
    with stack.sandbox("bigin") as sandbox:
        answer = sandbox.request(method, f"/bigin/v2{path}", headers=headers, **kwargs)
    answer.raise_for_status()
    return answer.json() if answer.content else {}


def desk(stack, method: str, path: str, **kwargs) -> httpx.Response:
    headers = {"orgId": ORG_ID, "Authorization": f"Zoho-oauthtoken {DESK_TOKEN}"}
    with stack.sandbox("zohodesk") as sandbox:
        answer = sandbox.request(method, f"/api/v1{path}", headers=headers, **kwargs)
    answer.raise_for_status()
    return answer


def bigin_contact(stack, **fields) -> str:
    [made] = bigin(stack, "POST", "/Contacts", json={"data": [fields]})["data"]
    return made["details"]["id"]


def bigin_by_email(stack, email: str) -> list[dict]:
    with stack.sandbox("bigin") as sandbox:
        rows = sandbox.get("/_sandbox/records/Contacts").raise_for_status().json()
    return [r for r in rows if (r.get("Email") or "").lower() == email]


def desk_by_email(stack, email: str) -> list[dict]:
    answer = desk(stack, "GET", "/contacts", params={"limit": 100})
    rows = answer.json()["data"] if answer.content else []
    return [r for r in rows if (r.get("email") or "").lower() == email]


def test_two_way_copies_a_bigin_person_to_desk_and_an_edit_back_without_a_loop(stack):
    only(stack, "sync-two_way")
    bigin_contact(stack, First_Name="Lia", Last_Name="Duas", Email="lia@two.example")
    stack.wait_until(lambda: desk_by_email(stack, "lia@two.example"), 60,
                     "Lia to reach Zoho Desk")
    settle(stack, "sync-two_way")
    (person,) = desk_by_email(stack, "lia@two.example")
    assert (person["firstName"], person["lastName"]) == ("Lia", "Duas")

    bigin_writes = writes(stack, "bigin", "/Contacts")
    desk(stack, "PATCH", f"/contacts/{person['id']}", json={"lastName": "Duas-Vias"})
    stack.wait_until(lambda: bigin_by_email(stack, "lia@two.example")[0]["Last_Name"]
                     == "Duas-Vias", 60, "the Desk edit to reach Bigin")
    settle(stack, "sync-two_way")
    desk_writes = writes(stack, "zohodesk", f"/contacts/{person['id']}")
    settle(stack, "sync-two_way")
    assert writes(stack, "bigin", "/Contacts") == bigin_writes + 1
    assert writes(stack, "zohodesk", f"/contacts/{person['id']}") == desk_writes


def test_one_way_copies_bigin_to_desk_but_never_desk_to_bigin(stack):
    only(stack, "sync-one_way")
    bigin_id = bigin_contact(stack, First_Name="Rui", Last_Name="Um", Email="rui@one.example")
    stack.wait_until(lambda: desk_by_email(stack, "rui@one.example"), 60,
                     "Rui to reach Zoho Desk")
    settle(stack, "sync-one_way")
    (person,) = desk_by_email(stack, "rui@one.example")
    desk(stack, "PATCH", f"/contacts/{person['id']}", json={"lastName": "Só no Desk"})
    bigin(stack, "PUT", f"/Contacts/{bigin_id}", json={"data": [{"First_Name": "Ruy"}]})
    stack.wait_until(lambda: desk_by_email(stack, "rui@one.example")[0]["firstName"] == "Ruy",
                     60, "the Bigin edit to reach Desk")
    settle(stack, "sync-one_way")
    assert bigin_by_email(stack, "rui@one.example")[0]["Last_Name"] == "Um"
    assert desk_by_email(stack, "rui@one.example")[0]["lastName"] == "Só no Desk"


def test_none_links_a_person_both_have_and_copies_nothing(stack):
    only(stack, "sync-none")
    desk(stack, "POST", "/contacts", json={"firstName": "Noa", "lastName": "Desk",
                                           "email": "noa@none.example"})
    summary_with(stack, "sync-none", "<noa@none.example>", "nothing to link")
    bigin_contact(stack, First_Name="Noa", Last_Name="Bigin", Email="noa@none.example")
    summary_with(stack, "sync-none", "<noa@none.example>", "linked to", "not copied")
    settle(stack, "sync-none")
    assert desk_by_email(stack, "noa@none.example")[0]["lastName"] == "Desk"
    assert bigin_by_email(stack, "noa@none.example")[0]["Last_Name"] == "Bigin"
    bigin(stack, "POST", "/Contacts", json={"data": [{"Last_Name": "Sozinho",
                                                       "Email": "solo@none.example"}]})
    summary_with(stack, "sync-none", "<solo@none.example>", "nothing to link")
    settle(stack, "sync-none")
    assert desk_by_email(stack, "solo@none.example") == []


def test_deactivated_it_copies_nothing_and_reactivated_it_catches_up_on_both_sides(stack):
    only(stack, "sync-two_way")
    states = {i["name"]: i["active"] for i in stack.admin("GET", "/integrations")}
    assert states == {"sync-two_way": True, "sync-one_way": False, "sync-none": False}
    (bigin_person,) = bigin_by_email(stack, "lia@two.example")
    (desk_person,) = desk_by_email(stack, "lia@two.example")
    settle(stack, "sync-two_way")

    pontes(stack, "deactivate", "sync-two_way")
    assert {i["name"]: i["active"] for i in stack.admin("GET", "/integrations")}[
        "sync-two_way"] is False
    before = len(stack.events("sync-two_way"))
    bigin(stack, "PUT", f"/Contacts/{bigin_person['id']}", json={"data": [{
        "First_Name": "Liana"}]})
    desk(stack, "PATCH", f"/contacts/{desk_person['id']}", json={"lastName": "Pausada"})
    assert len(stack.events("sync-two_way")) == before
    assert desk_by_email(stack, "lia@two.example")[0]["firstName"] == "Lia"

    printed = steps.activate(stack, "sync-two_way")
    assert "catch-up events" in printed
    stack.wait_until(lambda: desk_by_email(stack, "lia@two.example")[0]["firstName"]
                     == "Liana", 60, "the Bigin edit made while off to reach Desk")
    stack.wait_until(lambda: bigin_by_email(stack, "lia@two.example")[0]["Last_Name"]
                     == "Pausada", 60, "the Desk edit made while off to reach Bigin")
    settle(stack, "sync-two_way")
    assert desk_by_email(stack, "lia@two.example")[0]["lastName"] == "Pausada"
    assert bigin_by_email(stack, "lia@two.example")[0]["First_Name"] == "Liana"
