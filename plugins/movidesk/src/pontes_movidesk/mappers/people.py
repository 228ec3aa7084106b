"""Movidesk persons <-> canonical Contact and Company.

A Movidesk person is one record type for people (``personType`` 1), companies (2) and
departments (4); its ``id`` is the "Cód. Ref.", text chosen by the account or by
Movidesk. People map to ``Contact``, companies and departments to ``Company``.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Address, Company, Contact

from ..custom_fields import custom_of, rule_ids, values_of
from ..dates import parse_datetime

PERSON = 1
COMPANY = 2
DEPARTMENT = 4
CLIENT_PROFILE = 2

EMAIL_TYPE = "Profissional"
PHONE_TYPE = "Telefone celular"
ADDRESS_TYPE = "Comercial"
_PHONE_WORDS = ("telefone", "celular", "phone", "fone", "whatsapp", "fax", "mobile", "móvel")

_ADDRESS_FIELDS = {
    "street": "street", "number": "number", "complement": "complement",
    "district": "district", "city": "city", "state": "state",
    "postalCode": "postal_code", "country": "country",
}


def contact_to_canonical(raw: dict[str, Any], connection_name: str) -> Contact:
    """A Contact from a person of type 1 (``ValueError`` for another type)."""
    _require_type(raw, {PERSON}, "contact")
    return Contact(
        refs=_refs(raw, connection_name),
        remote_data=raw,
        remote_updated_at=_updated_at(raw),
        custom=custom_of(raw.get("customFieldValues")),
        name=raw.get("businessName"),
        emails=emails_of(raw),
        phones=phones_of(raw),
        tax_id=raw.get("cpfCnpj") or None,
        company=_company_of_relationships(raw.get("relationships"), connection_name),
        addresses=_addresses_of(raw),
    )


def company_to_canonical(raw: dict[str, Any], connection_name: str) -> Company:
    """A Company from a person of type 2 (company) or 4 (department)."""
    _require_type(raw, {COMPANY, DEPARTMENT}, "company")
    return Company(
        refs=_refs(raw, connection_name),
        remote_data=raw,
        remote_updated_at=_updated_at(raw),
        custom=custom_of(raw.get("customFieldValues")),
        name=raw.get("businessName"),
        legal_name=raw.get("corporateName"),
        tax_id=raw.get("cpfCnpj") or None,
        emails=emails_of(raw),
        phones=phones_of(raw),
        addresses=_addresses_of(raw),
    )


def contact_from_canonical(record: Contact, connection_name: str,
                           default_rule: int | None = None) -> dict[str, Any]:
    """The ``/persons`` body of a client person (type 1, profile client)."""
    payload = _person_payload(record, connection_name, PERSON, record.display_name(), default_rule)
    company_ref = record.company.ref(connection_name) if record.company else None
    if company_ref:
        payload["relationships"] = [{"id": company_ref, "name": record.company.name}]
    return payload


def company_from_canonical(record: Company, connection_name: str,
                           default_rule: int | None = None) -> dict[str, Any]:
    """The ``/persons`` body of a client company (type 2)."""
    payload = _person_payload(record, connection_name, COMPANY, record.name, default_rule)
    if record.legal_name:
        payload["corporateName"] = record.legal_name
    return payload


def embedded_contact(person: dict[str, Any], connection_name: str) -> Contact:
    """A Contact from a person as tickets embed it (``clients[]``)."""
    return Contact(
        refs=_refs(person, connection_name),
        remote_data=person,
        name=person.get("businessName"),
        emails=[person["email"]] if person.get("email") else [],
        phones=[person["phone"]] if person.get("phone") else [],
        company=embedded_company(person.get("organization"), connection_name),
    )


def embedded_company(person: dict[str, Any] | None, connection_name: str) -> Company | None:
    """A Company from an embedded organization or company client (``None`` if absent)."""
    if not person:
        return None
    return Company(
        refs=_refs(person, connection_name),
        remote_data=person,
        name=person.get("businessName"),
        emails=[person["email"]] if person.get("email") else [],
        phones=[person["phone"]] if person.get("phone") else [],
    )


def emails_of(raw: dict[str, Any]) -> list[str]:
    """The person's e-mail addresses, the default one first."""
    entries = sorted(raw.get("emails") or [], key=lambda e: not e.get("isDefault"))
    return [e["email"] for e in entries if e.get("email")]


def phones_of(raw: dict[str, Any]) -> list[str]:
    """The person's phone-like contacts (phones, mobiles, WhatsApp), the default first."""
    entries = sorted(raw.get("contacts") or [], key=lambda c: not c.get("isDefault"))
    return [c["contact"] for c in entries if c.get("contact") and _is_phone(c.get("contactType"))]


def _is_phone(label: Any) -> bool:
    if not label:
        return True
    text = str(label).lower()
    return any(word in text for word in _PHONE_WORDS)


def _require_type(raw: dict[str, Any], allowed: set[int], entity: str) -> None:
    kind = raw.get("personType")
    if kind is not None and kind not in allowed:
        raise ValueError(
            f"personType: Movidesk person {raw.get('id')!r} has type {kind}, "
            f"which is not a {entity} (expected {sorted(allowed)})"
        )


def _refs(raw: dict[str, Any], connection_name: str) -> dict[str, str]:
    return {connection_name: str(raw["id"])} if raw.get("id") not in (None, "") else {}


def _updated_at(raw: dict[str, Any]):
    return parse_datetime(raw.get("changedDate") or raw.get("createdDate"), "changedDate")


def _company_of_relationships(relationships: Any, connection_name: str) -> Company | None:
    for relation in relationships or []:
        if relation.get("id"):
            return Company(refs={connection_name: str(relation["id"])}, name=relation.get("name"))
    return None


def _addresses_of(raw: dict[str, Any]) -> list[Address]:
    entries = sorted(raw.get("addresses") or [], key=lambda a: not a.get("isDefault"))
    return [
        Address(**{ours: _text(entry.get(theirs)) for theirs, ours in _ADDRESS_FIELDS.items()})
        for entry in entries
    ]


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _person_payload(record: Contact | Company, connection_name: str, person_type: int,
                    name: str | None, default_rule: int | None) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    ref = record.ref(connection_name)
    if ref:
        payload["id"] = ref
    payload.update(isActive=True, personType=person_type, profileType=CLIENT_PROFILE)
    business_name = name or (record.emails[0] if record.emails else None)
    if business_name:
        payload["businessName"] = business_name
    if record.tax_id:
        payload["cpfCnpj"] = record.tax_id
    payload["emails"] = [
        {"emailType": EMAIL_TYPE, "email": email, "isDefault": i == 0}
        for i, email in enumerate(record.emails)
    ]
    payload["contacts"] = [
        {"contactType": PHONE_TYPE, "contact": phone, "isDefault": i == 0}
        for i, phone in enumerate(record.phones)
    ]
    payload["addresses"] = [
        {"addressType": ADDRESS_TYPE, "isDefault": i == 0,
         **{theirs: getattr(address, ours) for theirs, ours in _ADDRESS_FIELDS.items()}}
        for i, address in enumerate(record.addresses)
    ]
    if record.custom:
        previous = (record.remote_data or {}).get("customFieldValues")
        payload["customFieldValues"] = values_of(record.custom, rule_ids(previous), default_rule)
    return payload
