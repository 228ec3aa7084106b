"""Usedesk clients as canonical contacts: get, find by e-mail or phone, create, update.

Usedesk searches clients with ``/clients`` (``query``: a name, e-mail or phone) and
answers short items; every contact returned here is read again with ``/client``, whole.
A client has no company of its own at the API (``/create/ticket``'s ``company_name`` is
the only way to link one), so a contact's company is not written.
"""

from __future__ import annotations

import re
from typing import Any

from pontes.plugin import (
    ByEmail,
    ById,
    ByPhone,
    Connection,
    Contact,
    PermanentFailure,
    UpdateContact,
)

from ..client import CREATE_CLIENT, UPDATE_CLIENT, call, get_client, search_clients
from ..connector import kit
from ..mappers import client_from_canonical, client_to_canonical
from ..mappers.clients import client_emails, client_phones
from ..values import id_text

PHONE_DIGITS_SEARCHED = 10
"""How many trailing digits of a phone number are searched for: the national number,
without the country code or trunk prefix people write differently (+7 999..., 8 999...)."""


def region_of(connection: Connection) -> str:
    """The region phone numbers without a country code are read in."""
    return connection.settings.phone_region  # type: ignore[attr-defined]


async def read_client(connection: Connection, client_id: Any) -> Contact:
    """The client ``client_id`` as a canonical contact (``NotFoundError`` if none)."""
    raw = await get_client(connection, client_id)
    return client_to_canonical(raw, connection.name, region=region_of(connection))


async def find_by_email(connection: Connection, email: str) -> Contact | None:
    """The first client with the e-mail address ``email`` (letter case aside)."""
    wanted = email.strip().lower()
    for item in await search_clients(connection, wanted, exact=True):
        if wanted in (e.lower() for e in client_emails(item)) and id_text(item.get("id")):
            return await read_client(connection, item["id"])
    return None


async def find_by_phone(connection: Connection, number: str) -> Contact | None:
    """The first client with the phone ``number`` (E.164), however it was typed."""
    region = region_of(connection)
    digits = re.sub(r"\D", "", number)[-PHONE_DIGITS_SEARCHED:]
    if not digits:
        return None
    for item in await search_clients(connection, digits, exact=False):
        if id_text(item.get("id")) and number in client_phones(item, region):
            return await read_client(connection, item["id"])
    return None


@kit.action("contact.get")
async def contact_get(connection: Connection, params: ById) -> Contact:
    """The client with Usedesk id ``params.id``."""
    return await read_client(connection, params.id)


@kit.action("contact.find_by_email")
async def contact_find_by_email(connection: Connection, params: ByEmail) -> Contact | None:
    """The client with this e-mail address, or ``None``."""
    return await find_by_email(connection, params.email)


@kit.action("contact.find_by_phone")
async def contact_find_by_phone(connection: Connection, params: ByPhone) -> Contact | None:
    """The client with this phone number, or ``None``."""
    return await find_by_phone(connection, params.phone)


@kit.action("contact.create")
async def contact_create(connection: Connection, params: Contact) -> Contact:
    """A new client with the contact's name, e-mails, first phone and first address."""
    body = client_from_canonical(params.model_copy(update={"refs": {}}), connection.name)
    answer = await call(connection, CREATE_CLIENT, body)
    client_id = id_text(answer.get("client_id")) if isinstance(answer, dict) else None
    if client_id is None:
        raise PermanentFailure(f"Usedesk answered /create/client without a client_id "
                               f"({answer!r}); look for the client before creating it again")
    return await read_client(connection, client_id)


@kit.action("contact.find_created")
async def contact_find_created(connection: Connection, params: Contact) -> Contact | None:
    """The client created from this draft: Usedesk knows a client by its e-mail and
    phone, so the client with the draft's first e-mail, or else its first phone."""
    if params.emails:
        return await find_by_email(connection, params.emails[0])
    if params.phones:
        return await find_by_phone(connection, params.phones[0])
    return None


@kit.action("contact.update")
async def contact_update(connection: Connection, params: UpdateContact) -> Contact:
    """Write the fields set in ``changes`` (name, e-mails, a phone, an address) to the
    client ``params.id``. Usedesk keeps one whole name: a first or last name changed alone
    is joined with the client's other part (``changes_with_whole_names``)."""
    changes = await params.changes_with_whole_names(connection)
    body = client_from_canonical(changes.model_copy(update={"refs": {}}), connection.name)
    await call(connection, UPDATE_CLIENT, {**body, "client_id": params.id})
    return await read_client(connection, params.id)
