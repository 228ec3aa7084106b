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
from .kinds import Kind

CONTACT_RECORDS = Kind(CONTACTS, contact_to_canonical, contact_from_canonical, required="Last_Name",
              missing="a Bigin contact needs a last name (give name or last_name)")
"""Contacts as canonical contacts."""


@kit.action("contact.find_by_email")
async def contact_find_by_email(connection: Connection, params: ByEmail) -> Contact | None:
    """The first contact with this e-mail (``GET /Contacts/search?email=``)."""
    return first_with_email(await CONTACT_RECORDS.search(connection, email=params.email), params.email)


@kit.action("contact.find_by_phone")
async def contact_find_by_phone(connection: Connection, params: ByPhone) -> Contact | None:
    """The first contact with this phone, however Bigin has it written
    (``GET /Contacts/search?phone=``)."""
    return first_with_phone(await CONTACT_RECORDS.search(connection, phone=params.phone), params.phone)


@kit.action("contact.get")
async def contact_get(connection: Connection, params: ById) -> Contact:
    """One contact."""
    return await CONTACT_RECORDS.get(connection, params.id)


@kit.action("contact.create")
async def contact_create(connection: Connection, params: Contact) -> Contact:
    """Create a contact (linked to its account when the company has a Bigin id), with its
    marker in ``Description``; Bigin needs a last name, taken from the last word of
    ``name`` when none is given."""
    return await CONTACT_RECORDS.create(connection, params)


@kit.action("contact.update")
async def contact_update(connection: Connection, params: UpdateContact) -> Contact:
    """Write the fields set in ``changes`` (``PUT /Contacts/<id>``); Bigin keeps the
    others."""
    return await CONTACT_RECORDS.update(connection, params.id, params.changes)


@kit.action("contact.find_created")
async def contact_find_created(connection: Connection, params: Contact) -> Contact | None:
    """The contact created from this draft, by the marker in its ``Description``."""
    return await CONTACT_RECORDS.find_created(connection, params)
