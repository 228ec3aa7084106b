"""``contact_sync``'s initial sync and polling end to end: ``pontes activate`` against
Bigin's and Zoho Desk's sandboxes with a real pontes server.

- People who are in either system before the integration starts reach the other one once,
  even when the first activation fails mid-way (a vendor error while listing) and is run
  again; a further activation reads nothing again.
- With the Zoho Desk webhooks gone, an agent's edit still reaches Bigin, through the
  ``people_poll`` polling trigger.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from e2e_support import settle
from pontes.testing.stack import Stack
from pontes_bigin.sandbox import SANDBOX_ACCESS_TOKEN as BIGIN_TOKEN
from pontes_demo.installation import FAST_RETRIES
from pontes_zohodesk.sandbox import SANDBOX_ACCESS_TOKEN as DESK_TOKEN
from pontes_zohodesk.sandbox import SANDBOX_REFRESH_TOKEN as DESK_REFRESH_TOKEN
from pontes_zohodesk.sandbox.state import ORG_ID

pytestmark = pytest.mark.slow

SYNC = {"recipe": "contact_sync", "crm": "bigin", "helpdesk": "desk",
        "options": {"mode": "two_way"}}
CONNECTIONS = {"bigin": ("bigin", {}), "desk": ("zohodesk", {
    "access_token": None, "refresh_token": DESK_REFRESH_TOKEN})}
SANDBOX_OPTIONS = {"bigin": {"oauth": True, "daily_credits": 100_000}}
BIGIN = {"Authorization": f"Zoho-oauthtoken {BIGIN_TOKEN}"}
DESK = {"orgId": ORG_ID, "Authorization": f"Zoho-oauthtoken {DESK_TOKEN}"}
PEOPLE = {"ana@init.example": "crm", "bo@init.example": "crm", "cy@init.example": "helpdesk",
          "di@init.example": "both"}


def running(workdir, sync: dict):
    return Stack.running(workdir, connections=CONNECTIONS, integrations={"sync": sync},
                         sandbox_options=SANDBOX_OPTIONS, server_env=FAST_RETRIES)


@pytest.fixture
def stack(tmp_path):
    """The integration without polling (a poll would take the queued fault)."""
    with running(tmp_path, SYNC) as started:
        yield started


@pytest.fixture
def polling_stack(tmp_path):
    """The integration polling every second."""
    with running(tmp_path, {**SYNC, "poll": True, "poll_interval": 1}) as started:
        yield started


def activate(stack) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pontes.cli", "activate", "sync",
                           "--config", str(stack.config_path)], env=stack.env,
                          capture_output=True, text=True, timeout=120)


def bigin_people(stack) -> list[dict]:
    with stack.sandbox("bigin") as sandbox:
        return sandbox.get("/_sandbox/records/Contacts").raise_for_status().json()


def desk_people(stack) -> list[dict]:
    with stack.sandbox("zohodesk") as sandbox:
        answer = sandbox.get("/api/v1/contacts", params={"limit": 100}, headers=DESK)
    return answer.raise_for_status().json()["data"] if answer.content else []


def emails(rows: list[dict], key: str) -> list[str]:
    return sorted((r.get(key) or "").lower() for r in rows if r.get(key))


def seed_people(stack) -> None:
    with stack.sandbox("bigin") as bigin, stack.sandbox("zohodesk") as desk:
        for email, side in PEOPLE.items():
            name = email.split("@")[0].title()
            if side in ("crm", "both"):
                bigin.post("/bigin/v2/Contacts", headers=BIGIN, json={"data": [{
                    "First_Name": name, "Last_Name": "Init", "Email": email}]}
                ).raise_for_status()
            if side in ("helpdesk", "both"):
                desk.post("/api/v1/contacts", headers=DESK, json={
                    "firstName": name, "lastName": "Init", "email": email}
                ).raise_for_status()


def test_an_interrupted_activation_syncs_everyone_once_when_run_again(stack):
    seed_people(stack)
    with stack.sandbox("zohodesk") as desk:
        desk.post("/_sandbox/faults", json={"status": 400, "count": 1,
                                            "path": "/api/v1/accounts", "method": "GET"}
                  ).raise_for_status()
    failed = activate(stack)
    assert failed.returncode != 0 and "400" in failed.stderr + failed.stdout

    again = activate(stack)
    assert again.returncode == 0, again.stderr
    assert "initial sync" in again.stdout
    everyone = sorted(PEOPLE)
    stack.wait_until(lambda: emails(bigin_people(stack), "Email") == everyone
                     and emails(desk_people(stack), "email") == everyone, 90,
                     "everyone to be on both sides")
    settle(stack, "sync")
    assert emails(bigin_people(stack), "Email") == everyone, "nobody twice in Bigin"
    assert emails(desk_people(stack), "email") == everyone, "nobody twice in Zoho Desk"
    cy = next(r for r in bigin_people(stack) if r["Email"] == "cy@init.example")
    assert (cy["First_Name"], cy["Last_Name"]) == ("Cy", "Init")

    third = activate(stack)
    assert third.returncode == 0, third.stderr
    assert "0 records queued" in third.stdout


def test_a_desk_edit_without_webhooks_reaches_bigin_by_polling(polling_stack):
    stack = polling_stack
    seed_people(stack)
    activated = activate(stack)
    assert activated.returncode == 0, activated.stderr
    stack.wait_until(lambda: emails(bigin_people(stack), "Email") == sorted(PEOPLE), 90,
                     "everyone to reach Bigin")
    with stack.sandbox("zohodesk") as desk:
        for hook in desk.get("/api/v1/webhooks", headers=DESK).json().get("data", []):
            desk.delete(f"/api/v1/webhooks/{hook['id']}", headers=DESK).raise_for_status()
        assert desk.get("/api/v1/webhooks", headers=DESK).json()["data"] == []
    stack.wait_until(lambda: any(c["connection"] == "desk" and c["trigger"] == "people_poll"
                                 for c in stack.admin("GET", "/cursors")), 60,
                     "the first poll of Zoho Desk's people")
    cy = next(r for r in desk_people(stack) if r["email"] == "cy@init.example")
    with stack.sandbox("zohodesk") as desk:
        desk.patch(f"/api/v1/contacts/{cy['id']}", headers=DESK,
                   json={"lastName": "Polled"}).raise_for_status()
    stack.wait_until(lambda: any(r["Email"] == "cy@init.example"
                                 and r["Last_Name"] == "Polled"
                                 for r in bigin_people(stack)), 60,
                     "the polled edit to reach Bigin")
