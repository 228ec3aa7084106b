"""A recipe for the Usedesk server tests, loaded by the server through
``PONTES_EXTRA_PLUGINS``: ``card_echo`` (role ``helpdesk``) takes ``ticket.card_opened``
and answers the dynamic block with the card's own client and a link that names the
ticket and the block's language, so a test sees the block's answer built from the card.
"""

from __future__ import annotations

from pontes import hookimpl
from pontes.models import ClientContext, Event
from pontes.plugin import TicketCard
from pontes.recipes import Recipe, RoleSpec, RunContext


async def handle(ctx: RunContext, event: Event) -> str:
    """Nothing to do when a card opens but say so."""
    card = await ctx.load(TicketCard)
    return f"card of ticket {card.ticket.number} opened in {card.language}"


async def context(ctx: RunContext) -> ClientContext:
    """The card's client, and a link naming its ticket and language."""
    card = await ctx.load(TicketCard)
    return ClientContext(contact=card.client,
                         url=f"https://crm.example/tickets/{card.ticket.number}"
                             f"?language={card.language}")


@hookimpl
def register_recipes() -> list[Recipe]:
    """The ``card_echo`` recipe."""
    return [Recipe(name="card_echo", description="Answers a ticket card with its client.",
                   roles={"helpdesk": RoleSpec(triggers=("ticket.card_opened",))},
                   handle=handle, context=context, context_events=("ticket.card_opened",))]
