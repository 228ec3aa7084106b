"""amoCRM contacts, companies, leads and notes <-> canonical records.

amoCRM keeps times as Unix seconds, prices as whole numbers, phones and e-mails in the
``PHONE``/``EMAIL`` fields (see ``fields``), and a lead's stage as ``status_id`` within
``pipeline_id``: 142 is won and 143 lost in every pipeline.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pontes.plugin import (
    Company,
    Contact,
    Deal,
    DealStatus,
    Interaction,
    InteractionKind,
    Record,
    UserRef,
    marker_token,
)

from .connector import kit
from .fields import EMAIL, PHONE, WEB, custom_fields_values, custom_of, values_of
from .ids import amocrm_id

WON_STATUS_ID = 142
LOST_STATUS_ID = 143
CLOSED_STATUSES = {WON_STATUS_ID: DealStatus.won, LOST_STATUS_ID: DealStatus.lost}


def moment(value: Any) -> datetime | None:
    """A Unix time in seconds (as amoCRM writes every time) as a UTC datetime."""
    if value in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(value), UTC)


def unix(value: datetime | date | None) -> int | None:
    """A datetime (or a date, at midnight UTC) as Unix seconds."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return int(value.timestamp())


def owner_of(raw: dict[str, Any]) -> UserRef | None:
    """The responsible user of a record."""
    user = raw.get("responsible_user_id")
    return UserRef(remote_id=str(user)) if user else None


def _ref(record: Any, connection_name: str) -> int | None:
    value = record.ref(connection_name) if record is not None else None
    return None if value is None else amocrm_id(value, f"the {connection_name} id")


