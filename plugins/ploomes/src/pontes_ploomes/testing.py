"""The recipe matrix's adapter for Ploomes (``pontes.testing.matrix``): contacts added and
interaction records read through the sandbox's record controls."""

from __future__ import annotations

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

from .sandbox.seed import SANDBOX_USER_KEY

PERSON = 2
"""Ploomes' ``TypeId`` of a person (1 is a company)."""


class PloomesAdapter(SandboxAdapter):
    """Ploomes as a CRM in the recipe matrix."""

    connector = "ploomes"

    def add_contact(self, stack: Stack, client: Client) -> str:
        """Store a person with the client's name and e-mail; its Ploomes id."""
        with stack.sandbox(self.connector) as ploomes:
            (contact_id,) = ploomes.post("/_sandbox/ploomes/records/Contacts", json=[{
                "Name": client.name, "TypeId": PERSON, "Email": client.email}]
            ).raise_for_status().json()["ids"]
        return str(contact_id)

    def history(self, stack: Stack, contact_id: str) -> list[str]:
        """The content of every interaction record of the contact."""
        with stack.sandbox(self.connector) as ploomes:
            rows = ploomes.get("/_sandbox/ploomes/records/InteractionRecords"
                               ).raise_for_status().json()
        return [str(row.get("Content")) for row in rows
                if str(row.get("ContactId")) == contact_id]

    def contacts(self, stack: Stack, email: str) -> list[str]:
        """The names of the people whose e-mail is ``email``."""
        with stack.sandbox(self.connector) as ploomes:
            rows = ploomes.get("/_sandbox/ploomes/records/Contacts").raise_for_status().json()
        return [row["Name"] for row in rows
                if str(row.get("Email") or "").casefold() == email.casefold()]

    def add_deal(self, stack: Stack, client: Client, title: str, owner: str) -> str:
        """Add the client as a person, then a deal for it owned by the user ``owner``,
        through the API with the administrator's key (Ploomes then calls the webhooks)."""
        (user,) = [u for u in self._records(stack, "Users") if u["Name"] == owner]
        contact_id = self.add_contact(stack, client)
        with stack.sandbox(self.connector) as ploomes:
            answer = ploomes.post("/Deals", headers={"User-Key": SANDBOX_USER_KEY}, json={
                "Title": title, "ContactId": int(contact_id), "OwnerId": user["Id"]})
        body = answer.raise_for_status().json()
        row = body["value"][0] if isinstance(body, dict) and "value" in body else body
        return str(row["Id"])

    def _records(self, stack: Stack, resource: str) -> list[dict]:
        with stack.sandbox(self.connector) as ploomes:
            return ploomes.get(f"/_sandbox/ploomes/records/{resource}").raise_for_status().json()

    def deals(self, stack: Stack, title: str) -> list[str]:
        """The ids of the deals called ``title``."""
        return [str(d["Id"]) for d in self._records(stack, "Deals") if d.get("Title") == title]


ADAPTER = PloomesAdapter()
"""The adapter the recipe matrix finds."""
