"""The Zoho Desk actions, one module per subject; importing them declares them on the kit."""

from . import agents, conversation, listing, people, ratings, tickets, webhooks  # noqa: F401
