"""Seed 004 in the demo: Bigin's Tickets tab with Zoho Desk's tickets.

A Bigin contact and a Zoho Desk contact share an e-mail and the Desk contact has a
ticket; the Bigin sandbox's record page embeds the tab at the integration's address, so
a person opens the record page and works the ticket from there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import httpx
from pontes.panels.tickets_tab.context import tab_address
from pontes.testing.stack import Stack
from pontes_bigin.sandbox.state import ORG_ID
from pontes_zohodesk.sandbox.state import DEPARTMENT_ID

TAB = "bigin-tickets"
DEMO_USER = "sales@acme.example"
"""The Bigin user the demo's tab acts for, mapped to a Zoho Desk agent."""

CONNECTIONS = {"bigin": ("bigin", {}), "zohodesk": ("zohodesk", {})}

INTEGRATIONS: dict[str, dict[str, Any]] = {
    TAB: {"recipe": "tickets_tab", "helpdesk": "zohodesk", "crm": "bigin",
          "options": {"agents": {DEMO_USER: "demo-agent"}, "default_user": DEMO_USER}},
}
"""The tab acts for ``DEMO_USER``: the sandbox's record page does not name its user."""


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
    return page

