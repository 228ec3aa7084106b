"""The recipe matrix's adapter for Usedesk (``pontes.testing.matrix``): the API channel's
redirect URL set to the integration's webhook URL, then a ticket opened through the API
for the client, which Usedesk announces on the channel."""

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


ADAPTER = UsedeskAdapter()
"""The adapter the recipe matrix finds."""
