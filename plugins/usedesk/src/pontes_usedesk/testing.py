"""The recipe matrix's adapter for Usedesk (``pontes.testing.matrix``): the API channel's
redirect URL set to the integration's webhook URL, then a ticket opened through the API
for the client, which Usedesk announces on the channel; tickets and clients read
through the API."""

from __future__ import annotations

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

from .sandbox import SANDBOX_API_TOKEN


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
