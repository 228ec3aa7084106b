"""A create whose read-back fails still answers the new record, so nothing is created twice.

Ploomes' creates POST, then read the record back with its expansions. When every attempt
at that read fails, the action builds the record from the create's own answer instead of
failing: a failing action would make the run try again and create a second record.
"""

from __future__ import annotations

import pytest
from pontes.plugin import Company, Contact, Deal, Interaction

pytestmark = pytest.mark.anyio

MARIA = "40000123"


def break_reads(api, path: str) -> None:
    """Every read of ``path`` fails with a 503 from now on."""
    api.post("/_sandbox/faults", json={"status": 503, "path": path, "method": "GET",
                                       "count": 100}).raise_for_status()


def rows(api, resource: str) -> list[dict]:
    return api.get(f"/_sandbox/ploomes/records/{resource}").json()


async def test_an_interaction_record_whose_read_back_fails(connection, api):
    before = len(rows(api, "InteractionRecords"))
    break_reads(api, "/InteractionRecords")
    created = await connection.call("interaction.create", Interaction(
        subject="Ticket 7", content_text="Status: Resolvido",
        contact=Contact(refs={connection.name: MARIA})))
    stored = rows(api, "InteractionRecords")
    assert len(stored) == before + 1
    assert created.ref(connection.name) == str(stored[-1]["Id"])
    assert created.content_text == "Ticket 7\nStatus: Resolvido"
    assert created.contact.ref(connection.name) == MARIA


async def test_a_person_company_and_deal_whose_read_back_fails(connection, api):
    break_reads(api, "/Contacts")
    company = await connection.call("company.create", Company(name="Beta Leitura"))
    person = await connection.call("contact.create", Contact(
        name="Rui Leitura", emails=["rui@leitura.example"],
        company=Company(refs={connection.name: company.ref(connection.name)})))
    break_reads(api, "/Deals")
    deal = await connection.call("deal.create", Deal(
        title="Negócio lido", contact=Contact(refs={connection.name: MARIA})))
    by_id = {str(r["Id"]): r for r in rows(api, "Contacts") + rows(api, "Deals")}
    assert by_id[company.ref(connection.name)]["Name"] == "Beta Leitura"
    assert by_id[person.ref(connection.name)]["Email"] == "rui@leitura.example"
    assert person.emails == ["rui@leitura.example"]
    assert by_id[deal.ref(connection.name)]["Title"] == "Negócio lido"
    assert sum(1 for r in by_id.values() if r.get("Title") == "Negócio lido") == 1
