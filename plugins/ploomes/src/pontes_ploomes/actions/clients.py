"""Persons and companies: both are ``Contacts`` at Ploomes (``TypeId`` 2 and 1)."""

from __future__ import annotations

from typing import Any, cast

from pontes.plugin import (
    ByEmail,
    ById,
    ByName,
    ByPhone,
    Company,
    Connection,
    Contact,
    PermanentFailure,
    normalize_phone,
)

from ..client import (
    Query,
    all_of,
    any_in,
    contains,
    create,
    eq,
    fetch_all,
    fetch_by_id,
    fetch_first,
)
from ..connector import PloomesSettings, kit
from ..mappers import (
    COMPANY_TYPE,
    PERSON_TYPE,
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
)
from .markers import find_marked, with_marker
from .readback import read_back

CLIENT_EXPAND = ("Phones", "OtherProperties")
PERSON_EXPAND = (*CLIENT_EXPAND, "Company")
PHONE_HINT_DIGITS = 4


async def _find_client(connection: Connection, type_id: int,
                       condition: str) -> dict[str, Any] | None:
    expand = PERSON_EXPAND if type_id == PERSON_TYPE else CLIENT_EXPAND
    return await fetch_first(connection.client, "/Contacts",
                             Query(filter=all_of(eq("TypeId", type_id), condition), expand=expand))


# --- persons ----------------------------------------------------------------------------


@kit.action("contact.find_by_email")
async def contact_find_by_email(connection: Connection, params: ByEmail) -> Contact | None:
    """The person whose ``Email`` is ``params.email``, or ``None``."""
    row = await _find_client(connection, PERSON_TYPE, eq("Email", params.email))
    return contact_to_canonical(row, connection.name) if row else None


@kit.action("contact.list_by_email")
async def contact_list_by_email(connection: Connection, params: ByEmail) -> list[Contact]:
    """Every person whose ``Email`` is ``params.email``."""
    rows = await fetch_all(connection.client, "/Contacts", Query(
        filter=all_of(eq("TypeId", PERSON_TYPE), eq("Email", params.email)),
        expand=PERSON_EXPAND))
    return [contact_to_canonical(row, connection.name) for row in rows]


@kit.action("contact.list_by_phone")
async def contact_list_by_phone(connection: Connection, params: ByPhone) -> list[Contact]:
    """Every person with a phone equal to ``params.phone`` once both are in E.164.

    Ploomes stores phones as typed (``(11) 91234-5678``), so candidates are those whose
    number contains the last four digits, and the match is made on normalised numbers.
    """
    digits = "".join(ch for ch in params.phone if ch.isdigit())
    if not digits:
        return []
    condition = any_in("Phones", "p", contains("p/PhoneNumber", digits[-PHONE_HINT_DIGITS:]))
    rows = await fetch_all(connection.client, "/Contacts", Query(
        filter=all_of(eq("TypeId", PERSON_TYPE), condition), expand=PERSON_EXPAND))
    return [contact_to_canonical(row, connection.name) for row in rows
            if any(normalize_phone(str(phone.get("PhoneNumber") or "")) == params.phone
                   for phone in row.get("Phones") or [])]


@kit.action("contact.find_by_phone")
async def contact_find_by_phone(connection: Connection, params: ByPhone) -> Contact | None:
    """The first person with a phone equal to ``params.phone`` in E.164."""
    found = await contact_list_by_phone(connection, params)
    return found[0] if found else None


async def _get_person(connection: Connection, person_id: Any) -> Contact:
    row = await fetch_by_id(connection.client, "Contacts", person_id, expand=PERSON_EXPAND,
                            condition=eq("TypeId", PERSON_TYPE), what="person")
    return contact_to_canonical(row, connection.name)


@kit.action("contact.get")
async def contact_get(connection: Connection, params: ById) -> Contact:
    """The person with Ploomes id ``params.id``."""
    return await _get_person(connection, params.id)


