"""Seed 004 in the demo: Bigin's Tickets tab with Zoho Desk's tickets, and contacts kept
the same in both.

A Bigin contact and a Zoho Desk contact share an e-mail and the Desk contact has a
ticket; the Bigin sandbox's record page embeds the tab at the integration's address, so
a person opens the record page and works the ticket from there. Then ``contact_sync``
copies a new Bigin contact to Zoho Desk, and an edit in Zoho Desk goes across to Bigin;
Bigin notifies pontes of that write like of any other, and pontes drops it as its own
echo, so the edit does not come back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import httpx
from pontes.panels.tickets_tab.context import tab_address
from pontes.testing.stack import Stack
from pontes_bigin.sandbox import SANDBOX_ACCESS_TOKEN as BIGIN_TOKEN
from pontes_bigin.sandbox.state import ORG_ID
from pontes_zohodesk.sandbox import SANDBOX_ACCESS_TOKEN as DESK_TOKEN
from pontes_zohodesk.sandbox.state import AGENT_ZUID, DEPARTMENT_ID
from pontes_zohodesk.sandbox.state import ORG_ID as DESK_ORG_ID

from . import steps

TAB = "bigin-tickets"
SYNC = "bigin-desk-contacts"
DEMO_USER = "sales@acme.example"
"""The Bigin user the demo's tab acts for, mapped to a Zoho Desk agent."""

CONNECTIONS = {"bigin": ("bigin", {}), "zohodesk": ("zohodesk", {})}

INTEGRATIONS: dict[str, dict[str, Any]] = {
    TAB: {"recipe": "tickets_tab", "helpdesk": "zohodesk", "crm": "bigin",
          "options": {"agents": {DEMO_USER: AGENT_ZUID}, "default_user": DEMO_USER}},
    SYNC: {"recipe": "contact_sync", "crm": "bigin", "helpdesk": "zohodesk",
           "options": {"mode": "two_way"}},
}
"""The shared tab address acts for ``DEMO_USER`` (``default_user``), mapped to the Zoho Desk
sandbox's agent: the sandbox's record page embeds one address for every user."""


def story(stack: Stack, say: Callable[[str], None]) -> str:
    """Play seed 004's tab; returns the Bigin sandbox's record page address."""
    say("\n5. Bigin's Tickets tab with Zoho Desk (seed 004)")
    with stack.sandbox("bigin") as bigin:
        (contact,) = bigin.post("/_sandbox/records/Contacts", json=[{
            "First_Name": "Rita", "Last_Name": "Rocha", "Email": "rita@example.org"}]
        ).raise_for_status().json()["ids"]
        address = tab_address(stack.runtime.integrations[TAB])
        bigin.put("/_sandbox/tab", json={"url": address}).raise_for_status()
    with stack.sandbox("zohodesk") as desk:
        person = desk.post("/_sandbox/contacts", json={
            "firstName": "Rita", "lastName": "Rocha", "email": "rita@example.org"}
        ).raise_for_status().json()
        ticket = desk.post("/_sandbox/tickets", json={
            "subject": "The export button does nothing", "contactId": person["id"],
            "departmentId": DEPARTMENT_ID,
            "description": "Since Monday."}).raise_for_status().json()
    say(f"   Bigin contact {contact} (rita@example.org); Zoho Desk ticket "
        f"{ticket['ticketNumber']} is hers")
    say(f"   Bigin Settings -> Toppings -> Tickets tab address: {address}")
    page = f"{stack.sandbox_urls['bigin']}/bigin/org{ORG_ID}/contacts/{contact}"
    frame = re.search(r'id=tickets-frame title=Tickets src="([^"]+)"',
                      httpx.get(page).raise_for_status().text)
    tab = httpx.get(html.unescape(frame.group(1)), timeout=30.0) if frame else None
    shown = tab is not None and tab.status_code == 200 and ticket["subject"] in tab.text
    say(f"   The record page's Tickets tab {'lists' if shown else 'does not list'} "
        f"ticket {ticket['ticketNumber']}")
    say(f"   Open Rita's record page, tab Tickets: {page}")
    sync_story(stack, say)
    return page


