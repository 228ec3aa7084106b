"""The canonical capabilities: what recipes may ask of a connection, in vendor-free terms.

An action capability names its input and output models, so the core validates both
sides of every call and a plugin cannot drift from the contract. A trigger capability
names the canonical record its events carry. Plugins may register further actions under
their own prefix (``ploomes.deal.win``) with models of their own; recipes use only the
names listed here.

Each ``<entity>.create`` may have a ``<entity>.find_created``: given the same draft, it
finds the record created from it earlier by the marker the create wrote (see
``pontes.markers``), so an interrupted run does not create the record twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .models import (
    Chat,
    Company,
    Contact,
    Deal,
    DealStatus,
    Email,
    Interaction,
    Message,
    Phone,
    Record,
    Ticket,
    TicketStatus,
)


class ActionCaller(Protocol):
    """What runs an action by name: a ``Connection`` (named here without importing it,
    as the connection module is built on this one)."""

    async def call(self, name: str, params: Any = None, /, **fields: Any) -> Any:
        """Run the action ``name``."""


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ByEmail(_Params):
    """Find a record by e-mail address."""

    email: Email


class ByPhone(_Params):
    """Find a record by phone number (compared in E.164)."""

    phone: Phone


class ByName(_Params):
    """Find a record by its exact name."""

    name: str


class ById(_Params):
    """Address a record by its id in the vendor system."""

    id: str


class FinishDeal(_Params):
    """Finish a deal as won or lost, optionally updating some of its fields first."""

    id: str
    status: Literal[DealStatus.won, DealStatus.lost] = DealStatus.won
    changes: Deal | None = None
    reason: str | None = None


class UpdateDeal(_Params):
    """Change some fields of a deal: only fields set in ``changes`` are written."""

    id: str
    changes: Deal


class TicketReply(_Params):
    """Add a public reply (or an internal note when ``public`` is false) to a ticket,
    written as the helpdesk agent ``agent`` where the helpdesk lets a call name its
    author (else as the connection's own user)."""

    id: str
    text: str | None = None
    html: str | None = None
    public: bool = True
    agent: str | None = None


class UpdateContact(_Params):
    """Change some fields of a person: only fields set in ``changes`` are written."""

    id: str
    changes: Contact

    async def changes_with_whole_names(self, connection: ActionCaller) -> Contact:
        """``changes`` with its names whole and in agreement (``Contact.whole_names``),
        for a side that builds one from the other: the person is read through
        ``connection``'s ``contact.get`` only when a first or last name changes alone."""
        current = None
        if self.changes.changes_one_name_part():
            current = await connection.call("contact.get", id=self.id)
        return self.changes.whole_names(current)


class PageOf(_Params):
    """One page of every record of a kind; ``cursor`` is the previous page's
    ``next_cursor`` (``None`` for the first page)."""

    cursor: str | None = None

    def number(self, first: int = 1) -> int:
        """The cursor read as a whole number (a page or an offset, as the plugin wrote
        it); ``first`` for the first page. ``ValueError`` for any other cursor."""
        if self.cursor is None:
            return first
        text = self.cursor.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 9) or int(text) < first:
            raise ValueError(f"cursor {self.cursor[:40]!r} is not one this list gave: "
                             f"a whole number from {first}")
        return int(text)


class ContactPage(BaseModel):
    """A page of people and where the next page starts (``None`` after the last)."""

    records: list[Contact]
    next_cursor: str | None = None


class CompanyPage(BaseModel):
    """A page of companies and where the next page starts (``None`` after the last)."""

    records: list[Company]
    next_cursor: str | None = None


class SetTicketStatus(_Params):
    """Move a ticket to a canonical status (each plugin maps it onto its vendor's), as
    the helpdesk agent ``agent`` where the helpdesk lets a call name who made the change."""

    id: str
    status: TicketStatus
    agent: str | None = None


class TicketsOf(_Params):
    """List the tickets a person opened, newest first."""

    contact_id: str
    only_open: bool = False


class TicketsOfCompany(_Params):
    """List the tickets of a company's people, newest first."""

    company_id: str
    only_open: bool = False


class ReplyAll(_Params):
    """Answer a ticket's conversation to everyone on it: the sender of its latest
    inbound message and everyone copied on that message."""

    id: str
    text: str | None = None
    html: str | None = None


class TicketForward(_Params):
    """Send a ticket's conversation on to other addresses, with a covering text."""

    id: str
    to: list[Email] = Field(min_length=1)
    cc: list[Email] = Field(default_factory=list)
    text: str | None = None
    html: str | None = None


