"""Zoho Desk contacts and accounts (companies): find by e-mail, phone or name, get, create,
update, and find the one a draft created.

Searches go through ``/contacts/search`` and ``/accounts/search`` with the field to match
(``email``, ``phone``, ``accountName``); Zoho Desk's match is loose (phones by their
digits), so every result is compared again here, e-mails and phones canonically. A record
created through pontes carries the draft's marker in its ``description``, where
``<entity>.find_created`` looks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pontes.plugin import (
    ByEmail,
    ById,
    ByName,
    ByPhone,
    Company,
    Connection,
    Contact,
    UpdateCompany,
    UpdateContact,
    first_named,
    first_with_email,
    first_with_phone,
    has_marker,
    marker_token,
    normalize_email,
    normalize_phone,
)

from ..client import desk_get, desk_patch, desk_post, fetch_all
from ..connector import kit
from ..ids import desk_id
from ..mappers.people import (
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
)

MOST_MATCHES = 100
"""How many search results are compared at most."""
MAX_SEARCH_TEXT = 250
"""The longest term sent to a search (a longer one would not fit a URL)."""


def _term(value: str, what: str) -> str:
    if len(value) > MAX_SEARCH_TEXT:
        raise ValueError(f"{what}: at most {MAX_SEARCH_TEXT} characters")
    return value


async def search(connection: Connection, kind: str, **params: str) -> list[dict[str, Any]]:
    """The contacts or accounts (``kind``) Zoho Desk's search finds for ``params``."""
    return await fetch_all(connection, f"/{kind}/search", params=params, most=MOST_MATCHES)


def _with_marker(body: dict[str, Any], record: Contact | Company) -> dict[str, Any]:
    description = body.get("description")
    token = marker_token(record)
    return {**body, "description": f"{description}\n{token}" if description else token}


# --- contacts ------------------------------------------------------------------------------


async def find_contact_by_email(connection: Connection, email: str) -> Contact | None:
    """The first contact whose e-mail or second e-mail is ``email``."""
    found = await search(connection, "contacts", email=_term(normalize_email(email), "email"))
    return first_with_email((contact_to_canonical(raw, connection.name) for raw in found), email)


@kit.action("contact.find_by_email")
async def contact_find_by_email(connection: Connection, params: ByEmail) -> Contact | None:
    """The contact with this e-mail (first or second), or ``None``."""
    return await find_contact_by_email(connection, params.email)


@kit.action("contact.find_by_phone")
async def contact_find_by_phone(connection: Connection, params: ByPhone) -> Contact | None:
    """The contact with this phone or mobile (compared in E.164), or ``None``."""
    wanted = normalize_phone(params.phone)
    digits = "".join(ch for ch in wanted if ch.isdigit())
    found = await search(connection, "contacts", phone=_term(digits, "phone"))
    return first_with_phone((contact_to_canonical(raw, connection.name) for raw in found), wanted)


@kit.action("contact.get")
async def contact_get(connection: Connection, params: ById) -> Contact:
    """The contact with Zoho Desk id ``params.id``."""
    raw = await desk_get(connection, f"/contacts/{desk_id(params.id)}")
    return contact_to_canonical(raw, connection.name)


@kit.action("contact.create")
async def contact_create(connection: Connection, params: Contact) -> Contact:
    """Create a contact (in its company's account when the company has an id here), the
    draft's marker in its description."""
    body = _with_marker(contact_from_canonical(params, connection.name), params)
    raw = await desk_post(connection, "/contacts", body)
    return contact_to_canonical(raw, connection.name)


@kit.action("contact.find_created")
async def contact_find_created(connection: Connection, params: Contact) -> Contact | None:
    """The contact created from this draft: one with its e-mail (or name) whose
    description carries the draft's marker."""
    if params.emails:
        found = await search(connection, "contacts", email=_term(params.emails[0], "email"))
    elif params.display_name():
        found = await search(connection, "contacts",
                             _all=_term(params.display_name() or "", "name"))
    else:
        return None
    for raw in found:
        if has_marker(str(raw.get("description") or ""), params):
            return contact_to_canonical(raw, connection.name)
    return None


@kit.action("contact.update")
async def contact_update(connection: Connection, params: UpdateContact) -> Contact:
    """Write the fields set in ``changes`` (others keep their values)."""
    body = contact_from_canonical(params.changes, connection.name)
    if not (params.changes.last_name or params.changes.name):
        body.pop("lastName", None)
        body.pop("firstName", None)
        if params.changes.first_name:
            body["firstName"] = params.changes.first_name
    raw = await desk_patch(connection, f"/contacts/{desk_id(params.id)}", body)
    return contact_to_canonical(raw, connection.name)


# --- accounts ------------------------------------------------------------------------------


async def _accounts(connection: Connection, field: str, value: str) -> Iterator[Company]:
    """The accounts Zoho Desk's search finds with ``field`` like ``value``, mapped one by
    one as they are read."""
    found = await search(connection, "accounts", **{field: _term(value, field)})
    return (company_to_canonical(raw, connection.name) for raw in found)


@kit.action("company.find_by_email")
async def company_find_by_email(connection: Connection, params: ByEmail) -> Company | None:
    """The account with this e-mail, or ``None``."""
    return first_with_email(await _accounts(connection, "email", params.email), params.email)


@kit.action("company.find_by_phone")
async def company_find_by_phone(connection: Connection, params: ByPhone) -> Company | None:
    """The account with this phone (compared in E.164), or ``None``."""
    wanted = normalize_phone(params.phone)
    digits = "".join(ch for ch in wanted if ch.isdigit())
    return first_with_phone(await _accounts(connection, "phone", digits), wanted)


@kit.action("company.find_by_name")
async def company_find_by_name(connection: Connection, params: ByName) -> Company | None:
    """The account with exactly this name (letter case ignored), or ``None``."""
    return first_named(await _accounts(connection, "accountName", params.name.strip()),
                       params.name)


@kit.action("company.get")
async def company_get(connection: Connection, params: ById) -> Company:
    """The account with Zoho Desk id ``params.id``."""
    raw = await desk_get(connection, f"/accounts/{desk_id(params.id)}")
    return company_to_canonical(raw, connection.name)


@kit.action("company.create")
async def company_create(connection: Connection, params: Company) -> Company:
    """Create an account, the draft's marker in its description."""
    body = _with_marker(company_from_canonical(params, connection.name), params)
    raw = await desk_post(connection, "/accounts", body)
    return company_to_canonical(raw, connection.name)


@kit.action("company.find_created")
async def company_find_created(connection: Connection, params: Company) -> Company | None:
    """The account created from this draft: one with its name whose description carries
    the draft's marker."""
    name = params.name or params.legal_name
    if not name:
        return None
    for raw in await search(connection, "accounts", accountName=_term(name, "name")):
        if has_marker(str(raw.get("description") or ""), params):
            return company_to_canonical(raw, connection.name)
    return None


@kit.action("company.update")
async def company_update(connection: Connection, params: UpdateCompany) -> Company:
    """Write the fields set in ``changes`` (others keep their values)."""
    raw = await desk_patch(connection, f"/accounts/{desk_id(params.id)}",
                           company_from_canonical(params.changes, connection.name))
    return company_to_canonical(raw, connection.name)

