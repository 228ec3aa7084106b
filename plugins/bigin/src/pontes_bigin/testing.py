"""The recipe matrix's adapter for Bigin (``pontes.testing.matrix``): contacts and notes
through the sandbox's record controls, users added as Bigin's Settings > Users does, and
deals added through the API as a salesperson would."""

from __future__ import annotations

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

from .sandbox import SANDBOX_ACCESS_TOKEN

AUTH = {"Authorization": f"Zoho-oauthtoken {SANDBOX_ACCESS_TOKEN}"}
PIPELINE, STAGE = "Sales Pipeline Standard", "Qualification"
"""Where the matrix's deals go: a pipeline and stage of the sandbox's seeded layout."""


class BiginAdapter(SandboxAdapter):
    """Bigin as a CRM in the recipe matrix."""

    connector = "bigin"
    people_path = "/bigin/v2/Contacts"

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

    def add_person(self, stack: Stack, client: Client) -> str:
        """Add a contact with the client's names and e-mail through the API (Bigin then
        notifies the watching channels); its id."""
        [contact] = self._api(stack, "POST", self.people_path, json={"data": [{
            "First_Name": client.first_name, "Last_Name": client.last_name,
            "Email": client.email}]})["data"]
        return str(contact["details"]["id"])

    def rename_person(self, stack: Stack, person_id: str, client: Client) -> None:
        """Change the contact's first and last names through the API."""
        self._api(stack, "PUT", f"{self.people_path}/{person_id}", json={"data": [{
            "id": person_id, "First_Name": client.first_name,
            "Last_Name": client.last_name}]})

    def _api(self, stack: Stack, method: str, path: str, **kwargs) -> dict:
        """Call the API with the sandbox's access token; the JSON answer."""
        with stack.sandbox(self.connector) as bigin:
            answer = bigin.request(method, path, headers=AUTH, **kwargs)
        return answer.raise_for_status().json()

    def add_user(self, stack: Stack, name: str) -> None:
        """Add an active user called ``name`` (Bigin adds users by e-mail only, so the
        connection's ``user.ensure`` cannot)."""
        with stack.sandbox(self.connector) as bigin:
            users = bigin.get("/bigin/v2/users", params={"type": "ActiveUsers"}, headers=AUTH
                              ).raise_for_status().json().get("users", [])
            if not any(u.get("full_name") == name for u in users):
                address = name.casefold().replace(" ", ".")
                bigin.post("/_sandbox/users", json={
                    "full_name": name, "email": f"{address}@matrix.example"}
                ).raise_for_status()

    def add_deal(self, stack: Stack, client: Client, title: str, owner: str) -> str:
        """Add the client as a contact through the API, then a deal for it owned by
        ``owner``, in the first pipeline's first stage."""
        users = self._api(stack, "GET", "/bigin/v2/users",
                          params={"type": "ActiveUsers"})["users"]
        (user,) = [u for u in users if u["full_name"] == owner]
        contact_id = self.add_person(stack, client)
        [deal] = self._api(stack, "POST", "/bigin/v2/Pipelines", json={"data": [{
            "Deal_Name": title, "Sub_Pipeline": PIPELINE, "Stage": STAGE,
            "Owner": {"id": user["id"]}, "Contact_Name": {"id": contact_id}}]})["data"]
        return str(deal["details"]["id"])

    def deals(self, stack: Stack, title: str) -> list[str]:
        """The ids of the deals (Pipelines records) called ``title``."""
        with stack.sandbox(self.connector) as bigin:
            rows = bigin.get("/_sandbox/records/Pipelines").raise_for_status().json()
        return [str(d["id"]) for d in rows if d.get("Deal_Name") == title]


ADAPTER = BiginAdapter()
"""The adapter the recipe matrix finds."""
