"""The recipe matrix's adapter for Usedesk (``pontes.testing.matrix``): the API channel's
redirect URL set to the integration's webhook URL, then a ticket opened through the API
for the client, which Usedesk announces on the channel; tickets and clients read
through the API."""

from __future__ import annotations

import html
import re
from typing import Any

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

from .sandbox import SANDBOX_API_TOKEN

PANEL_FRAME = re.compile(r'<iframe class="pontes-panel" src="([^"]+)"')
"""The frame a block's answer embeds the CRM panel with."""


class UsedeskAdapter(SandboxAdapter):
    """Usedesk as a helpdesk in the recipe matrix."""

    connector = "usedesk"

    def open_ticket(self, stack: Stack, integration: str, client: Client,
                    subject: str) -> None:
        """Point the API channel at ``integration`` and open a ticket from the client."""
        with stack.sandbox(self.connector) as usedesk:
            usedesk.post("/_sandbox/channel", json={
                "url": stack.hook_url(integration, "helpdesk")}).raise_for_status()
            usedesk.post("/create/ticket", json={
                "api_token": SANDBOX_API_TOKEN, "subject": subject,
                "message": f"<p>{subject}</p>", "client_name": client.name,
                "client_email": client.email}).raise_for_status()

    def open_card(self, stack: Stack, integration: str, client: Client) -> str:
        """Add a block named after ``integration`` posting to its URL, have the client
        write in, open the ticket's card and return the panel frame the block shows."""
        with stack.sandbox(self.connector) as usedesk:
            usedesk.post("/_sandbox/blocks", json={
                "name": integration, "title": integration,
                "url": stack.hook_url(integration, "helpdesk"),
                "parameters": {"language": "en"}}).raise_for_status()
            ticket = usedesk.post("/create/ticket", json={
                "api_token": SANDBOX_API_TOKEN, "subject": f"Question from {client.name}",
                "message": "<p>Hello</p>", "client_name": client.name,
                "client_email": client.email}).raise_for_status().json()
            shown = usedesk.post(f"/_sandbox/tickets/{ticket['ticket_id']}/blocks", json={
                "automatic": True, "name": integration}).raise_for_status().json()
        (block,) = shown
        if block["error"] is not None:
            raise AssertionError(f"the block of {integration} failed: {block['error']}")
        frame = PANEL_FRAME.search(block["html"])
        if frame is None:
            raise AssertionError(f"the block of {integration} shows no panel: {block['html']}")
        return html.unescape(frame.group(1))

    def send_request(self, stack: Stack, integration: str, client: Client,
                     body: dict[str, Any]) -> None:
        """Replace the account's rules by one that POSTs ``body`` to the integration's
        request URL when a ticket is created, then open a ticket from the client."""
        (url,) = [r.url for r in stack.runtime.request_urls() if r.integration == integration]
        with stack.sandbox(self.connector) as usedesk:
            usedesk.delete("/_sandbox/rules").raise_for_status()
            usedesk.post("/_sandbox/rules", json={
                "name": integration, "on": "ticket_created", "url": url, "data": body,
                "headers": []}).raise_for_status()
            usedesk.post("/create/ticket", json={
                "api_token": SANDBOX_API_TOKEN, "subject": f"Request from {client.name}",
                "message": "<p>Please open a deal</p>", "client_name": client.name,
                "client_email": client.email}).raise_for_status()

    def tickets(self, stack: Stack, subject: str) -> list[str]:
        """The e-mail of the client of every ticket with this subject."""
        with stack.sandbox(self.connector) as usedesk:
            listed = usedesk.post("/tickets", json={"api_token": SANDBOX_API_TOKEN,
                                                    "query": subject}).raise_for_status()
            found = []
            for ticket in listed.json():
                if ticket.get("subject") != subject:
                    continue
                client = usedesk.post("/client", json={
                    "api_token": SANDBOX_API_TOKEN, "client_id": ticket["client_id"]}
                ).raise_for_status().json()
                emails = client.get("emails") or []
                found.append(emails[0]["email"] if emails and isinstance(emails[0], dict)
                             else str(emails[0]) if emails else "")
        return found


ADAPTER = UsedeskAdapter()
"""The adapter the recipe matrix finds."""
