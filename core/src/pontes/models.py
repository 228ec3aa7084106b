"""Canonical business objects shared by every helpdesk, live chat and CRM.

Recipes speak only these models; plugins translate between them and their vendor's
payloads. Every record carries the same envelope (after Merge's common models):

- ``id``: the pontes identifier, stable across systems;
- ``refs``: the record's id in each system it lives in, keyed by connection name;
- ``remote_data``: the vendor payload exactly as it was received, never altered;
- ``remote_updated_at``: when the vendor last changed the record, if it says;
- ``custom``: custom fields after mapping, keyed by the names the operator chose.

Normalisation (e-mails lower-cased, phones in E.164, tax ids reduced to digits, times in
UTC) happens when a model is built, so two records that describe the same person compare
equal field by field, and normalising twice changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import phonenumbers
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "Address",
    "Chat",
    "ClientContext",
    "Company",
    "Contact",
    "Deal",
    "DealStatus",
    "Direction",
    "Email",
    "Event",
    "Interaction",
    "InteractionKind",
    "Message",
    "Phone",
    "Record",
    "Ticket",
    "TicketStatus",
    "UtcDateTime",
    "UserRef",
    "new_id",
    "join_name",
    "normalize_email",
    "normalize_phone",
    "normalize_tax_id",
    "split_name",
    "to_utc",
]

DEFAULT_PHONE_REGION = "BR"


def new_id() -> str:
    """A fresh pontes identifier (a random UUID as text)."""
    return str(uuid.uuid4())


def normalize_email(value: str) -> str:
    """Trim and lower-case an e-mail address; ``" Ana@Ex.COM "`` -> ``"ana@ex.com"``."""
    return value.strip().lower()


def normalize_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """Write a phone number in E.164 when it can be parsed, otherwise return it trimmed.

    Numbers without a country code are read as ``region`` numbers (Brazil by default).
    Text that is not a valid number (unparseable, or missing its area code) is kept as
    typed rather than lost or turned into a wrong number: a person typed it for a reason.
    """
    text = value.strip()
    return phone_e164(text, region) or text


def phone_e164(text: str, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """``text`` as an E.164 number (``(11) 91234-5678`` -> ``+5511912345678``), or ``None``
    when it is not a valid number; without a leading ``+`` it is read as a ``region``
    number. The one phone parser of pontes (``normalize_phone`` and the ``phone_e164``
    mapping transform both use it), built on Google's libphonenumber rules."""
    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_tax_id(value: str) -> str:
    """Keep only the digits of a CPF/CNPJ (or any tax id written with punctuation)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits or value.strip()


def join_name(first: str | None, last: str | None) -> str | None:
    """A whole name from a first and a last name (``"Ana", "Lima"`` -> ``"Ana Lima"``),
    either of which may be missing; ``None`` when both are."""
    return " ".join(p.strip() for p in (first, last) if p and p.strip()) or None


def split_name(whole: str | None) -> tuple[str | None, str | None]:
    """A whole name as first and last name, for a side that stores them apart: the last
    word is the last name, the words before it the first name (``"Ana Maria Lima"`` ->
    ``("Ana Maria", "Lima")``); one word is a last name alone, since the sides that store
    parts require a last name. ``(None, None)`` for no name."""
    words = (whole or "").split()
    if not words:
        return None, None
    return " ".join(words[:-1]) or None, words[-1]


def to_utc(value: datetime) -> datetime:
    """Make a datetime aware and in UTC; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


