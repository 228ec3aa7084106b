"""amoCRM contacts: find (the first, or every one) by e-mail or phone, get, create, update.

amoCRM's ``query`` searches every filled field, and how it compares phones is not
documented, so a phone is searched by its last digits and the matches are then compared
in E.164; an e-mail is searched as typed and compared without case.
"""

from __future__ import annotations

from pontes.plugin import (
    ByEmail,
    ById,
    ByPhone,
    Connection,
    Contact,
    UpdateContact,
    normalize_email,
    normalize_phone,
)

from ..client import API_PREFIX
from ..connector import kit
from ..ids import amocrm_id
from ..mappers import contact_from_canonical, contact_to_canonical
from .markers import find_marked, with_marker
from .records import create_one, get_one, read_back, search

PHONE_DIGITS_SEARCHED = 10
"""How many trailing digits of a phone go into ``query`` (enough to be specific, short
enough to skip country-code and trunk-prefix spellings)."""


async def contacts_matching(connection: Connection, query: str) -> list[Contact]:
    """The contacts whose filled fields match ``query``, as canonical contacts."""
    rows = await search(connection, "contacts", query, with_="leads")
    return [contact_to_canonical(row, connection.name) for row in rows]


@kit.action("contact.list_by_email")
async def contact_list_by_email(connection: Connection, params: ByEmail) -> list[Contact]:
    """Every contact with this e-mail, compared without case."""
    wanted = normalize_email(params.email)
    return [contact for contact in await contacts_matching(connection, params.email)
            if wanted in contact.emails]


@kit.action("contact.list_by_phone")
async def contact_list_by_phone(connection: Connection, params: ByPhone) -> list[Contact]:
    """Every contact with this phone, however amoCRM has it written."""
    digits = "".join(ch for ch in params.phone if ch.isdigit())
    return [contact for contact in await contacts_matching(
                connection, digits[-PHONE_DIGITS_SEARCHED:])
            if any(normalize_phone(phone) == params.phone for phone in contact.phones)]


@kit.action("contact.find_by_email")
async def contact_find_by_email(connection: Connection, params: ByEmail) -> Contact | None:
    """The first contact with this e-mail, compared without case."""
    found = await contact_list_by_email(connection, params)
    return found[0] if found else None


@kit.action("contact.find_by_phone")
async def contact_find_by_phone(connection: Connection, params: ByPhone) -> Contact | None:
    """The first contact with this phone, however amoCRM has it written."""
    found = await contact_list_by_phone(connection, params)
    return found[0] if found else None


@kit.action("contact.get")
async def contact_get(connection: Connection, params: ById) -> Contact:
    """One contact, with its leads' ids (``with=leads``)."""
    return contact_to_canonical(await get_one(connection, "contacts", params.id, with_="leads"),
                                connection.name)


@kit.action("contact.create")
async def contact_create(connection: Connection, params: Contact) -> Contact:
    """Create a contact (linked to its company when the company has an amoCRM id), with
    its marker in ``contact_marker_field`` when one is set."""
    payload = contact_from_canonical(params, connection.name)
    payload.pop("id", None)
    payload = with_marker(connection, "contacts", payload, params)
    contact_id = await create_one(connection, "contacts", payload)
    return await read_back(connection, "contacts", contact_id, payload, contact_to_canonical)


@kit.action("contact.update")
async def contact_update(connection: Connection, params: UpdateContact) -> Contact:
    """Write the fields set in ``changes`` (``PATCH /api/v4/contacts/<id>``): amoCRM keeps
    what a PATCH leaves out, so it is safe to send again. amoCRM keeps the whole name and
    its parts apart, so a name change writes all three (``changes_with_whole_names``)."""
    contact_id = amocrm_id(params.id, "id")
    payload = contact_from_canonical(await params.changes_with_whole_names(connection),
                                     connection.name)
    payload.pop("id", None)
    await connection.client.patch_json(f"{API_PREFIX}/contacts/{contact_id}", json=payload,
                                       retry_safe=True)
    return await read_back(connection, "contacts", contact_id, payload, contact_to_canonical)


@kit.action("contact.find_created")
async def contact_find_created(connection: Connection, params: Contact) -> Contact | None:
    """The contact created from this draft, by the marker in ``contact_marker_field``."""
    return await find_marked(connection, "contacts", params, contact_to_canonical)
