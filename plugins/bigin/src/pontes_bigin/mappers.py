"""Bigin contacts, accounts (companies), pipelines (deals) and notes <-> canonical records.

Bigin names its fields in ``Pascal_Snake`` (``First_Name``, ``Deal_Name``), writes times
as ISO 8601 with an offset and dates as ``YYYY-MM-DD``, and links records by lookup
objects ``{"id", "name"}`` (``Account_Name`` on a contact, ``Contact_Name`` on a deal,
``Owner`` everywhere). A deal's ``Sub_Pipeline`` is its pipeline and ``Stage`` its stage,
both by name; ``Closed Won`` and ``Closed Lost`` finish it. Fields pontes has no
canonical place for go to ``custom`` under their API name, as Bigin sent them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pontes.plugin import (
    Company,
    Contact,
    Deal,
    DealStatus,
    Interaction,
    Record,
    UserRef,
    html_to_text,
    join_name,
    marker_token,
)

from .connector import kit
from .ids import bigin_id
from .modules import ACCOUNTS, CONTACTS, PIPELINES

WON_STAGE, LOST_STAGE = "Closed Won", "Closed Lost"
CLOSED_STAGES = {WON_STAGE: DealStatus.won, LOST_STAGE: DealStatus.lost}
STAGE_OF_STATUS = {DealStatus.won: WON_STAGE, DealStatus.lost: LOST_STAGE}

SYSTEM_FIELDS = frozenset({
    "id", "Owner", "Created_Time", "Modified_Time", "Created_By", "Modified_By", "Tag",
    "Last_Activity_Time", "Full_Name", "First_Name", "Last_Name", "Email", "Secondary_Email",
    "Phone", "Mobile", "Account_Name", "Website", "Deal_Name", "Amount", "Stage",
    "Sub_Pipeline", "Pipeline", "Closing_Date", "Contact_Name", "Note_Title", "Note_Content",
    "Parent_Id",
})
"""Fields with a canonical place (or kept only in ``remote_data``)."""


def moment(value: Any) -> datetime | None:
    """An ISO 8601 time as Bigin writes it (``2025-03-04T09:15:00+05:30``)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def day(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` date."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


MARKER_FIELD = "Description"
"""Where a record pontes creates carries its marker, on the last line."""


def custom_of(raw: dict[str, Any]) -> dict[str, Any]:
    """The record's fields without a canonical place, by API name (``$`` fields are
    Bigin's own bookkeeping and left in ``remote_data``), the ``Description`` without
    pontes' marker line."""
    custom = {key: value for key, value in raw.items()
              if key not in SYSTEM_FIELDS and not key.startswith("$")}
    if isinstance(custom.get(MARKER_FIELD), str):
        custom[MARKER_FIELD] = without_marker(custom[MARKER_FIELD])
    return custom


def user_of(value: Any) -> UserRef | None:
    """A lookup of a user (``{"id", "name", "email"}``) as a canonical user."""
    if not isinstance(value, dict) or not value.get("id"):
        return None
    return UserRef(remote_id=str(value["id"]), name=value.get("name") or None,
                   email=value.get("email") or None)


def lookup_id(value: Any) -> str | None:
    """The id of a lookup, whether Bigin wrote it as ``{"id", "name"}`` or a bare id."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value not in (None, "") else None


def _ref(record: Record | None, connection_name: str) -> str | None:
    value = record.ref(connection_name) if record is not None else None
    return None if value is None else bigin_id(value, f"the {connection_name} id")


def _refs(raw: dict[str, Any], connection_name: str) -> dict[str, str]:
    return {connection_name: str(raw["id"])} if raw.get("id") else {}


def _texts(*values: Any) -> list[str]:
    return [str(v).strip() for v in values if isinstance(v, str | int) and str(v).strip()]


def _base(raw: dict[str, Any], connection_name: str) -> dict[str, Any]:
    return {"refs": _refs(raw, connection_name), "custom": custom_of(raw), "remote_data": raw,
            "remote_updated_at": moment(raw.get("Modified_Time"))}


def _common(record: Record, connection_name: str) -> dict[str, Any]:
    body: dict[str, Any] = dict(record.custom)
    if (record_id := _ref(record, connection_name)) is not None:
        body["id"] = record_id
    owner = getattr(record, "owner", None)
    if owner is not None and owner.remote_id:
        body["Owner"] = {"id": bigin_id(owner.remote_id, "owner")}
    return body


# --- companies and contacts -------------------------------------------------------------


def company_to_canonical(raw: dict[str, Any], connection_name: str) -> Company:
    """The canonical company of a Bigin account."""
    return Company(name=raw.get("Account_Name") or None, phones=_texts(raw.get("Phone")),
                   website=raw.get("Website") or None, **_base(raw, connection_name))


def company_from_canonical(record: Company, connection_name: str) -> dict[str, Any]:
    """The Bigin account of a canonical company (its first phone; Bigin accounts keep no
    e-mail)."""
    body = _common(record, connection_name)
    if record.name:
        body["Account_Name"] = record.name
    if record.phones:
        body["Phone"] = record.phones[0]
    if record.website:
        body["Website"] = record.website
    return body


def contact_to_canonical(raw: dict[str, Any], connection_name: str) -> Contact:
    """The canonical contact of a Bigin contact, with its account's id."""
    first, last = raw.get("First_Name") or None, raw.get("Last_Name") or None
    name = raw.get("Full_Name") or join_name(first, last)
    account = lookup_id(raw.get("Account_Name"))
    return Contact(
        name=name, first_name=first, last_name=last,
        emails=_texts(raw.get("Email"), raw.get("Secondary_Email")),
        phones=_texts(raw.get("Phone"), raw.get("Mobile")),
        owner=user_of(raw.get("Owner")),
        company=Company(refs={connection_name: account}) if account else None,
        **_base(raw, connection_name))


def contact_from_canonical(record: Contact, connection_name: str) -> dict[str, Any]:
    """The Bigin contact of a canonical one: two e-mails (``Email``,
    ``Secondary_Email``), two phones (``Phone``, ``Mobile``) and its account."""
    body = _common(record, connection_name)
    first, last = record.name_parts()
    if first:
        body["First_Name"] = first
    if last:
        body["Last_Name"] = last
    for field, value in zip(("Email", "Secondary_Email"), record.emails, strict=False):
        body[field] = value
    for field, value in zip(("Phone", "Mobile"), record.phones, strict=False):
        body[field] = value
    if (account := _ref(record.company, connection_name)) is not None:
        body["Account_Name"] = {"id": account}
    return body


# --- deals ------------------------------------------------------------------------------


def amount_of(value: Any) -> Decimal | None:
    """A currency field as a decimal."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def deal_to_canonical(raw: dict[str, Any], connection_name: str) -> Deal:
    """The canonical deal of a Bigin pipeline record: ``Sub_Pipeline`` is its pipeline,
    ``Stage`` its stage, ``Closed Won``/``Closed Lost`` its outcome."""
    contact, account = lookup_id(raw.get("Contact_Name")), lookup_id(raw.get("Account_Name"))
    stage = raw.get("Stage") or None
    return Deal(
        title=raw.get("Deal_Name") or None, amount=amount_of(raw.get("Amount")),
        pipeline=raw.get("Sub_Pipeline") or None, stage=stage,
        status=CLOSED_STAGES.get(stage or "", DealStatus.open), owner=user_of(raw.get("Owner")),
        contact=Contact(refs={connection_name: contact}) if contact else None,
        company=Company(refs={connection_name: account}) if account else None,
        close_date=day(raw.get("Closing_Date")), **_base(raw, connection_name))


def deal_from_canonical(record: Deal, connection_name: str) -> dict[str, Any]:
    """The Bigin pipeline record of a canonical deal; a won or lost deal goes to
    ``Closed Won`` or ``Closed Lost``, another to its ``stage``."""
    body = _common(record, connection_name)
    if record.title is not None:
        body["Deal_Name"] = record.title
    if record.amount is not None:
        if not record.amount.is_finite():
            raise ValueError(f"amount must be a number, got {record.amount}")
        body["Amount"] = float(record.amount)
    if record.pipeline:
        body["Sub_Pipeline"] = record.pipeline
    stage = STAGE_OF_STATUS.get(record.status) or record.stage
    if stage:
        body["Stage"] = stage
    if record.close_date is not None:
        body["Closing_Date"] = record.close_date.isoformat()
    if (contact := _ref(record.contact, connection_name)) is not None:
        body["Contact_Name"] = {"id": contact}
    if (account := _ref(record.company, connection_name)) is not None:
        body["Account_Name"] = {"id": account}
    return body


# --- notes ------------------------------------------------------------------------------

MARKER_PREFIX = marker_token(Record(id=""))
"""What the marker line pontes ends its notes with starts with."""

PARENT_FIELDS = (("deal", PIPELINES), ("contact", CONTACTS), ("company", ACCOUNTS))
"""Where a note can hang, in the order an interaction's owners are tried."""


def without_marker(text: str | None) -> str | None:
    """A note's text without the marker line pontes ends its notes with."""
    if text is None:
        return None
    head, _, last = text.rpartition("\n")
    return head if last.startswith(MARKER_PREFIX) else text


def interaction_to_canonical(raw: dict[str, Any], connection_name: str) -> Interaction:
    """The canonical history entry of a Bigin note (``Note_Title``, ``Note_Content``
    without pontes' marker line), hung on its parent record."""
    module = raw.get("$se_module")
    parent = lookup_id(raw.get("Parent_Id"))
    owner = {connection_name: parent} if parent else {}
    return Interaction(
        subject=raw.get("Note_Title") or None,
        content_text=without_marker(raw.get("Note_Content")),
        occurred_at=moment(raw.get("Created_Time")),
        deal=Deal(refs=owner) if owner and module == PIPELINES else None,
        contact=Contact(refs=owner) if owner and module == CONTACTS else None,
        company=Company(refs=owner) if owner and module == ACCOUNTS else None,
        **{k: v for k, v in _base(raw, connection_name).items() if k != "custom"})


def note_parent(record: Interaction, connection_name: str) -> tuple[str, str] | None:
    """The module and id of the record a note goes on: the entry's deal, contact or
    company, the first with a Bigin id."""
    for attribute, module in PARENT_FIELDS:
        if (parent := _ref(getattr(record, attribute), connection_name)) is not None:
            return module, parent
    return None


def interaction_from_canonical(record: Interaction, connection_name: str) -> dict[str, Any]:
    """The Bigin note of a canonical history entry, with its parent (``Parent_Id`` and
    ``se_module``)."""
    text = record.content_text or (html_to_text(record.content_html)
                                   if record.content_html else "")
    note: dict[str, Any] = {"Note_Content": text}
    if record.subject:
        note["Note_Title"] = record.subject
    if (parent := note_parent(record, connection_name)) is not None:
        note["Parent_Id"] = {"id": parent[1]}
        note["$se_module"] = parent[0]
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
