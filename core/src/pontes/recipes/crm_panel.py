"""``crm_panel``: the CRM's block in a helpdesk's ticket card.

Seed 003 (Usedesk's amoCRM block), for any helpdesk with a ticket-card trigger and any
CRM. When an agent opens a ticket, the helpdesk asks the block for its HTML; the answer
is a frame of a pontes panel page at a signed URL (``pontes.panels``), where the agent
sees the client's CRM contacts (found by e-mail and by phone in E.164) and their deals,
links the right contact, creates contacts and deals, opens a deal's card and comments on
it, or logs pontes in to the CRM. Features the CRM cannot do are left out of the panel.
"""

from __future__ import annotations

from ..capabilities import TicketCard
from ..models import ClientContext, Event
from ..panels.context import PanelContext, panel_url
from ..panels.features import HELPDESK_TRIGGER, LOOKUP_CAPABILITIES
from ..web.i18n import choose_language
from .base import Recipe, RoleSpec, RunContext


async def handle(ctx: RunContext, event: Event) -> str:
    """A card opened: nothing to do at the CRM until the agent uses the panel."""
    card = await ctx.load(TicketCard)
    return f"the card of ticket {card.ticket.number or event.record_id} was opened"


def panel_context(integration: str, card: TicketCard, helpdesk: str) -> PanelContext:
    """The signed context of the panel for ``card``: its ticket, client and language."""
    client = card.client
    return PanelContext(
        integration=integration,
        ticket=card.ticket.ref(helpdesk) or card.ticket.number or "",
        client=client.ref(helpdesk) if client is not None else None,
        name=client.display_name() if client is not None else None,
        emails=tuple(client.emails) if client is not None else (),
        phones=tuple(client.phones) if client is not None else (),
        language=choose_language(card.language),
    )


async def context(ctx: RunContext) -> ClientContext:
    """The helpdesk's answer when the card opens: the panel's signed URL."""
    card = await ctx.load(TicketCard)
    signed = panel_context(ctx.integration.name, card, ctx.source.name)
    return ClientContext(contact=card.client, panel_url=panel_url(ctx.integration, signed))


RECIPE = Recipe(
    name="crm_panel",
    description="The CRM's block in a helpdesk's ticket card: the client's contacts and "
                "deals, linking, creating, deal cards and comments.",
    roles={
        "helpdesk": RoleSpec(triggers=(HELPDESK_TRIGGER,),
                             description="the helpdesk whose ticket card shows the block"),
        "crm": RoleSpec(requires=("contact.get",),
                        optional=(*LOOKUP_CAPABILITIES, "contact.create", "deal.list_for_client",
                                  "deal.create", "deal.get", "deal.feed", "pipeline.list",
                                  "field.list", "user.list", "interaction.list",
                                  "interaction.create"),
                        description="the CRM the block shows and edits"),
    },
    handle=handle,
    context=context,
    context_events=(HELPDESK_TRIGGER,),
)
