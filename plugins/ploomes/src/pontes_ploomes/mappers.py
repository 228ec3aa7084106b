"""Ploomes records <-> canonical records.

Ploomes keeps persons and companies in one ``Contacts`` resource (``TypeId`` 1 company,
2 person). A deal's client is ``ContactId`` (a company, or a person dealing alone) plus
``PersonId`` (the person at that company); ``OwnerId`` is its responsible user and
``CollaboratingUsers`` (``[{"UserId": n}]``) its collaborators. Every canonical record
keeps the Ploomes id in ``refs[connection_name]``, the payload in ``remote_data`` and
``LastUpdateDate`` in ``remote_updated_at``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pontes.plugin import (
    Address,
    Company,
    Contact,
    Deal,
    DealStatus,
    Interaction,
    UserRef,
    html_to_text,
    text_to_html,
)

from .client import record_id
from .connector import kit
from .custom_fields import json_value, read_custom, value_columns, write_custom
from .dates import format_time, parse_date, parse_time

COMPANY_TYPE = 1
PERSON_TYPE = 2

DEAL_STATUSES = {1: DealStatus.open, 2: DealStatus.won, 3: DealStatus.lost}
DEAL_STATUS_IDS = {status: number for number, status in DEAL_STATUSES.items()}


_ADDRESS_FIELDS = {
    "street": "StreetAddress", "number": "StreetAddressNumber",
    "complement": "StreetAddressLine2", "district": "Neighborhood", "postal_code": "ZipCode",
}
ADDRESS_COLUMNS = tuple(_ADDRESS_FIELDS.values())
"""The ``Contacts`` columns an address is written to."""


def _text_id(value: Any) -> str | None:
    return None if value in (None, "", 0) else str(value)


def _envelope(raw: dict[str, Any], connection_name: str) -> dict[str, Any]:
    return {
        "refs": {connection_name: raw.get("Id")},
        "remote_data": raw,
        "remote_updated_at": parse_time(raw.get("LastUpdateDate")),
        "custom": read_custom(raw.get("OtherProperties")),
    }


def _phones(raw: dict[str, Any]) -> list[str]:
    return [p["PhoneNumber"] for p in raw.get("Phones") or []
            if isinstance(p, dict) and p.get("PhoneNumber")]


def _emails(raw: dict[str, Any]) -> list[str]:
    return [raw["Email"]] if raw.get("Email") else []


def _addresses(raw: dict[str, Any]) -> list[Address]:
    parts = {name: raw.get(field) for name, field in _ADDRESS_FIELDS.items()
             if raw.get(field) not in (None, "")}
    return [Address(**{k: str(v) for k, v in parts.items()})] if parts else []


def _user(user_id: Any, expanded: Any = None) -> UserRef | None:
    if not _text_id(user_id):
        return None
    details = expanded if isinstance(expanded, dict) else {}
    return UserRef(remote_id=str(user_id), name=details.get("Name"), email=details.get("Email"))


# --- persons and companies --------------------------------------------------------------


def contact_to_canonical(raw: dict[str, Any], connection_name: str) -> Contact:
    """A Ploomes person (a ``Contacts`` row of ``TypeId`` 2) as a canonical Contact."""
    company = raw.get("Company")
    return Contact(
        **_envelope(raw, connection_name),
        name=raw.get("Name"),
        emails=_emails(raw),
        phones=_phones(raw),
        tax_id=raw.get("CPF") or None,
        company=(company_to_canonical(company, connection_name) if isinstance(company, dict)
                 else Company(refs={connection_name: raw["CompanyId"]}) if raw.get("CompanyId")
                 else None),
        owner=_user(raw.get("OwnerId"), raw.get("Owner")),
        addresses=_addresses(raw),
    )


def company_to_canonical(raw: dict[str, Any], connection_name: str) -> Company:
    """A Ploomes company (a ``Contacts`` row of ``TypeId`` 1) as a canonical Company."""
    return Company(
        **_envelope(raw, connection_name),
        name=raw.get("Name"),
        legal_name=raw.get("LegalName") or None,
        tax_id=raw.get("CNPJ") or None,
        emails=_emails(raw),
        phones=_phones(raw),
        website=raw.get("Website") or None,
        addresses=_addresses(raw),
    )


def client_to_canonical(raw: dict[str, Any], connection_name: str) -> Contact | Company:
    """A ``Contacts`` row as a Company or a Contact, by its ``TypeId``."""
    if raw.get("TypeId") == COMPANY_TYPE:
        return company_to_canonical(raw, connection_name)
    return contact_to_canonical(raw, connection_name)


def _client_fields(record: Contact | Company, connection_name: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "Email": record.emails[0] if record.emails else None,
        "Phones": [{"PhoneNumber": phone} for phone in record.phones] or None,
    }
    for address in record.addresses[:1]:
        for name, field in _ADDRESS_FIELDS.items():
            payload[field] = getattr(address, name)
    if record.custom:
        columns = value_columns((record.remote_data or {}).get("OtherProperties"))
        payload["OtherProperties"] = write_custom(record.custom, columns)
    return payload


def _without_empty(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if v is not None}


def contact_from_canonical(record: Contact, connection_name: str) -> dict[str, Any]:
    """The ``Contacts`` payload of a person (only the fields that are set)."""
    company_id = record.company.ref(connection_name) if record.company else None
    return _without_empty({
        "TypeId": PERSON_TYPE,
        "Name": record.display_name(),
        "CPF": record.tax_id,
        "CompanyId": record_id(company_id, "contact.company") if company_id else None,
        "OwnerId": (record_id(record.owner.remote_id, "contact.owner")
                    if record.owner and record.owner.remote_id else None),
        **_client_fields(record, connection_name),
    })


def company_from_canonical(record: Company, connection_name: str) -> dict[str, Any]:
    """The ``Contacts`` payload of a company (only the fields that are set)."""
    return _without_empty({
        "TypeId": COMPANY_TYPE,
        "Name": record.name,
        "LegalName": record.legal_name,
        "CNPJ": record.tax_id,
        "Website": record.website,
        **_client_fields(record, connection_name),
    })


# --- deals ------------------------------------------------------------------------------


def _deal_client(raw: dict[str, Any],
                 connection_name: str) -> tuple[Contact | None, Company | None]:
    contact: Contact | None = None
    company: Company | None = None
    client = raw.get("Contact") if isinstance(raw.get("Contact"), dict) else None
    if raw.get("ContactId"):
        if client:
            found = client_to_canonical(client, connection_name)
            contact, company = (found, None) if isinstance(found, Contact) else (None, found)
        else:
            company = Company(refs={connection_name: raw["ContactId"]}, name=raw.get("ContactName"))
    if raw.get("PersonId") and contact is None:
        person = raw.get("Person")
        contact = (contact_to_canonical(person, connection_name) if isinstance(person, dict)
                   else Contact(refs={connection_name: raw["PersonId"]},
                                name=raw.get("PersonName")))
    return contact, company


def deal_to_canonical(raw: dict[str, Any], connection_name: str) -> Deal:
    """A Ploomes deal as a canonical Deal.

    Without an expanded ``Contact`` the client (``ContactId``) is read as a company, as
    Ploomes fills it when the deal also names a person.
    """
    contact, company = _deal_client(raw, connection_name)
    amount = raw.get("Amount")
    return Deal(
        **_envelope(raw, connection_name),
        title=raw.get("Title"),
        amount=Decimal(str(amount)) if amount is not None else None,
        pipeline=_text_id(raw.get("PipelineId")),
        stage=_text_id(raw.get("StageId")),
        status=DEAL_STATUSES.get(raw.get("StatusId"), DealStatus.open),
        owner=_user(raw.get("OwnerId"), raw.get("Owner")),
        collaborators=[u for u in (_user(c.get("UserId"))
                                   for c in raw.get("CollaboratingUsers") or []
                                   if isinstance(c, dict)) if u],
        contact=contact,
        company=company,
        close_date=parse_date(raw.get("FinishDate")),
    )


def deal_from_canonical(record: Deal, connection_name: str) -> dict[str, Any]:
    """The ``Deals`` payload of a deal (only the fields that are set).

    ``StatusId`` is never written: Ploomes changes it through ``/Win``, ``/Lose`` and
    ``/Reopen``, which the deal actions call.
    """
    company_id = record.company.ref(connection_name) if record.company else None
    person_id = record.contact.ref(connection_name) if record.contact else None
    client_id, person_id = (company_id, person_id) if company_id else (person_id, None)
    payload: dict[str, Any] = {
        "Title": record.title,
        "Amount": json_value(record.amount) if record.amount is not None else None,
        "PipelineId": record_id(record.pipeline, "deal.pipeline") if record.pipeline else None,
        "StageId": record_id(record.stage, "deal.stage") if record.stage else None,
        "ContactId": record_id(client_id, "deal.company") if client_id else None,
        "PersonId": record_id(person_id, "deal.contact") if person_id else None,
        "OwnerId": (record_id(record.owner.remote_id, "deal.owner")
                    if record.owner and record.owner.remote_id else None),
        "CollaboratingUsers": [
            {"UserId": record_id(u.remote_id, "deal.collaborators")}
            for u in record.collaborators if u.remote_id] or None,
    }
    if record.custom:
        columns = value_columns((record.remote_data or {}).get("OtherProperties"))
        payload["OtherProperties"] = write_custom(record.custom, columns)
    return _without_empty(payload)


# --- interaction records ----------------------------------------------------------------


def interaction_to_canonical(raw: dict[str, Any], connection_name: str) -> Interaction:
    """A Ploomes interaction record as a canonical Interaction (``Content`` is HTML)."""
    client = raw.get("Contact")
    contact: Contact | None = None
    company: Company | None = None
    if isinstance(client, dict):
        found = client_to_canonical(client, connection_name)
        contact, company = (found, None) if isinstance(found, Contact) else (None, found)
    elif raw.get("ContactId"):
        contact = Contact(refs={connection_name: raw["ContactId"]})
    content = raw.get("Content")
    return Interaction(
        **_envelope(raw, connection_name),
        content_html=content,
        content_text=html_to_text(content) if content else None,
        occurred_at=parse_time(raw.get("Date")),
        contact=contact,
        company=company,
        deal=Deal(refs={connection_name: raw["DealId"]}) if raw.get("DealId") else None,
    )


def interaction_content(record: Interaction) -> str | None:
    """The HTML written as ``Content``: the subject as a heading, then the body."""
    body = record.content_html or (text_to_html(record.content_text)
                                   if record.content_text else None)
    if not record.subject:
        return body
    heading = f"<p><strong>{text_to_html(record.subject)}</strong></p>"
    return heading + (body or "")


def interaction_from_canonical(record: Interaction, connection_name: str) -> dict[str, Any]:
    """The ``InteractionRecords`` payload (the client is the contact, else the company)."""
    client_id = ((record.contact.ref(connection_name) if record.contact else None)
                 or (record.company.ref(connection_name) if record.company else None))
    deal_id = record.deal.ref(connection_name) if record.deal else None
    payload: dict[str, Any] = {
        "ContactId": record_id(client_id, "interaction.contact") if client_id else None,
        "DealId": record_id(deal_id, "interaction.deal") if deal_id else None,
        "Date": format_time(record.occurred_at) if record.occurred_at else None,
        "Content": interaction_content(record),
    }
    if record.custom:
        columns = value_columns((record.remote_data or {}).get("OtherProperties"))
        payload["OtherProperties"] = write_custom(record.custom, columns)
    return _without_empty(payload)


kit.mapper("contact", Contact, to_canonical=contact_to_canonical,
           from_canonical=contact_from_canonical)
kit.mapper("company", Company, to_canonical=company_to_canonical,
           from_canonical=company_from_canonical)
kit.mapper("deal", Deal, to_canonical=deal_to_canonical, from_canonical=deal_from_canonical)
kit.mapper("interaction", Interaction, to_canonical=interaction_to_canonical,
           from_canonical=interaction_from_canonical)