class TicketComment(_Params):
    """Add a comment to a ticket: internal unless ``public``, mentioning the agents whose
    vendor user ids are in ``mentions`` (each helpdesk writes a mention its own way)."""

    id: str
    text: str | None = None
    html: str | None = None
    public: bool = False
    mentions: list[str] = Field(default_factory=list)


class TicketRating(_Params):
    """A client's rating of the service on a ticket: ``good``, ``okay`` or ``bad`` (the
    helpdesk's own scale is in ``vendor_rating``), with the client's words."""

    id: str
    ticket_id: str
    rating: Literal["good", "okay", "bad"]
    vendor_rating: str | None = None
    feedback: str | None = None
    contact_id: str | None = None
    rated_at: datetime | None = None


class RatingsOf(_Params):
    """List the ratings clients gave, newest first: those of one ticket, or all."""

    ticket_id: str | None = None


class UpdateCompany(_Params):
    """Change some fields of a company: only fields set in ``changes`` are written."""

    id: str
    changes: Company


class CardChannel(_Params):
    """The channel a ticket came in through, as a helpdesk describes it to a ticket card:
    its id, its kind (``email``, ``chat``, ``telegram``...) and its own address (the
    mailbox or bot), where the helpdesk gives them."""

    id: str | None = None
    type: str | None = None
    address: str | None = None


class TicketCard(Record):
    """A ticket's card, opened by an agent in a helpdesk (trigger ``ticket.card_opened``).

    - ``ticket``: the ticket, with its id in ``refs``;
    - ``client``: who wrote in, with the e-mails and phones the helpdesk knows;
    - ``channel``: where the ticket came in;
    - ``language``: the language the agent wants the card's blocks in (``en``, ``pt``...);
    - ``parameters``: the block's own parameters, as the helpdesk's set-up sends them;
    - ``automatic``: whether the helpdesk loaded the card by itself (``False`` when the
      agent asked for a refresh).
    """

    ticket: Ticket
    client: Contact | None = None
    channel: CardChannel | None = None
    language: str | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    automatic: bool = True


class DealsOf(_Params):
    """List the deals of a client (a contact, a company, or both).

    ``fields`` chooses the custom fields each deal carries in ``custom`` (by the ids
    ``field.list`` gives): a chosen field the deal leaves empty is there with ``None``,
    and the others are left out. Without ``fields`` a deal carries what the CRM sends.
    """

    contact_id: str | None = None
    company_id: str | None = None
    only_open: bool = False
    fields: list[str] | None = None

    def chosen_fields(self, custom: dict[str, Any]) -> dict[str, Any]:
        """A deal's ``custom`` with only the chosen fields (a missing one as ``None``), or
        as it is when none were chosen."""
        if self.fields is None:
            return custom
        return {field_id: custom.get(field_id) for field_id in self.fields}


class Pipeline(_Params):
    """A sales pipeline (funnel) and its stages, as a CRM names and numbers them."""

    id: str
    name: str
    stages: list[PipelineStage] = Field(default_factory=list)


class PipelineStage(_Params):
    """One stage of a pipeline."""

    id: str
    name: str


Pipeline.model_rebuild()


class NoParams(_Params):
    """An action that takes no input."""


class UserInfo(_Params):
    """A vendor user, such as the integration user that marks deals for a helpdesk."""

    id: str
    name: str | None = None
    email: str | None = None


class AgentPermissions(_Params):
    """What a helpdesk agent may do, as the helpdesk tells: their name, whether they are
    active, and which ticket writes their role or profile allows (``allowed``, by
    capability name: ``ticket.create``, ``ticket.reply``, ``ticket.reply_all``,
    ``ticket.forward``, ``ticket.set_status``), or ``None`` when the helpdesk does not
    say per action. An agent the helpdesk does not know is a ``NotFoundError``."""

    id: str
    name: str | None = None
    active: bool = True
    allowed: list[str] | None = None


class SignedUser(_Params):
    """A token a CRM's web interface signed to say which of its users made a request (such
    as amoCRM's one-time widget tokens)."""

    token: str = Field(min_length=1, max_length=8192)


class IdentifiedUser(_Params):
    """The CRM user a signed token names, and the address of the CRM account that signed
    it (the origin its web interface runs on)."""

    id: str
    account: str


class EnsureUser(_Params):
    """Find or create a vendor user by name (such as the user that marks deals for a
    helpdesk)."""

    name: str
    email: str | None = None


class WebhookSubscription(_Params):
    """Register a vendor webhook that calls ``url`` for ``event`` (a trigger capability)."""

    event: str
    url: str


class WebhookInfo(_Params):
    """A webhook registered at the vendor."""

    id: str
    event: str
    url: str