Email = Annotated[str, AfterValidator(normalize_email)]
Phone = Annotated[str, AfterValidator(normalize_phone)]
TaxId = Annotated[str, AfterValidator(normalize_tax_id)]
UtcDateTime = Annotated[datetime, AfterValidator(to_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Address(_Model):
    """A postal address. All parts are optional; ``country`` is an ISO 3166 code when known."""

    street: str | None = None
    number: str | None = None
    complement: str | None = None
    district: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class UserRef(_Model):
    """A user or agent of a vendor system (an owner, a collaborator, a responsible agent)."""

    remote_id: str | None = None
    name: str | None = None
    email: Email | None = None


class Record(_Model):
    """The envelope every canonical record carries (see the module docstring)."""

    id: str = Field(default_factory=new_id)
    refs: dict[str, str] = Field(default_factory=dict)
    remote_data: dict[str, Any] | None = None
    remote_updated_at: UtcDateTime | None = None
    custom: dict[str, Any] = Field(default_factory=dict)

    @field_validator("refs", mode="before")
    @classmethod
    def _refs_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items() if v is not None}
        return value

    def ref(self, connection: str) -> str | None:
        """This record's id in the system behind ``connection``, if known."""
        return self.refs.get(connection)


class Company(Record):
    """An organisation that is a client: a Ploomes company, a Movidesk person of type 2."""

    name: str | None = None
    legal_name: str | None = None
    tax_id: TaxId | None = None
    emails: list[Email] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    website: str | None = None
    addresses: list[Address] = Field(default_factory=list)


class Contact(Record):
    """A person who is a client or a client's employee."""

    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: list[Email] = Field(default_factory=list)
    phones: list[Phone] = Field(default_factory=list)
    tax_id: TaxId | None = None
    company: Company | None = None
    owner: UserRef | None = None
    addresses: list[Address] = Field(default_factory=list)

    @property
    def email(self) -> str | None:
        """The first e-mail address, the one used to find this contact elsewhere."""
        return self.emails[0] if self.emails else None

    def display_name(self) -> str | None:
        """The full name, or first and last name joined, or ``None``."""
        if self.name:
            return self.name
        return join_name(self.first_name, self.last_name)

    def name_parts(self) -> tuple[str | None, str | None]:
        """First and last name: as given when either is, else ``name`` split
        (``split_name``)."""
        if self.first_name or self.last_name:
            return self.first_name, self.last_name
        return split_name(self.name)

    def whole_names(self, current: Contact | None = None) -> Contact:
        """These changes with ``name``, ``first_name`` and ``last_name`` all set and in
        agreement, whatever the side they are written to stores (a whole name, or first
        and last names, or both):

        - a whole name given alone is split into first and last name (``split_name``);
        - a first or last name given without the whole name is joined with the other
          part, as given or as ``current`` (the record being changed) has it, into the
          whole name, so changing one part never loses the other;
        - changes that set no name, or set all three, are returned as they are.
        """
        given = {"name", "first_name", "last_name"} & self.model_fields_set
        if not given or len(given) == 3:
            return self
        if given == {"name"}:
            first, last = split_name(self.name)
            return self.model_copy(update={"first_name": first, "last_name": last})
        first, last = current.name_parts() if current is not None else (None, None)
        if "first_name" in given:
            first = self.first_name
        if "last_name" in given:
            last = self.last_name
        whole = self.name if "name" in given else join_name(first, last)
        return self.model_copy(update={"name": whole, "first_name": first, "last_name": last})

    def changes_one_name_part(self) -> bool:
        """Whether these changes set a first or last name without the whole name, so
        that ``whole_names`` needs the current record to build the whole name."""
        given = {"name", "first_name", "last_name"} & self.model_fields_set
        return bool(given) and "name" not in given and given != {"first_name", "last_name"}


class DealStatus(StrEnum):
    """Where a deal stands."""

    open = "open"
    won = "won"
    lost = "lost"


class Deal(Record):
    """A sales opportunity (a Ploomes deal or card, an amoCRM lead, a Bigin pipeline record)."""

    title: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    pipeline: str | None = None
    stage: str | None = None
    status: DealStatus = DealStatus.open
    owner: UserRef | None = None
    collaborators: list[UserRef] = Field(default_factory=list)
    contact: Contact | None = None
    company: Company | None = None
    close_date: date | None = None


class TicketStatus(StrEnum):
    """The canonical life cycle of a ticket; each plugin maps its vendor statuses onto it."""

    new = "new"
    open = "open"
    pending = "pending"
    on_hold = "on_hold"
    solved = "solved"
    closed = "closed"
    canceled = "canceled"


class Direction(StrEnum):
    """Who spoke first in an interaction, seen from the business."""

    inbound = "inbound"
    outbound = "outbound"
    internal = "internal"


class Message(_Model):
    """One message of a ticket or chat (a Movidesk action, a Jivo chat line)."""

    remote_id: str | None = None
    author: str | None = None
    direction: Direction | None = None
    public: bool = True
    text: str | None = None
    html: str | None = None
    sent_at: UtcDateTime | None = None


class Ticket(Record):
    """A support request in a helpdesk."""

    number: str | None = None
    subject: str | None = None
    description: str | None = None
    vendor_status: str | None = None
    status: TicketStatus = TicketStatus.new
    urgency: str | None = None
    priority: str | None = None
    category: str | None = None
    owner: UserRef | None = None
    team: str | None = None
    requester: Contact | None = None
    company: Company | None = None
    created_at: UtcDateTime | None = None
    updated_at: UtcDateTime | None = None
    resolved_at: UtcDateTime | None = None
    closed_at: UtcDateTime | None = None
    tags: list[str] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)


