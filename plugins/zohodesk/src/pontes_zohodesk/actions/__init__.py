"""The Zoho Desk actions, one module per subject; importing them declares them on the kit."""

from . import (  # noqa: F401
    agents,
    conversation,
    listing,
    people,
    ratings,
    ticket_fields,
    tickets,
    webhooks,
)