async def _company_ref(connection: Connection, company: Company) -> Company:
    if company.ref(connection.name):
        return company
    if not company.name:
        raise PermanentFailure("contact.company needs a Ploomes id or a name to link the person")
    found = await company_find_by_name(connection, ByName(name=company.name))
    return found or await company_create(connection, company)


@kit.action("contact.create")
async def contact_create(connection: Connection, params: Contact) -> Contact:
    """Create a person, linked to its company (found by name, or created, when not known).

    With the connection's ``contact_marker_field``, the person carries its marker there.
    The person is read back, or built from the create's answer when that read fails.
    """
    if not params.display_name():
        raise PermanentFailure("contact.name is required to create a Ploomes person")
    if params.company is not None:
        params = params.model_copy(
            update={"company": await _company_ref(connection, params.company)})
    payload = with_marker(contact_from_canonical(params, connection.name),
                          _marker_field(connection), params)
    created = await create(connection.client, "/Contacts", payload)
    return await read_back(lambda: _get_person(connection, created["Id"]),
                           lambda: contact_to_canonical({**payload, **created}, connection.name))


@kit.action("contact.find_created")
async def contact_find_created(connection: Connection, params: Contact) -> Contact | None:
    """The person created from this draft: the one whose ``contact_marker_field`` holds
    the draft's marker, or ``None``. A connection without that field cannot look
    (``CapabilityError``)."""
    row = await find_marked(connection, "/Contacts", _marker_field(connection),
                            "contact_marker_field", params, eq("TypeId", PERSON_TYPE),
                            expand=PERSON_EXPAND)
    return contact_to_canonical(row, connection.name) if row else None


def _marker_field(connection: Connection) -> str | None:
    return cast(PloomesSettings, connection.settings).contact_marker_field


# --- companies --------------------------------------------------------------------------


@kit.action("company.find_by_email")
async def company_find_by_email(connection: Connection, params: ByEmail) -> Company | None:
    """The company whose ``Email`` is ``params.email``, or ``None``."""
    row = await _find_client(connection, COMPANY_TYPE, eq("Email", params.email))
    return company_to_canonical(row, connection.name) if row else None


@kit.action("company.find_by_name")
async def company_find_by_name(connection: Connection, params: ByName) -> Company | None:
    """The company named ``params.name``, or ``None``."""
    row = await _find_client(connection, COMPANY_TYPE, eq("Name", params.name))
    return company_to_canonical(row, connection.name) if row else None


async def _get_company(connection: Connection, company_id: Any) -> Company:
    row = await fetch_by_id(connection.client, "Contacts", company_id, expand=CLIENT_EXPAND,
                            condition=eq("TypeId", COMPANY_TYPE), what="company")
    return company_to_canonical(row, connection.name)


@kit.action("company.get")
async def company_get(connection: Connection, params: ById) -> Company:
    """The company with Ploomes id ``params.id``."""
    return await _get_company(connection, params.id)


@kit.action("company.create")
async def company_create(connection: Connection, params: Company) -> Company:
    """Create a company, with its marker in the connection's ``contact_marker_field``
    when it has one; read back, or built from the create's answer when that read fails."""
    if not params.name:
        raise PermanentFailure("company.name is required to create a Ploomes company")
    payload = with_marker(company_from_canonical(params, connection.name),
                          _marker_field(connection), params)
    created = await create(connection.client, "/Contacts", payload)
    return await read_back(lambda: _get_company(connection, created["Id"]),
                           lambda: company_to_canonical({**payload, **created}, connection.name))


@kit.action("company.find_created")
async def company_find_created(connection: Connection, params: Company) -> Company | None:
    """The company created from this draft: the one whose ``contact_marker_field`` holds
    the draft's marker, or ``None``. A connection without that field cannot look
    (``CapabilityError``)."""
    row = await find_marked(connection, "/Contacts", _marker_field(connection),
                            "contact_marker_field", params, eq("TypeId", COMPANY_TYPE),
                            expand=CLIENT_EXPAND)
    return company_to_canonical(row, connection.name) if row else None
