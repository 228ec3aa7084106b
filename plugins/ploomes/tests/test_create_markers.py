"""Persons and companies carry their pontes marker in the connection's
``contact_marker_field``, so ``contact.find_created`` and ``company.find_created`` find
the record a create made when its answer was lost; a connection without the field cannot
look and says which setting it lacks."""

from __future__ import annotations

import pytest
from pontes.plugin import CapabilityError, Company, Contact
from pontes_ploomes.sandbox.seed import CONTACT_MARKER_FIELD

pytestmark = pytest.mark.anyio

PERSON_MARKER = "6f1c2a9e-0000-4000-8000-00000000c001"
COMPANY_MARKER = "6f1c2a9e-0000-4000-8000-00000000c002"


def marker_of(api, record_id: str) -> list[str]:
    row = api.get("/Contacts", params={"$filter": f"Id eq {record_id}",
                                       "$expand": "OtherProperties"}).json()
    [row] = row["value"]
    return [p["StringValue"] for p in row["OtherProperties"]
            if p["FieldKey"] == CONTACT_MARKER_FIELD]


async def test_a_person_carries_its_marker_and_is_found_by_it(connection, api):
    draft = Contact(id=PERSON_MARKER, name="Rui Prado", emails=["rui@prado.test"])
    created = await connection.call("contact.create", draft)

    found = await connection.call("contact.find_created", draft)
    other = await connection.call("contact.find_created",
                                  draft.model_copy(update={"id": COMPANY_MARKER}))

    assert marker_of(api, created.ref(connection.name)) == [PERSON_MARKER]
    assert found.ref(connection.name) == created.ref(connection.name)
    assert found.name == "Rui Prado" and other is None


async def test_a_company_carries_its_marker_and_is_found_only_as_a_company(connection, api):
    draft = Company(id=COMPANY_MARKER, name="Prado Comércio ME")
    created = await connection.call("company.create", draft)

    found = await connection.call("company.find_created", draft)
    as_person = await connection.call("contact.find_created",
                                      Contact(id=COMPANY_MARKER, name="Prado Comércio ME"))

    assert marker_of(api, created.ref(connection.name)) == [COMPANY_MARKER]
    assert found.ref(connection.name) == created.ref(connection.name)
    assert as_person is None  # a person's look never returns the company


async def test_without_the_field_nothing_is_marked_and_looking_names_the_setting(
        make_connection, api):
    bare = make_connection(contact_marker_field=None)
    draft = Contact(id=PERSON_MARKER, name="Sem Marcador")
    created = await bare.call("contact.create", draft)

    assert marker_of(api, created.ref(bare.name)) == []
    for capability, record in (("contact.find_created", draft),
                               ("company.find_created", Company(id=COMPANY_MARKER, name="X"))):
        with pytest.raises(CapabilityError, match="contact_marker_field"):
            await bare.call(capability, record)


async def test_a_marker_copied_from_another_record_is_replaced_by_the_drafts_own(connection,
                                                                                api):
    draft = Contact(id=PERSON_MARKER, name="Cópia", custom={CONTACT_MARKER_FIELD: "stale"})
    created = await connection.call("contact.create", draft)
    assert marker_of(api, created.ref(connection.name)) == [PERSON_MARKER]
