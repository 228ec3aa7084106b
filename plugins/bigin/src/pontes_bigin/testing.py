"""The recipe matrix's adapter for Bigin (``pontes.testing.matrix``): contacts stored and
notes read through the sandbox's record controls."""

from __future__ import annotations

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack


class BiginAdapter(SandboxAdapter):
    """Bigin as a CRM in the recipe matrix."""

    connector = "bigin"

    def add_contact(self, stack: Stack, client: Client) -> str:
        """Store a contact with the client's names and e-mail; its Bigin id."""
        with stack.sandbox(self.connector) as bigin:
            (contact_id,) = bigin.post("/_sandbox/records/Contacts", json=[{
                "First_Name": client.first_name, "Last_Name": client.last_name,
                "Email": client.email}]).raise_for_status().json()["ids"]
        return str(contact_id)

    def history(self, stack: Stack, contact_id: str) -> list[str]:
        """Title and content of every note on the contact."""
        with stack.sandbox(self.connector) as bigin:
            notes = bigin.get("/_sandbox/notes").raise_for_status().json()
        return [f"{note.get('Note_Title')}\n{note.get('Note_Content')}" for note in notes
                if str((note.get("Parent_Id") or {}).get("id")) == contact_id]

    def contacts(self, stack: Stack, email: str) -> list[str]:
        """The full names of the contacts whose e-mail is ``email``."""
        with stack.sandbox(self.connector) as bigin:
            rows = bigin.get("/_sandbox/records/Contacts").raise_for_status().json()
        return [" ".join(filter(None, (row.get("First_Name"), row.get("Last_Name"))))
                for row in rows if str(row.get("Email") or "").casefold() == email.casefold()]


ADAPTER = BiginAdapter()
"""The adapter the recipe matrix finds."""