class FieldsOf(_Params):
    """List the custom fields a CRM keeps on one kind of record."""

    entity: Literal["contact", "company", "deal"]


class FieldChoice(_Params):
    """One choice of a list field (an enum value), with its id at the vendor."""

    id: str
    value: str


class FieldInfo(_Params):
    """A custom field's definition: its id, name and type as the vendor names them, its
    choices for list fields, and whether it must be filled (``required``; a CRM that
    requires a field only in some pipeline stages lists them in ``required_stages``)."""

    id: str
    name: str
    type: str
    code: str | None = None
    required: bool = False
    required_stages: list[str] = Field(default_factory=list)
    choices: list[FieldChoice] = Field(default_factory=list)


TICKET_ATTRIBUTES = ("subject", "description", "priority", "urgency", "category")
"""The ``Ticket`` attributes a ticket field may name; any other name is a key of the
ticket's ``custom``."""


class TicketField(_Params):
    """One field a helpdesk's new ticket takes: ``name`` (one of ``TICKET_ATTRIBUTES``, or
    the key the plugin reads from the draft's ``custom``), the ``label`` the helpdesk shows,
    its ``type``, whether the helpdesk refuses a ticket without it (``required``), the
    value it starts with (``default``) and, for a ``choice``, its ``options`` (each the
    value written, ``id``, and the text shown, ``value``). The requester is not a field:
    every ticket has one."""

    name: str
    label: str
    type: Literal["text", "long_text", "choice", "email", "date", "number"] = "text"
    required: bool = False
    default: str | None = None
    options: list[FieldChoice] = Field(default_factory=list)


class InteractionsOf(_Params):
    """List the history entries (notes, comments) of one record: give exactly one id."""

    deal_id: str | None = None
    contact_id: str | None = None
    company_id: str | None = None


class FeedEntry(_Params):
    """One entry of a record's activity feed: what happened, when and by whom, with the
    values before and after as the vendor reports them."""

    id: str
    type: str
    occurred_at: datetime | None = None
    author_id: str | None = None
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class Capability:
    """A canonical capability: its name, kind, models and one line on what it does."""

    name: str
    kind: Literal["action", "trigger"]
    description: str
    input: type[BaseModel] | None = None
    output: Any = None


def _action(name: str, input: type[BaseModel], output: Any, description: str) -> Capability:
    return Capability(name, "action", description, input, output)


def _trigger(name: str, record: type[BaseModel], description: str) -> Capability:
    return Capability(name, "trigger", description, None, record)


