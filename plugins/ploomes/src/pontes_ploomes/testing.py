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
    people_path = "/Contacts"

    def add_contact(self, stack: Stack, client: Client) -> str:
        """Store a person with the client's name and e-mail; its Ploomes id."""
        with stack.sandbox(self.connector) as ploomes:
            (contact_id,) = ploomes.post("/_sandbox/ploomes/records/Contacts", json=[{
                "Name": client.name, "TypeId": PERSON, "Email": client.email}]
            ).raise_for_status().json()["ids"]
        return str(contact_id)

    def add_person(self, stack: Stack, client: Client) -> str:
        """Add a person with the client's name and e-mail through the API with the
        administrator's key (Ploomes then calls the webhooks); its id."""
        return str(self._api_row(stack, "POST", self.people_path, {
            "Name": client.name, "TypeId": PERSON, "Email": client.email})["Id"])

    def rename_person(self, stack: Stack, person_id: str, client: Client) -> None:
        """Change the person's name through the API."""
        with stack.sandbox(self.connector) as ploomes:
            ploomes.patch(f"{self.people_path}({person_id})",
                          headers={"User-Key": SANDBOX_USER_KEY},
                          json={"Name": client.name}).raise_for_status()

    def _api_row(self, stack: Stack, method: str, path: str, body: dict) -> dict:
        """Write through the API with the administrator's key; the record written (Ploomes
        may wrap it in ``value``)."""
        with stack.sandbox(self.connector) as ploomes:
            answer = ploomes.request(method, path, headers={"User-Key": SANDBOX_USER_KEY},
                                     json=body)
        written = answer.raise_for_status().json()
        return (written["value"][0] if isinstance(written, dict) and "value" in written
                else written)

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
        return str(self._api_row(stack, "POST", "/Deals", {
            "Title": title, "ContactId": int(contact_id), "OwnerId": user["Id"]})["Id"])

    def _records(self, stack: Stack, resource: str) -> list[dict]:
        with stack.sandbox(self.connector) as ploomes:
            return ploomes.get(f"/_sandbox/ploomes/records/{resource}").raise_for_status().json()

    def deals(self, stack: Stack, title: str) -> list[str]:
        """The ids of the deals called ``title``."""
        return [str(d["Id"]) for d in self._records(stack, "Deals") if d.get("Title") == title]


ADAPTER = PloomesAdapter()
"""The adapter the recipe matrix finds."""
