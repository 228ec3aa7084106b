"""The recipe matrix's adapter for Zoho Desk (``pontes.testing.matrix``): a contact and a
ticket made in the portal (the sandbox's controls) send the ticket-added delivery Zoho
Desk would to the webhooks ``pontes activate`` registered; tickets are read through the
API with the sandbox's access token."""

from __future__ import annotations

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

from .sandbox import SANDBOX_ACCESS_TOKEN
from .sandbox.state import DEPARTMENT_ID, ORG_ID

HEADERS = {"orgId": ORG_ID, "Authorization": f"Zoho-oauthtoken {SANDBOX_ACCESS_TOKEN}"}
"""What every API call of the adapter sends: the portal and the sandbox's access token."""


class ZohoDeskAdapter(SandboxAdapter):
    """Zoho Desk as a helpdesk in the recipe matrix."""

    connector = "zohodesk"
    people_path = "/api/v1/contacts"

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

    def add_person(self, stack: Stack, client: Client) -> str:
        """Add the client as a contact in the portal; its id."""
        with stack.sandbox(self.connector) as desk:
            contact = desk.post("/_sandbox/contacts", json={
                "firstName": client.first_name, "lastName": client.last_name,
                "email": client.email}).raise_for_status().json()
        return str(contact["id"])

    def rename_person(self, stack: Stack, person_id: str, client: Client) -> None:
        """Change the contact's first and last names through the API."""
        with stack.sandbox(self.connector) as desk:
            desk.patch(f"{self.people_path}/{person_id}", headers=HEADERS, json={
                "firstName": client.first_name, "lastName": client.last_name}
            ).raise_for_status()

    def contacts(self, stack: Stack, email: str) -> list[str]:
        """The full names of the contacts whose e-mail is ``email`` (of those the API's
        search by e-mail finds, which matches more loosely)."""
        with stack.sandbox(self.connector) as desk:
            answer = desk.get(f"{self.people_path}/search", params={"email": email},
                              headers=HEADERS).raise_for_status()
        if answer.status_code == 204:  # nothing found
            return []
        return [" ".join(filter(None, (c.get("firstName"), c.get("lastName"))))
                for c in answer.json().get("data", [])
                if str(c.get("email") or "").casefold() == email.casefold()]

    def tickets(self, stack: Stack, subject: str) -> list[str]:
        """The contact e-mail of every ticket with this subject."""
        with stack.sandbox(self.connector) as desk:
            answer = desk.get("/api/v1/tickets", params={"limit": 100}, headers=HEADERS)
        answer.raise_for_status()
        if answer.status_code == 204:  # Zoho Desk answers an empty list with no content
            return []
        return [str(t.get("email")) for t in answer.json().get("data", [])
                if t.get("subject") == subject]


ADAPTER = ZohoDeskAdapter()
"""The adapter the recipe matrix finds."""