CAPABILITIES: dict[str, Capability] = {
    c.name: c
    for c in [
        _action("contact.find_by_email", ByEmail, Contact | None, "Find a person by e-mail."),
        _action("contact.find_by_phone", ByPhone, Contact | None, "Find a person by phone."),
        _action("contact.list_by_email", ByEmail, list[Contact],
                "Every person with this e-mail."),
        _action("contact.list_by_phone", ByPhone, list[Contact],
                "Every person with this phone (compared in E.164)."),
        _action("contact.get", ById, Contact, "Fetch a person by vendor id."),
        _action("contact.create", Contact, Contact, "Create a person (linked to its company)."),
        _action("contact.update", UpdateContact, Contact, "Write the fields set in `changes`."),
        _action("contact.list", PageOf, ContactPage,
                "Every person, a page at a time, in a stable order (initial sync)."),
        _action("company.find_by_email", ByEmail, Company | None, "Find a company by e-mail."),
        _action("company.find_by_name", ByName, Company | None, "Find a company by name."),
        _action("company.get", ById, Company, "Fetch a company by vendor id."),
        _action("company.create", Company, Company, "Create a company."),
        _action("company.find_by_phone", ByPhone, Company | None, "Find a company by phone."),
        _action("company.update", UpdateCompany, Company, "Write the fields set in `changes`."),
        _action("company.list", PageOf, CompanyPage,
                "Every company, a page at a time, in a stable order (initial sync)."),
        _action("contact.find_created", Contact, Contact | None,
                "Find the person created from this draft, by its marker."),
        _action("company.find_created", Company, Company | None,
                "Find the company created from this draft, by its marker."),
        _action("deal.create", Deal, Deal, "Create a deal in a pipeline and stage."),
        _action("deal.get", ById, Deal, "Fetch a deal by vendor id."),
        _action("deal.update", UpdateDeal, Deal, "Write the fields set in `changes`."),
        _action("deal.finish", FinishDeal, Deal, "Mark a deal won or lost."),
        _action("deal.list_for_client", DealsOf, list[Deal], "List a client's deals."),
        _action("lead.create", Deal, Deal, "Create a lead (a deal not yet qualified)."),
        _action("deal.find_created", Deal, Deal | None,
                "Find the deal created from this draft, by its marker."),
        _action("lead.find_created", Deal, Deal | None,
                "Find the lead created from this draft, by its marker."),
        _action("pipeline.list", NoParams, list[Pipeline], "List pipelines and stages."),
        _action("deal.feed", ById, list[FeedEntry], "List a deal's activity feed."),
        _action("field.list", FieldsOf, list[FieldInfo],
                "List custom fields with their choices and required flags."),
        _action("user.list", NoParams, list[UserInfo], "List the vendor's users."),
        _action("ticket.create", Ticket, Ticket, "Open a ticket for a requester."),
        _action("ticket.fields", NoParams, list[TicketField],
                "List the fields a new ticket takes, required ones and choices marked."),
        _action("ticket.find_created", Ticket, Ticket | None,
                "Find the ticket opened from this draft, by its marker."),
        _action("ticket.get", ById, Ticket, "Fetch a ticket with its messages."),
        _action("ticket.reply", TicketReply, Ticket, "Reply to a ticket or add a note."),
        _action("ticket.set_status", SetTicketStatus, Ticket, "Move a ticket to a status."),
        _action("ticket.list_for_client", TicketsOf, list[Ticket], "List a person's tickets."),
        _action("ticket.list_for_company", TicketsOfCompany, list[Ticket],
                "List the tickets of a company's people."),
        _action("ticket.list_messages", ById, list[Message],
                "List a ticket's conversation and comments, oldest first."),
        _action("ticket.reply_all", ReplyAll, Ticket, "Reply to everyone on a ticket."),
        _action("ticket.forward", TicketForward, Ticket, "Forward a ticket to addresses."),
        _action("ticket.comment", TicketComment, Ticket, "Comment on a ticket, with mentions."),
        _action("ticket.list_ratings", RatingsOf, list[TicketRating],
                "List the clients' ratings of tickets."),
        _action("interaction.create", Interaction, Interaction, "Add to a client's history."),
        _action("interaction.list", InteractionsOf, list[Interaction],
                "List a record's notes and comments."),
        _action("interaction.find_created", Interaction, Interaction | None,
                "Find the history entry created from this draft, by its marker."),
        _action("user.ensure", EnsureUser, UserInfo, "Find or create a vendor user."),
        _action("user.identify", SignedUser, IdentifiedUser,
                "The CRM user a token signed by the CRM's web interface names."),
        _action("agent.permissions", ById, AgentPermissions,
                "Whether a helpdesk agent is active and which ticket writes they may do."),
        _action("webhook.register", WebhookSubscription, WebhookInfo, "Register a webhook."),
        _action("webhook.remove", ById, NoParams, "Remove a registered webhook."),
        _action("webhook.list", NoParams, list[WebhookInfo], "List registered webhooks."),
        _trigger("ticket.created", Ticket, "A ticket was opened."),
        _trigger("ticket.changed", Ticket, "A ticket changed (status, owner, fields)."),
        _trigger("ticket.commented", Ticket, "A reply or note was added to a ticket."),
        _trigger("ticket.rated", Ticket, "The client rated the service on a ticket."),
        _trigger("ticket.replied", Ticket,
                 "A message of a ticket's conversation was sent or received."),
        _trigger("ticket.overdue", Ticket, "A ticket passed its due time."),
        _trigger("ticket.escalated", Ticket, "A ticket was escalated."),
        _trigger("ticket.mentioned", Ticket, "An agent was mentioned on a ticket."),
        _trigger("ticket.card_opened", TicketCard, "An agent opened a ticket's card."),
        _trigger("deal.created", Deal, "A deal was created."),
        _trigger("deal.changed", Deal, "A deal changed."),
        _trigger("contact.changed", Contact, "A person was created or changed."),
        _trigger("company.changed", Company, "A company was created or changed."),
        _trigger("chat.finished", Chat, "A live chat ended."),
        _trigger("chat.accepted", Chat, "An agent accepted a live chat."),
        _trigger("chat.updated", Chat, "A live chat's visitor data changed."),
        _trigger("chat.offline_message", Chat, "A visitor left a message while offline."),
        _trigger("chat.client_updated", Chat, "A chat client's contact data changed."),
        _trigger("call.event", Chat, "A telephony call event from the chat product."),
        Capability("request.posted", "trigger",
                   "A rule of the vendor POSTs JSON the operator writes, its placeholders "
                   "filled in (a recipe's request; see pontes.recipes.requests)."),
    ]
}
"""Every canonical capability by name."""


def canonical_capability(name: str) -> Capability | None:
    """The canonical capability called ``name``, or ``None`` for a vendor-specific one."""
    return CAPABILITIES.get(name)
