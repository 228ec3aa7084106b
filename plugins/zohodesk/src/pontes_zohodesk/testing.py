"""The recipe matrix's adapter for Zoho Desk (``pontes.testing.matrix``): ``pontes
activate`` registers the integration's webhooks, and a contact and a ticket made in the
portal (the sandbox's controls) send the ticket-added delivery Zoho Desk would."""

from __future__ import annotations

from pontes.testing.matrix import Client, SandboxAdapter, activate
from pontes.testing.stack import Stack

from .sandbox.state import DEPARTMENT_ID


class ZohoDeskAdapter(SandboxAdapter):
    """Zoho Desk as a helpdesk in the recipe matrix."""

    connector = "zohodesk"

    def prepare(self, stack: Stack, integration: str, role: str) -> None:
        """Register the integration's webhooks at Zoho Desk."""
        activate(stack, integration)

    def open_ticket(self, stack: Stack, integration: str, client: Client,
                    subject: str) -> None:
        """Add the client as a contact and open a ticket for it in the portal (every
        integration with registered webhooks gets the delivery)."""
        with stack.sandbox(self.connector) as desk:
            contact = desk.post("/_sandbox/contacts", json={
                "firstName": client.first_name, "lastName": client.last_name,
                "email": client.email}).raise_for_status().json()
            desk.post("/_sandbox/tickets", json={
                "subject": subject, "departmentId": DEPARTMENT_ID,
                "contactId": contact["id"]}).raise_for_status()


ADAPTER = ZohoDeskAdapter()
"""The adapter the recipe matrix finds."""
