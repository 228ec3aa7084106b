"""The recipe matrix's adapter for Movidesk (``pontes.testing.matrix``): people and
tickets seeded and read through the sandbox's controls, and an agent solving a ticket with
an automation ("status changed to Resolvido" -> call webhook) pointing at the integration."""

from __future__ import annotations

import itertools

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

from .sandbox import SANDBOX_TOKEN

RESOLVED = "Resolvido"
_ticket_ids = itertools.count(70001)


class MovideskAdapter(SandboxAdapter):
    """Movidesk as a helpdesk in the recipe matrix."""

    connector = "movidesk"
    settings = {"poll_lookback_hours": 0, "poll_overlap_seconds": 2}
    sandbox_options = {"requests_per_minute": 1200}
    """A real account's 10 calls a minute cannot serve a poll a second for three CRMs."""
    integration_settings = {"contact_sync": {"poll": True, "poll_interval": 1}}
    """Movidesk has no person webhook, so contact_sync polls its persons."""

    people_path = "/public/v1/persons"

    def add_person(self, stack: Stack, client: Client) -> str:
        """Add the client as a client person through the API, as an agent's tool would
        (the server's poll of changed persons then finds it); its id."""
        with stack.sandbox(self.connector) as movidesk:
            answer = movidesk.post(self.people_path, params={"token": SANDBOX_TOKEN}, json={
                "isActive": True, "personType": 1, "profileType": 2,
                "businessName": client.name,
                "emails": [{"emailType": "Profissional", "email": client.email,
                            "isDefault": True}]}).raise_for_status()
        return str(answer.json()["id"])

    def rename_person(self, stack: Stack, person_id: str, client: Client) -> None:
        """Change the person's whole name (``businessName``) through the API."""
        with stack.sandbox(self.connector) as movidesk:
            movidesk.patch(self.people_path, params={"token": SANDBOX_TOKEN, "id": person_id},
                           json={"businessName": client.name}).raise_for_status()

    def contacts(self, stack: Stack, email: str) -> list[str]:
        """The names of the persons with ``email`` among their e-mails."""
        with stack.sandbox(self.connector) as movidesk:
            state = movidesk.get("/_sandbox/state").raise_for_status().json()
        return [p.get("businessName") for p in state["persons"]
                if email.casefold() in {str(e.get("email")).casefold()
                                        for e in p.get("emails") or []}]

    def open_ticket(self, stack: Stack, integration: str, client: Client,
                    subject: str) -> None:
        """Seed the client and an open ticket, point the one automation at
        ``integration`` and have an agent resolve the ticket."""
        person_id = f"matrix-{client.email}"
        ticket_id = next(_ticket_ids)
        with stack.sandbox(self.connector) as movidesk:
            movidesk.post("/_sandbox/seed", json={
                "persons": [{"id": person_id, "personType": 1, "profileType": 2,
                             "businessName": client.name,
                             "emails": [{"emailType": "Profissional", "email": client.email,
                                         "isDefault": True}]}],
                "tickets": [{"id": ticket_id, "type": 2, "subject": subject,
                             "category": "Problema", "urgency": "Alta",
                             "status": "Em atendimento", "createdBy": {"id": person_id},
                             "clients": [{"id": person_id}]}],
            }).raise_for_status()
            movidesk.delete("/_sandbox/automations").raise_for_status()
            movidesk.post("/_sandbox/automations", json={
                "url": stack.hook_url(integration, "helpdesk"),
                "status_changed_to": RESOLVED}).raise_for_status()
            movidesk.post(f"/_sandbox/tickets/{ticket_id}/status",
                          json={"status": RESOLVED}).raise_for_status()

    def tickets(self, stack: Stack, subject: str) -> list[str]:
        """The default e-mail of the first client of every ticket with this subject."""
        with stack.sandbox(self.connector) as movidesk:
            state = movidesk.get("/_sandbox/state").raise_for_status().json()
        persons = {p["id"]: p for p in state["persons"]}
        found = []
        for ticket in state["tickets"]:
            if ticket.get("subject") != subject:
                continue
            client = persons.get(((ticket.get("clients") or [{}])[0]).get("id"), {})
            emails = [e["email"] for e in client.get("emails") or []]
            found.append(emails[0] if emails else "")
        return found


ADAPTER = MovideskAdapter()
"""The adapter the recipe matrix finds."""
