"""The recipe matrix's adapter for amoCRM (``pontes.testing.matrix``): a salesperson adds
a contact and reads its notes through the API, with the account's long-lived token."""

from __future__ import annotations

import time
from typing import Any

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

from .sandbox import SANDBOX_TOKEN


class AmocrmAdapter(SandboxAdapter):
    """amoCRM as a CRM in the recipe matrix."""

    connector = "amocrm"
    people_path = "/api/v4/contacts"
    busy_retries = 30
    """How many times a call answered 429 is made again, a second apart: the salesperson's
    tool shares the token's 7 calls a second with the server, as a real one would."""

    def _api(self, stack: Stack, method: str, path: str, **kwargs: Any) -> Any:
        with stack.sandbox(self.connector) as amocrm:
            for _ in range(self.busy_retries):
                answer = amocrm.request(method, path, headers={
                    "Authorization": f"Bearer {SANDBOX_TOKEN}"}, **kwargs)
                if answer.status_code != 429:
                    break
                time.sleep(1.0)
        answer.raise_for_status()
        return answer.json() if answer.status_code != 204 else None

    def add_contact(self, stack: Stack, client: Client) -> str:
        """Add a contact with the client's name and work e-mail; its amoCRM id."""
        answer = self._api(stack, "POST", "/api/v4/contacts", json=[{
            "name": client.name, "first_name": client.first_name,
            "last_name": client.last_name, "custom_fields_values": [
                {"field_code": "EMAIL", "values": [{"value": client.email,
                                                    "enum_code": "WORK"}]}]}])
        return str(answer["_embedded"]["contacts"][0]["id"])

    def add_person(self, stack: Stack, client: Client) -> str:
        """Add the contact through the API, as ``add_contact`` does (amoCRM then calls the
        webhooks); its id."""
        return self.add_contact(stack, client)

    def rename_person(self, stack: Stack, person_id: str, client: Client) -> None:
        """Change the contact's name, first name and last name through the API."""
        self._api(stack, "PATCH", f"{self.people_path}/{person_id}", json={
            "name": client.name, "first_name": client.first_name,
            "last_name": client.last_name})

    def history(self, stack: Stack, contact_id: str) -> list[str]:
        """The text of every note on the contact."""
        answer = self._api(stack, "GET", f"/api/v4/contacts/{contact_id}/notes")
        notes = (answer or {}).get("_embedded", {}).get("notes", [])
        return [str((note.get("params") or {}).get("text")) for note in notes]

    def contacts(self, stack: Stack, email: str) -> list[str]:
        """The names of the contacts with ``email`` among their e-mail values."""
        with stack.sandbox(self.connector) as amocrm:
            rows = amocrm.get("/_sandbox/records/contacts").raise_for_status().json()
        return [row["name"] for row in rows
                if email.casefold() in {str(value.get("value")).casefold()
                                        for field in row.get("custom_fields_values") or []
                                        if field.get("field_code") == "EMAIL"
                                        for value in field.get("values") or []}]

    def deals(self, stack: Stack, title: str) -> list[str]:
        """The ids of the leads called ``title``."""
        with stack.sandbox(self.connector) as amocrm:
            rows = amocrm.get("/_sandbox/records/leads").raise_for_status().json()
        return [str(d["id"]) for d in rows if d.get("name") == title]


ADAPTER = AmocrmAdapter()
"""The adapter the recipe matrix finds."""