def _linked(raw: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    return [item for item in (raw.get("_embedded") or {}).get(entity) or []
            if isinstance(item, dict) and item.get("id")]


# --- contacts and companies -------------------------------------------------------------


def company_to_canonical(raw: dict[str, Any], connection_name: str) -> Company:
    """The canonical company of an amoCRM company."""
    websites = values_of(raw, WEB)
    return Company(
        refs={connection_name: str(raw["id"])} if raw.get("id") else {},
        name=raw.get("name"),
        emails=values_of(raw, EMAIL),
        phones=values_of(raw, PHONE),
        website=websites[0] if websites else None,
        custom=custom_of(raw),
        remote_data=raw,
        remote_updated_at=moment(raw.get("updated_at")),
    )


def company_from_canonical(record: Company, connection_name: str) -> dict[str, Any]:
    """The amoCRM company of a canonical one, for ``POST``/``PATCH /api/v4/companies``."""
    company: dict[str, Any] = {"name": record.name or ""}
    fields = custom_fields_values(record.custom, phones=record.phones, emails=record.emails,
                                  website=record.website)
    if fields:
        company["custom_fields_values"] = fields
    if (company_id := _ref(record, connection_name)) is not None:
        company["id"] = company_id
    return company


def contact_to_canonical(raw: dict[str, Any], connection_name: str) -> Contact:
    """The canonical contact of an amoCRM contact, with its main company's id."""
    companies = _linked(raw, "companies")
    return Contact(
        refs={connection_name: str(raw["id"])} if raw.get("id") else {},
        name=raw.get("name"),
        first_name=raw.get("first_name") or None,
        last_name=raw.get("last_name") or None,
        emails=values_of(raw, EMAIL),
        phones=values_of(raw, PHONE),
        owner=owner_of(raw),
        company=Company(refs={connection_name: str(companies[0]["id"])}) if companies else None,
        custom=custom_of(raw),
        remote_data=raw,
        remote_updated_at=moment(raw.get("updated_at")),
    )


def contact_from_canonical(record: Contact, connection_name: str) -> dict[str, Any]:
    """The amoCRM contact of a canonical one, for ``POST``/``PATCH /api/v4/contacts``."""
    contact: dict[str, Any] = {}
    if name := record.display_name():
        contact["name"] = name
    if record.first_name:
        contact["first_name"] = record.first_name
    if record.last_name:
        contact["last_name"] = record.last_name
    if record.owner is not None and record.owner.remote_id:
        contact["responsible_user_id"] = amocrm_id(record.owner.remote_id, "owner")
    fields = custom_fields_values(record.custom, phones=record.phones, emails=record.emails)
    if fields:
        contact["custom_fields_values"] = fields
    if (company_id := _ref(record.company, connection_name)) is not None:
        contact["_embedded"] = {"companies": [{"id": company_id}]}
    if (contact_id := _ref(record, connection_name)) is not None:
        contact["id"] = contact_id
    return contact


# --- leads ------------------------------------------------------------------------------


def deal_to_canonical(raw: dict[str, Any], connection_name: str) -> Deal:
    """The canonical deal of an amoCRM lead: stage is ``status_id``, won at 142, lost at
    143; the main contact and first company are referenced by id."""
    contacts = _linked(raw, "contacts")
    main = next((c for c in contacts if c.get("is_main")), contacts[0] if contacts else None)
    companies = _linked(raw, "companies")
    status_id = raw.get("status_id")
    closed = moment(raw.get("closed_at"))
    price = raw.get("price")
    return Deal(
        refs={connection_name: str(raw["id"])} if raw.get("id") else {},
        title=raw.get("name"),
        amount=Decimal(str(price)) if price is not None else None,
        pipeline=str(raw["pipeline_id"]) if raw.get("pipeline_id") else None,
        stage=str(status_id) if status_id else None,
        status=CLOSED_STATUSES.get(int(status_id or 0), DealStatus.open),
        owner=owner_of(raw),
        contact=Contact(refs={connection_name: str(main["id"])}) if main else None,
        company=Company(refs={connection_name: str(companies[0]["id"])}) if companies else None,
        close_date=closed.date() if closed else None,
        custom=custom_of(raw),
        remote_data=raw,
        remote_updated_at=moment(raw.get("updated_at")),
    )


def deal_from_canonical(record: Deal, connection_name: str) -> dict[str, Any]:
    """The amoCRM lead of a canonical deal, for ``POST``/``PATCH /api/v4/leads``: a won or
    lost deal goes to status 142 or 143, otherwise to its ``stage``."""
    lead: dict[str, Any] = {}
    if record.title is not None:
        lead["name"] = record.title
    if record.amount is not None:
        if not record.amount.is_finite():
            raise ValueError(f"amount must be a number, got {record.amount}")
        lead["price"] = int(record.amount)
    if record.pipeline:
        lead["pipeline_id"] = amocrm_id(record.pipeline, "pipeline")
    status = {DealStatus.won: WON_STATUS_ID, DealStatus.lost: LOST_STATUS_ID}.get(record.status)
    if status is not None:
        lead["status_id"] = status
    elif record.stage:
        lead["status_id"] = amocrm_id(record.stage, "stage")
    if record.owner is not None and record.owner.remote_id:
        lead["responsible_user_id"] = amocrm_id(record.owner.remote_id, "owner")
    if record.close_date is not None:
        lead["closed_at"] = unix(record.close_date)
    if record.custom:
        lead["custom_fields_values"] = custom_fields_values(record.custom)
    links: dict[str, list[dict[str, Any]]] = {}
    if (contact_id := _ref(record.contact, connection_name)) is not None:
        links["contacts"] = [{"id": contact_id, "is_main": True}]
    if (company_id := _ref(record.company, connection_name)) is not None:
        links["companies"] = [{"id": company_id}]
    if links:
        lead["_embedded"] = links
    if (lead_id := _ref(record, connection_name)) is not None:
        lead["id"] = lead_id
    return lead


# --- notes ------------------------------------------------------------------------------

NOTE_KINDS = {"call_in": InteractionKind.call, "call_out": InteractionKind.call,
              "sms_in": InteractionKind.chat, "sms_out": InteractionKind.chat}
ENTITY_OF_NOTE = {"leads": "deal", "contacts": "contact", "companies": "company"}


MARKER_PREFIX = marker_token(Record(id=""))
"""What the marker line pontes ends its notes with starts with."""


def without_marker(text: str | None) -> str | None:
    """A note's text without the marker line pontes ends its notes with."""
    if text is None:
        return None
    head, _, last = text.rpartition("\n")
    return head if last.startswith(MARKER_PREFIX) else text


def interaction_to_canonical(raw: dict[str, Any], connection_name: str) -> Interaction:
    """The canonical history entry of an amoCRM note (its text is ``params.text``, without
    pontes' marker line)."""
    params = raw.get("params") or {}
    entity = ENTITY_OF_NOTE.get(raw.get("entity_type") or "")
    owner_ref = {connection_name: str(raw["entity_id"])} if raw.get("entity_id") else {}
    return Interaction(
        refs={connection_name: str(raw["id"])} if raw.get("id") else {},
        kind=NOTE_KINDS.get(raw.get("note_type") or "", InteractionKind.note),
        content_text=without_marker(params.get("text")),
        occurred_at=moment(raw.get("created_at")),
        deal=Deal(refs=owner_ref) if entity == "deal" else None,
        contact=Contact(refs=owner_ref) if entity == "contact" else None,
        company=Company(refs=owner_ref) if entity == "company" else None,
        remote_data=raw,
        remote_updated_at=moment(raw.get("updated_at")),
    )


def interaction_from_canonical(record: Interaction, connection_name: str) -> dict[str, Any]:
    """The amoCRM note of a canonical history entry: a ``common`` note with its text (the
    subject, when there is one, as its first line)."""
    text = "\n".join(p for p in (record.subject, record.content_text) if p)
    note: dict[str, Any] = {"note_type": "common", "params": {"text": text}}
    for entity, owner in (("leads", record.deal), ("contacts", record.contact),
                          ("companies", record.company)):
        if (owner_id := _ref(owner, connection_name)) is not None:
            note["entity_id"] = owner_id
            note["entity_type"] = entity
            break
    if (note_id := _ref(record, connection_name)) is not None:
        note["id"] = note_id
    return note


kit.mapper("contact", Contact, to_canonical=contact_to_canonical,
           from_canonical=contact_from_canonical)
kit.mapper("company", Company, to_canonical=company_to_canonical,
           from_canonical=company_from_canonical)
kit.mapper("deal", Deal, to_canonical=deal_to_canonical, from_canonical=deal_from_canonical)
kit.mapper("interaction", Interaction, to_canonical=interaction_to_canonical,
           from_canonical=interaction_from_canonical)
