"""Bigin contacts: find by e-mail or phone, get, create, update.

Bigin's ``email`` and ``phone`` searches look through every e-mail and phone field; the
matches are compared again here (e-mails without case, phones in E.164), as how Bigin
compares phone spellings is not documented.
"""

from __future__ import annotations

from pontes.plugin import (
    ByEmail,
    ById,
    ByPhone,
    Connection,
    Contact,
    UpdateContact,
    first_with_email,
    first_with_phone,
)

from ..connector import kit
from ..mappers import contact_from_canonical, contact_to_canonical
from ..modules import CONTACTS
from .markers import find_marked, with_marker
from .records import get_one, insert_one, read_back, search, update_one


@kit.action("contact.find_by_email")
async def contact_find_by_email(connection: Connection, params: ByEmail) -> Contact | None:
    """The first contact with this e-mail (``GET /Contacts/search?email=``)."""
    rows = await search(connection, CONTACTS, email=params.email)
    return first_with_email((contact_to_canonical(row, connection.name) for row in rows),
                            params.email)


@kit.action("contact.find_by_phone")
async def contact_find_by_phone(connection: Connection, params: ByPhone) -> Contact | None:
    """The first contact with this phone, however Bigin has it written
    (``GET /Contacts/search?phone=``)."""
    rows = await search(connection, CONTACTS, phone=params.phone)
    return first_with_phone((contact_to_canonical(row, connection.name) for row in rows),
                            params.phone)


@kit.action("contact.get")
async def contact_get(connection: Connection, params: ById) -> Contact:
    """One contact."""
    return contact_to_canonical(await get_one(connection, CONTACTS, params.id), connection.name)


@kit.action("contact.create")
async def contact_create(connection: Connection, params: Contact) -> Contact:
    """Create a contact (linked to its account when the company has a Bigin id), with its
    marker in ``Description``; Bigin needs a last name, taken from the last word of
    ``name`` when none is given."""
    payload = contact_from_canonical(params, connection.name)
    payload.pop("id", None)
    if not payload.get("Last_Name"):
        raise ValueError("a Bigin contact needs a last name (give name or last_name)")
    payload = with_marker(payload, params)
    contact_id = await insert_one(connection, CONTACTS, payload)
    return await read_back(connection, CONTACTS, contact_id, payload, contact_to_canonical)


@kit.action("contact.update")
async def contact_update(connection: Connection, params: UpdateContact) -> Contact:
    """Write the fields set in ``changes`` (``PUT /Contacts/<id>``); Bigin keeps the
    others."""
    payload = contact_from_canonical(params.changes, connection.name)
    contact_id = await update_one(connection, CONTACTS, params.id, payload)
    return await read_back(connection, CONTACTS, contact_id, payload, contact_to_canonical)


@kit.action("contact.find_created")
async def contact_find_created(connection: Connection, params: Contact) -> Contact | None:
    """The contact created from this draft, by the marker in its ``Description``."""
    return await find_marked(connection, CONTACTS, params, contact_to_canonical)