def sync_story(stack: Stack, say: Callable[[str], None]) -> None:
    """A two-way edit goes across, and Bigin's notification of pontes' own write is
    recognised as its echo and dropped (nothing is written back to Zoho Desk).

    Everything is counted before the agent's edit: the whole round trip (Zoho Desk's
    webhook, pontes' write to Bigin, Bigin's notification) can be over before the story
    looks again."""
    say("\n6. Contacts kept the same in Bigin and Zoho Desk, two ways (seed 004)")
    steps.activate(stack, SYNC)
    bigin_api = {"Authorization": f"Zoho-oauthtoken {BIGIN_TOKEN}"}
    desk_api = {"Authorization": f"Zoho-oauthtoken {DESK_TOKEN}", "orgId": DESK_ORG_ID}
    with stack.sandbox("bigin") as bigin, stack.sandbox("zohodesk") as desk:
        made = bigin.post("/bigin/v2/Contacts", headers=bigin_api, json={"data": [{
            "First_Name": "Caio", "Last_Name": "Campos", "Email": "caio@example.org"}]})
        contact = made.raise_for_status().json()["data"][0]["details"]["id"]
        say(f"   A salesperson adds Caio Campos to Bigin (contact {contact})")

        def in_desk() -> dict | None:
            answer = desk.get("/api/v1/contacts/search", headers=desk_api,
                              params={"email": "caio@example.org"})
            found = answer.json().get("data") if answer.status_code == 200 else None
            return found[0] if found else None

        stack.wait_until(lambda: in_desk() is not None, 60, "Caio to reach Zoho Desk")
        person = in_desk()
        say(f"   pontes copies him to Zoho Desk (contact {person['id']})")
        _settle(stack)
        writes_before = _writes(desk, person["id"])
        notified = len(_updates_notified(bigin, contact))
        dropped = _echoes_dropped(stack, contact)
        desk.patch(f"/api/v1/contacts/{person['id']}", headers=desk_api,
                   json={"lastName": "Campos Lima"}).raise_for_status()
        say("   An agent corrects his last name in Zoho Desk: Campos Lima")

        def in_bigin() -> str:
            answer = bigin.get(f"/bigin/v2/Contacts/{contact}", headers=bigin_api)
            return answer.raise_for_status().json()["data"][0]["Last_Name"]

        stack.wait_until(lambda: in_bigin() == "Campos Lima", 60, "the edit to reach Bigin")
        say("   pontes writes it to Bigin: Last_Name Campos Lima")
        stack.wait_until(lambda: len(_updates_notified(bigin, contact)) > notified, 60,
                         "Bigin's notification of pontes' write")
        affected = _updates_notified(bigin, contact)[-1]["affected_fields"]
        fields = ", ".join(name for entry in affected for name in entry.get(contact, []))
        say(f"   Bigin notifies pontes of that write (affected fields: {fields})")
        stack.wait_until(lambda: _echoes_dropped(stack, contact) > dropped, 60,
                         "pontes to read that notification")
        _settle(stack)
        echoes = _writes(desk, person["id"]) - writes_before - 1  # the agent's edit
        say(f"   pontes reads Caio again, finds Zoho Desk already agrees and drops the echo "
            f"({echoes} writes back to Zoho Desk)")


def _settle(stack: Stack) -> None:
    stack.wait_until(lambda: all(e["status"] in ("succeeded", "dead", "rejected")
                                 for e in stack.events(SYNC)), 60, "the sync to finish")


def _updates_notified(bigin: httpx.Client, contact: str) -> list[dict]:
    """The bodies of the update notifications about ``contact`` that the Bigin sandbox
    delivered to pontes (from its delivery log)."""
    log = bigin.get("/_sandbox/deliveries").raise_for_status().json()
    return [d["body"] for d in log if 200 <= (d.get("status") or 0) < 300
            and d["body"].get("operation") == "update" and contact in d["body"].get("ids", [])]


def _echoes_dropped(stack: Stack, contact: str) -> int:
    """Finished events from Bigin about ``contact`` that found Zoho Desk agreeing."""
    found = 0
    for event in stack.events(SYNC, status="succeeded"):
        if event["role"] == "crm" and event["entity_key"] == f"bigin:Contacts:{contact}":
            found += "already agrees" in stack.event(event["id"])["result"]["summary"]
    return found


def _writes(desk: httpx.Client, contact_id: str) -> int:
    """Writes Zoho Desk's sandbox received for one contact (from its request log)."""
    log = desk.get("/_sandbox/requests").raise_for_status().json()
    return len([r for r in log if r["method"] in ("PUT", "PATCH", "POST")
                and r["path"] == f"/api/v1/contacts/{contact_id}"])
