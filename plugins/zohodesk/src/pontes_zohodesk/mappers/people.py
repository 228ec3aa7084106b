"""Zoho Desk contacts and accounts <-> canonical contacts and companies.

A contact is ``{id, firstName, lastName (required), email, secondaryEmail, phone, mobile,
accountId, account: {id, accountName, website}, street, city, state, zip, country, cf,
modifiedTime...}``; an account ``{id, accountName (required), email, phone, website,
street, city, state, zip, country, cf, modifiedTime...}``. Custom fields go to ``custom``
keyed by their API name (``cf_plan``), and back.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    Address,
    Company,
    Contact,
    UserRef,
    join_name,
    parse_vendor_datetime,
    split_name,
)

ADDRESS_KEYS = {"street": "street", "city": "city", "state": "state", "postal_code": "zip",
                "country": "country"}


def text(value: Any) -> str | None:
    """A non-empty string, trimmed, or ``None``."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def moment(value: Any):
    """A Zoho Desk time (``2025-03-04T09:15:00.000Z``) as an aware datetime, or ``None``."""
    return parse_vendor_datetime(value) if text(value) else None


def _present(*values: Any) -> list[str]:
    return list(dict.fromkeys(v for v in (text(value) for value in values) if v))


def _address(raw: dict[str, Any]) -> list[Address]:
    values = {key: text(raw.get(vendor)) for key, vendor in ADDRESS_KEYS.items()}
    return [Address(**values)] if any(values.values()) else []


def _address_fields(addresses: list[Address]) -> dict[str, Any]:
    if not addresses:
        return {}
    first = addresses[0]
    return {vendor: getattr(first, key) for key, vendor in ADDRESS_KEYS.items()}


def _custom(raw: dict[str, Any]) -> dict[str, Any]:
    cf = raw.get("cf")
    return dict(cf) if isinstance(cf, dict) else {}


def _cf(record: Contact | Company) -> dict[str, Any]:
    return {key: value for key, value in record.custom.items() if key.startswith("cf_")}


def company_to_canonical(raw: dict[str, Any], connection_name: str) -> Company:
    """The canonical company of a Zoho Desk account (or of the ``account`` a contact or
    ticket carries), kept whole in ``remote_data``."""
    account_id = text(raw.get("id"))
    return Company(
        refs={connection_name: account_id} if account_id else {},
        name=text(raw.get("accountName")),
        emails=_present(raw.get("email")),
        phones=_present(raw.get("phone")),
        website=text(raw.get("website")),
        addresses=_address(raw),
        custom=_custom(raw),
        remote_data=raw,
        remote_updated_at=moment(raw.get("modifiedTime")),
    )


def company_from_canonical(record: Company, connection_name: str) -> dict[str, Any]:
    """The body of ``POST``/``PATCH /accounts`` for a canonical company; fields it leaves
    empty are left out."""
    body = {"accountName": record.name or record.legal_name,
            "email": record.emails[0] if record.emails else None,
            "phone": record.phones[0] if record.phones else None,
            "website": record.website, **_address_fields(record.addresses),
            "cf": _cf(record) or None}
    return {key: value for key, value in body.items() if value not in (None, "")}


def contact_to_canonical(raw: dict[str, Any], connection_name: str) -> Contact:
    """The canonical contact of a Zoho Desk contact (or of a ticket's ``contact``), kept
    whole in ``remote_data``."""
    contact_id = text(raw.get("id"))
    first, last = text(raw.get("firstName")), text(raw.get("lastName"))
    account = raw.get("account")
    company = None
    if isinstance(account, dict) and text(account.get("id")):
        company = company_to_canonical(account, connection_name)
    elif text(raw.get("accountId")):
        company = Company(refs={connection_name: str(raw["accountId"])})
    owner = text(raw.get("ownerId"))
    return Contact(
        refs={connection_name: contact_id} if contact_id else {},
        name=join_name(first, last),
        first_name=first,
        last_name=last,
        emails=_present(raw.get("email"), raw.get("secondaryEmail")),
        phones=_present(raw.get("phone"), raw.get("mobile")),
        company=company,
        owner=UserRef(remote_id=owner) if owner else None,
        addresses=_address(raw),
        custom=_custom(raw),
        remote_data=raw,
        remote_updated_at=moment(raw.get("modifiedTime")),
    )


def names_of(record: Contact) -> tuple[str | None, str]:
    """A contact's first and last name as Zoho Desk needs them: ``lastName`` is required,
    so a contact with one name, or only an e-mail, gets that as its last name."""
    if record.last_name:
        return record.first_name, record.last_name
    first, last = split_name(record.display_name())
    if last:
        return first, last
    return None, record.emails[0].split("@")[0] if record.emails else "Unknown"


def contact_from_canonical(record: Contact, connection_name: str) -> dict[str, Any]:
    """The body of ``POST``/``PATCH /contacts`` for a canonical contact: names, two
    e-mails, two phones, the account when the company has an id here, the first address
    and the ``cf_`` custom fields; fields it leaves empty are left out."""
    first, last = names_of(record)
    company_id = record.company.ref(connection_name) if record.company else None
    body = {"firstName": first, "lastName": last,
            "email": record.emails[0] if record.emails else None,
            "secondaryEmail": record.emails[1] if len(record.emails) > 1 else None,
            "phone": record.phones[0] if record.phones else None,
            "mobile": record.phones[1] if len(record.phones) > 1 else None,
            "accountId": company_id, **_address_fields(record.addresses),
            "cf": _cf(record) or None}
    return {key: value for key, value in body.items() if value not in (None, "")}
