"""``deal_to_ticket``: a CRM deal assigned to the integration user opens a helpdesk ticket,
and resolving that ticket finishes the deal.

Seed 000 (Ploomes -> Movidesk): a deal whose owner or collaborators include the
integration user (by default named after the helpdesk product, as its connector's title
gives it) opens a ticket for the deal's client, found in the helpdesk by the stored id or
by e-mail and created through the mapping when missing. Ticket and
deal are linked; when the ticket reaches a finishing status (Resolved or Closed) the deal
is marked won (or lost, by option) and its fields are updated through the
``ticket_to_deal`` mapping.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..capabilities import UserInfo
from ..connection import Connection
from ..errors import PermanentFailure
from ..models import Company, Contact, Deal, DealStatus, Event, Ticket, TicketStatus, UserRef
from .activation import activate_webhooks, ensure_integration_user
from .base import Integration, MappingSlot, Recipe, RoleSpec, RunContext, SetupStep
from .clients import client_label, find_or_create_client, translate
from .text import check_template, render

LINK = "deal-ticket"


class DealToTicketOptions(BaseModel):
    """Options of ``deal_to_ticket``.

    - ``integration_user``: the CRM user whose presence as owner or collaborator marks a
      deal for the helpdesk (created at activation when missing); by default the title
      of the helpdesk's connector;
    - ``finish_on``: ticket statuses that finish the deal; ``finish_as``: won or lost;
    - ``subject`` / ``description``: the ticket's subject and first message, with the
      placeholders ``{title} {amount} {currency} {pipeline} {stage} {client} {deal_id}``;
    - ``category``, ``urgency``, ``team``: defaults for the new ticket (the
      ``deal_to_ticket`` mapping can override them per deal).
    """

    model_config = ConfigDict(extra="forbid")

    integration_user: str | None = None
    finish_on: list[TicketStatus] = Field(
        default_factory=lambda: [TicketStatus.solved, TicketStatus.closed])
    finish_as: Literal[DealStatus.won, DealStatus.lost] = DealStatus.won
    subject: str = "{title}"
    description: str = "Opened from deal {deal_id} ({title}) for {client}."
    category: str | None = None
    urgency: str | None = None
    team: str | None = None

    @field_validator("subject", "description")
    @classmethod
    def _placeholders_are_known(cls, value: str) -> str | None:
        return check_template(value, PLACEHOLDERS)


PLACEHOLDERS = ("title", "amount", "currency", "pipeline", "stage", "client", "deal_id")
"""What ``subject`` and ``description`` may use (the recipe fills each of them)."""


def integration_user(integration: Integration) -> str:
    """The integration user's name: the option, else the helpdesk connector's title."""
    chosen = integration.options.integration_user
    return chosen if chosen is not None else integration.connections["helpdesk"].connector.title


def assigned_to(deal: Deal, user: UserInfo) -> bool:
    """Whether ``user`` is the deal's owner or one of its collaborators."""

    def same(ref: UserRef | None) -> bool:
        if ref is None:
            return False
        if ref.remote_id is not None:
            return ref.remote_id == user.id
        return bool(ref.name and user.name and ref.name.casefold() == user.name.casefold())

    return same(deal.owner) or any(same(c) for c in deal.collaborators)


async def _complete(crm: Connection, record: Contact | Company | None,
                    capability: str) -> Contact | Company | None:
    """The CRM's full record when ``record`` carries only its id (deals often do)."""
    if record is None or record.emails:
        return record
    remote_id = record.ref(crm.name)
    if remote_id and crm.has(capability):
        return await crm.call(capability, id=remote_id)
    return record


async def _full_client(crm: Connection, deal: Deal) -> tuple[Contact | None, Company | None]:
    """The deal's person and company with their details; a company known by nothing but
    an id the CRM cannot resolve is left out rather than created empty elsewhere."""
    contact = await _complete(crm, deal.contact, "contact.get")
    company = deal.company or (contact.company if contact else None)
    company = await _complete(crm, company, "company.get")
    if company is not None and not (company.name or company.emails):
        company = None
    return contact, company


