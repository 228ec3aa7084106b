"""``tickets_tab``: a helpdesk's tickets in a CRM record's Tickets tab, and signals about
them sent to the CRM record and to the operator's webhooks.

Seed 004 (Bigin's Zoho Desk integration), for any CRM and helpdesk with the
capabilities. The tab (``pontes.panels.tickets_tab``) shows a contact's, company's or
deal's tickets and lets a mapped CRM user open, answer, forward and move them. This
module is the recipe: its options, and what it does when the helpdesk reports one of
the seven signals (a new ticket, comment or reply; a ticket overdue or escalated; a new
rating; a mention of a mapped user): each signal switched on in ``signals`` becomes a
note on the CRM record of the ticket's requester (or company), and a signed delivery to
every outgoing webhook.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from ..models import Event, Interaction, InteractionKind, Ticket
from ..notify.webhooks import OutgoingWebhook, body_of, deliver, message_id
from .base import Recipe, RoleSpec, RunContext
from .clients import find_company, find_contact

SIGNALS = {
    "ticket.created": "new_ticket",
    "ticket.commented": "new_comment",
    "ticket.replied": "new_reply",
    "ticket.overdue": "overdue",
    "ticket.escalated": "escalated",
    "ticket.rated": "new_rating",
    "ticket.mentioned": "mention",
}
"""Helpdesk trigger event -> the signal it gives (the switch in ``signals``)."""

TITLES = {
    "new_ticket": "New ticket",
    "new_comment": "New comment",
    "new_reply": "New reply",
    "overdue": "Ticket overdue",
    "escalated": "Ticket escalated",
    "new_rating": "New rating",
    "mention": "Mentioned",
}
"""How a note names each signal."""

TAB_ACTIONS = ("ticket.get", "ticket.list_for_company", "ticket.list_messages", "ticket.fields",
               "ticket.create", "ticket.reply", "ticket.reply_all", "ticket.forward",
               "ticket.set_status", "contact.find_by_email", "company.find_by_name",
               "company.find_by_email", "agent.permissions")
"""What the tab uses of the helpdesk when it can."""


class Signals(BaseModel):
    """Which signals are sent (all by default), as in Bigin's Signals settings."""

    model_config = ConfigDict(extra="forbid")

    new_ticket: bool = True
    new_comment: bool = True
    new_reply: bool = True
    overdue: bool = True
    escalated: bool = True
    new_rating: bool = True
    mention: bool = True


class TicketsTabOptions(BaseModel):
    """Options of ``tickets_tab``.

    - ``signals``: which of the seven signals are sent (all by default);
    - ``webhooks``: outgoing webhooks, each ``{url, secret}`` with a ``whsec_`` secret;
    - ``agents``: CRM user (id or e-mail) -> the helpdesk agent id they work as; each
      mapped user gets a personal tab address, the only one that lets them create or
      answer tickets (``pontes hooks`` lists them), and a mention notifies only when it
      names a mapped agent;
    - ``default_user``: a mapped CRM user the shared tab address acts for. Every viewer
      of the shared address then works as that user's agent, whoever they are: for a
      CRM whose tab cannot be given personal addresses, and a team that accepts it.
    """

    model_config = ConfigDict(extra="forbid")

    signals: Signals = Field(default_factory=Signals)
    webhooks: list[OutgoingWebhook] = Field(default_factory=list)
    agents: dict[str, str] = Field(default_factory=dict)
    default_user: str | None = None


def mentions_agent(ticket: Ticket, agents: list[str]) -> str | None:
    """The first of ``agents`` (helpdesk user ids) the ticket's latest comment names."""
    if not ticket.messages:
        return None
    latest = ticket.messages[-1]
    words = f"{latest.text or ''} {latest.html or ''}"
    for agent in agents:
        if re.search(rf"(?<![\w]){re.escape(agent)}(?![\w])", words):
            return agent
    return None


