"""``ticket_history``: helpdesk tickets become entries in the CRM client's history.

Seed 000 (Movidesk -> Ploomes): when the helpdesk reports a ticket (typically when it is
resolved), the CRM client is found by e-mail and gets an interaction record with the
ticket's status, id, subject, opening date, category, urgency and owner. With
``create_clients`` on, a client missing from the CRM is created through the ``contact``
and ``company`` mappings; with it off, the run fails visibly (a dead letter that can be
replayed once the client exists), never silently.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from ..errors import PermanentFailure
from ..models import Company, Contact, Event, Interaction, InteractionKind, Ticket, TicketStatus
from .base import MappingSlot, Recipe, RoleSpec, RunContext
from .clients import client_label, find_or_create_client
from .text import check_template, render

PLACEHOLDERS = ("status", "number", "subject", "opened_at", "category", "urgency", "owner",
                "team", "requester", "description", "url")
"""What ``subject`` and ``template`` may use (``ticket_fields`` fills each of them)."""
DEFAULT_SUBJECT = "Ticket {number}: {subject}"
DEFAULT_TEMPLATE = (
    "Status: {status}\n"
    "Ticket id: {number}\n"
    "Subject: {subject}\n"
    "Opened at: {opened_at}\n"
    "Category: {category}\n"
    "Urgency: {urgency}\n"
    "Owner: {owner}"
)


class TicketHistoryOptions(BaseModel):
    """Options of ``ticket_history``.

    - ``create_clients``: create a client missing from the CRM (default: off);
    - ``statuses``: only tickets in these canonical statuses are recorded (default: all);
    - ``subject`` / ``template``: the record's subject and text; placeholders are
      ``{status} {number} {subject} {opened_at} {category} {urgency} {owner} {team}
      {requester} {description} {url}``;
    - ``date_format``: how ``{opened_at}`` is written.
    """

    model_config = ConfigDict(extra="forbid")

    create_clients: bool = False
    statuses: list[TicketStatus] | None = None
    subject: str = DEFAULT_SUBJECT
    template: str = DEFAULT_TEMPLATE
    date_format: str = "%d/%m/%Y %H:%M"

    @field_validator("subject", "template")
    @classmethod
    def _placeholders_are_known(cls, value: str) -> str | None:
        return check_template(value, PLACEHOLDERS)


def ticket_fields(ticket: Ticket, date_format: str) -> dict[str, str]:
    """The template placeholders of a ticket, as text ("-" where unknown)."""

    def text(value: object) -> str:
        if value is None or value == "":
            return "-"
        if isinstance(value, datetime):
            return value.strftime(date_format)
        return str(value)

    return {
        "status": text(ticket.vendor_status or ticket.status.value),
        "number": text(ticket.number),
        "subject": text(ticket.subject),
        "opened_at": text(ticket.created_at),
        "category": text(ticket.category),
        "urgency": text(ticket.urgency or ticket.priority),
        "owner": text(ticket.owner.name if ticket.owner else None),
        "team": text(ticket.team),
        "requester": client_label(ticket.requester or ticket.company),
        "description": text(ticket.description),
        "url": text(ticket.custom.get("url")),
    }


async def handle(ctx: RunContext, event: Event) -> str:
    """Record one helpdesk ticket event in the CRM client's history."""
    options: TicketHistoryOptions = ctx.options
    ticket = await ctx.load(Ticket)
    if options.statuses and ticket.status not in options.statuses:
        return f"ticket {ticket.number} is {ticket.status.value}: not recorded"
    helpdesk, crm = ctx.role("helpdesk"), ctx.role("crm")
    if not (ticket.requester and ticket.requester.emails) and not (
            ticket.company and ticket.company.emails):
        raise PermanentFailure(f"ticket {ticket.number} has no client with an e-mail address: "
                               "the CRM client cannot be found")
    client = await find_or_create_client(ctx, helpdesk, crm, ticket.requester, ticket.company,
                                         create=options.create_clients)
    if not client.found:
        raise PermanentFailure(
            f"client {client_label(ticket.requester or ticket.company)} of ticket {ticket.number} "
            f"is not in {crm.name} and create_clients is off: create the client there, "
            "then replay this event"
        )
    fields = ticket_fields(ticket, options.date_format)
    where = f"integrations.{ctx.integration.name}.options"
    record = Interaction(
        kind=InteractionKind.ticket,
        subject=render(options.subject, fields, f"{where}.subject"),
        content_text=render(options.template, fields, f"{where}.template"),
        occurred_at=ticket.updated_at or ticket.created_at,
        contact=client.contact,
        company=client.company,
        ticket=ticket,
    )
    record_id = await ctx.create("history", crm, "interaction.create", record)
    ctx.note(f"ticket {ticket.number} recorded in the history of "
             f"{client_label(client.contact or client.company)} at {crm.name} (record {record_id})")
    return ctx.notes[-1]


RECIPE = Recipe(
    name="ticket_history",
    description="Helpdesk tickets become interaction records in the CRM client's history.",
    roles={
        "helpdesk": RoleSpec(triggers=("ticket.changed", "ticket.created"),
                             description="where tickets are worked"),
        "crm": RoleSpec(requires=("contact.find_by_email", "interaction.create"),
                        optional=("contact.create", "company.create", "company.find_by_email",
                                  "company.find_by_name", "contact.find_by_phone",
                                  "interaction.find_created", "contact.find_created",
                                  "company.find_created"),
                        description="where the client's history is kept"),
    },
    handle=handle,
    options=TicketHistoryOptions,
    mappings={
        "contact": MappingSlot(Contact, Contact, "helpdesk person -> CRM person"),
        "company": MappingSlot(Company, Company, "helpdesk company -> CRM company"),
    },
)