async def open_ticket(ctx: RunContext, deal: Deal) -> str:
    """Open the helpdesk ticket of a deal assigned to the integration user."""
    options: DealToTicketOptions = ctx.options
    crm, helpdesk = ctx.role("crm"), ctx.role("helpdesk")
    deal_id = deal.ref(crm.name)
    user_name = integration_user(ctx.integration)
    user = await crm.call("user.ensure", name=user_name)
    if not assigned_to(deal, user):
        return f"deal {deal_id} is not assigned to {user_name!r}: nothing to do"
    linked = await ctx.links.lookup(LINK, crm.name, deal_id)
    if linked and helpdesk.name in linked:
        return f"deal {deal_id} already has ticket {linked[helpdesk.name]}"
    contact, company = await _full_client(crm, deal)
    if contact is None and company is None:
        raise PermanentFailure(f"deal {deal_id} has no client: a ticket needs a requester")
    client = await find_or_create_client(ctx, crm, helpdesk, contact, company, create=True)
    if not client.found:
        raise PermanentFailure(f"the client {client_label(contact or company)} of deal {deal_id} "
                               f"could not be found or created in {helpdesk.name}")
    fields = {
        "title": deal.title or "-", "amount": str(deal.amount or "-"),
        "currency": deal.currency or "-", "pipeline": deal.pipeline or "-",
        "stage": deal.stage or "-", "client": client_label(contact or company), "deal_id": deal_id,
    }
    where = f"integrations.{ctx.integration.name}.options"
    defaults = {k: v for k, v in {"category": options.category, "urgency": options.urgency,
                                  "team": options.team}.items() if v is not None}
    draft = translate(ctx, "deal_to_ticket", deal, Ticket, carry=False, **{
        **defaults,
        "subject": render(options.subject, fields, f"{where}.subject"),
        "description": render(options.description, fields, f"{where}.description"),
        "requester": client.contact, "company": client.company,
    })
    ticket_id = await ctx.create("open-ticket", helpdesk, "ticket.create", draft)
    await ctx.links.link(LINK, {crm.name: deal_id, helpdesk.name: ticket_id})
    ctx.note(f"deal {deal_id} opened ticket {ticket_id} in {helpdesk.name} "
             f"for {client_label(client.contact or client.company)}")
    return ctx.notes[-1]


async def finish_deal(ctx: RunContext, ticket: Ticket) -> str:
    """Finish the deal linked to a ticket that reached a finishing status."""
    options: DealToTicketOptions = ctx.options
    crm, helpdesk = ctx.role("crm"), ctx.role("helpdesk")
    ticket_id = ticket.ref(helpdesk.name)
    linked = await ctx.links.lookup(LINK, helpdesk.name, ticket_id)
    if not linked or crm.name not in linked:
        return f"ticket {ticket_id} was not opened from a deal: nothing to do"
    if ticket.status not in options.finish_on:
        return f"ticket {ticket_id} is {ticket.status.value}: deal {linked[crm.name]} stays open"
    deal = await crm.call("deal.get", id=linked[crm.name])
    if deal.status != DealStatus.open:
        return f"deal {linked[crm.name]} is already {deal.status.value}"
    changes = translate(ctx, "ticket_to_deal", ticket, Deal, carry=False)
    await crm.call("deal.finish", id=linked[crm.name], status=options.finish_as, changes=changes)
    ctx.note(f"ticket {ticket_id} is {ticket.status.value}: deal {linked[crm.name]} marked "
             f"{options.finish_as.value} in {crm.name}")
    return ctx.notes[-1]


async def handle(ctx: RunContext, event: Event) -> str:
    """A deal event may open a ticket; a ticket event may finish a deal."""
    if ctx.source_role == "crm":
        return await open_ticket(ctx, await ctx.load(Deal))
    return await finish_deal(ctx, await ctx.load(Ticket))


async def activate(integration: Integration, hook_urls: dict[str, str]) -> list[SetupStep]:
    """Create the integration user, then register or describe both webhooks."""
    steps = [await ensure_integration_user(integration.connections["crm"],
                                           integration_user(integration))]
    return steps + await activate_webhooks(integration, hook_urls)


RECIPE = Recipe(
    name="deal_to_ticket",
    description="A deal assigned to the integration user opens a ticket; solving it wins the deal.",
    roles={
        "crm": RoleSpec(requires=("user.ensure", "deal.get", "deal.finish"),
                        triggers=("deal.created", "deal.changed"),
                        optional=("contact.get", "company.get", "webhook.register"),
                        description="where deals are created"),
        "helpdesk": RoleSpec(requires=("ticket.create", "contact.find_by_email"),
                             triggers=("ticket.changed",),
                             optional=("contact.create", "company.create", "contact.get",
                                       "ticket.find_created", "contact.find_created",
                                       "company.find_created"),
                             description="where the deal's ticket is worked"),
    },
    handle=handle,
    options=DealToTicketOptions,
    mappings={
        "contact": MappingSlot(Contact, Contact, "CRM person -> helpdesk person"),
        "company": MappingSlot(Company, Company, "CRM company -> helpdesk company"),
        "deal_to_ticket": MappingSlot(Deal, Ticket, "deal fields -> the new ticket"),
        "ticket_to_deal": MappingSlot(Ticket, Deal, "ticket fields -> the finished deal"),
    },
    activate=activate,
)