def note_text(signal: str, ticket: Ticket, helpdesk_title: str) -> tuple[str, str]:
    """The subject and text of the CRM note for ``signal`` about ``ticket``."""
    subject = (f"{helpdesk_title}: {TITLES[signal]} - ticket {ticket.number or ''}: "
               f"{ticket.subject or ''}").strip()
    lines = [f"Status: {ticket.vendor_status or ticket.status.value}",
             f"Owner: {ticket.owner.name if ticket.owner and ticket.owner.name else '-'}"]
    if signal == "new_rating":
        lines.append(f"Rating: {ticket.custom.get('rating') or '-'}")
        if ticket.custom.get("rating_feedback"):
            lines.append(f"Feedback: {ticket.custom['rating_feedback']}")
    if signal in ("new_comment", "new_reply", "mention") and ticket.messages:
        lines.append(f"Message: {(ticket.messages[-1].text or '').strip()[:500]}")
    if ticket.custom.get("url"):
        lines.append(f"Open: {ticket.custom['url']}")
    return subject, "\n".join(lines)


def signal_data(signal: str, ticket: Ticket, helpdesk: str, crm_record: dict | None) -> dict:
    """What an outgoing webhook receives about ``ticket``."""
    return {"signal": signal, "helpdesk": helpdesk, "crm_record": crm_record,
            "ticket": {"id": ticket.ref(helpdesk), "number": ticket.number,
                       "subject": ticket.subject, "status": ticket.status.value,
                       "vendor_status": ticket.vendor_status,
                       "owner": ticket.owner.name if ticket.owner else None,
                       "requester": ticket.requester.emails if ticket.requester else [],
                       "rating": ticket.custom.get("rating"),
                       "updated_at": ticket.updated_at}}


async def _crm_note_target(ctx: RunContext, ticket: Ticket) -> Interaction | None:
    """An empty note attached to the CRM contact (else company) of the ticket, if any."""
    helpdesk, crm = ctx.role("helpdesk"), ctx.role("crm")
    contact = await find_contact(ctx, helpdesk, ticket.requester, crm)
    if contact is not None:
        return Interaction(kind=InteractionKind.note, contact=contact)
    company = await find_company(ctx, helpdesk, ticket.company, crm)
    if company is not None:
        return Interaction(kind=InteractionKind.note, company=company)
    return None


async def handle(ctx: RunContext, event: Event) -> str:
    """Send one helpdesk signal to the CRM record and the outgoing webhooks."""
    options: TicketsTabOptions = ctx.options
    signal = SIGNALS[event.type]
    if not getattr(options.signals, signal):
        return f"{signal} is switched off"
    ticket = await ctx.load(Ticket)
    helpdesk, crm = ctx.role("helpdesk"), ctx.role("crm")
    if signal == "mention":
        agent = mentions_agent(ticket, list(options.agents.values()))
        if agent is None:
            return "the mention names no mapped user"
        ctx.note(f"mentions agent {agent}")
    told = []
    note = await _crm_note_target(ctx, ticket)
    crm_record = None
    if note is None:
        ctx.note("no CRM record for the ticket's requester: no note")
    elif crm.has("interaction.create"):
        subject, text = note_text(signal, ticket, helpdesk.connector.title)
        draft = note.model_copy(update={"subject": subject, "content_text": text})
        note_id = await ctx.create(f"signal-note:{signal}", crm, "interaction.create", draft)
        owner = note.contact or note.company
        crm_record = {"kind": "contact" if note.contact else "company",
                      "id": owner.ref(crm.name) if owner else None}
        told.append(f"note {note_id} at {crm.name}")
    if options.webhooks:
        body = body_of(f"ticket.{signal}", event.occurred_at,
                       signal_data(signal, ticket, helpdesk.name, crm_record))
        sent = await deliver(options.webhooks, message_id(event.idempotency_key, signal), body)
        told.append(f"{len(sent)} webhook(s)")
    return f"{signal} of ticket {ticket.number or ticket.ref(helpdesk.name)}: " + (
        ", ".join(told) or "nobody to tell")


RECIPE = Recipe(
    name="tickets_tab",
    description="A CRM record's Tickets tab (see, open, answer, forward and move the "
                "client's helpdesk tickets), and the helpdesk's signals as CRM notes and "
                "signed webhooks.",
    roles={
        "helpdesk": RoleSpec(requires=("ticket.list_for_client",),
                             triggers=tuple(SIGNALS), optional=TAB_ACTIONS,
                             description="the helpdesk whose tickets the tab shows"),
        "crm": RoleSpec(requires=("contact.get",),
                        optional=("company.get", "deal.get", "interaction.create",
                                  "interaction.find_created", "contact.find_by_email",
                                  "contact.find_by_phone", "company.find_by_name"),
                        description="the CRM whose records show the tab and get the notes"),
    },
    handle=handle,
    options=TicketsTabOptions,
)