class InteractionKind(StrEnum):
    """What kind of exchange an interaction records."""

    ticket = "ticket"
    chat = "chat"
    email = "email"
    call = "call"
    note = "note"
    comment = "comment"


class Interaction(Record):
    """An entry in a client's history: a ticket summary, a chat transcript, a note."""

    kind: InteractionKind = InteractionKind.note
    subject: str | None = None
    content_text: str | None = None
    content_html: str | None = None
    occurred_at: UtcDateTime | None = None
    direction: Direction | None = None
    contact: Contact | None = None
    company: Company | None = None
    deal: Deal | None = None
    ticket: Ticket | None = None


class Chat(Record):
    """A live-chat conversation (a Jivo chat, an offline message left in the widget).

    ``visitor`` is who wrote in; ``page_url``, ``utm`` and ``geo`` say where from;
    ``offline`` marks a message left while no agent was online.
    """

    visitor: Contact | None = None
    agent: UserRef | None = None
    messages: list[Message] = Field(default_factory=list)
    started_at: UtcDateTime | None = None
    finished_at: UtcDateTime | None = None
    page_url: str | None = None
    page_title: str | None = None
    utm: dict[str, str] = Field(default_factory=dict)
    geo: Address | None = None
    tags: list[str] = Field(default_factory=list)
    description: str | None = None
    organization: str | None = None
    offline: bool = False

    def transcript(self) -> str:
        """The conversation as plain text, one ``author: text`` line per message."""
        lines = []
        for message in self.messages:
            author = message.author or (message.direction.value if message.direction else "")
            lines.append(f"{author}: {message.text or ''}".strip())
        return "\n".join(lines)


class ClientContext(_Model):
    """What a CRM knows about a client, shown to an agent while they talk to the client
    (Jivo's panel during a chat): the person, the company, open deals and a CRM link.

    ``panel_url`` is a pontes page (a panel, at a signed URL) that shows and edits the
    client's CRM data; a helpdesk that embeds pages shows it in a frame instead.
    """

    contact: Contact | None = None
    company: Company | None = None
    deals: list[Deal] = Field(default_factory=list)
    url: str | None = None
    panel_url: str | None = None



class Event(_Model):
    """Something that happened in a vendor system, as a trigger reports it.

    ``type`` is a trigger capability (``ticket.changed``, ``deal.created``,
    ``chat.finished``...). ``idempotency_key`` makes repeated deliveries of the same
    happening one event; ``entity_key`` orders events about the same record. ``payload`` is
    what the vendor sent (a hint: recipes re-fetch the record through ``record_id``);
    ``trigger`` names the trigger that produced the event (set by the engine).
    """

    id: str = Field(default_factory=new_id)
    type: str
    connection: str
    idempotency_key: str
    entity_key: str
    record_id: str | None = None
    trigger: str | None = None
    occurred_at: UtcDateTime = Field(default_factory=lambda: datetime.now(UTC))
    payload: dict[str, Any] = Field(default_factory=dict)
