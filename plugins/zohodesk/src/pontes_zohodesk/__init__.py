"""pontes-zohodesk: Zoho Desk as a pontes plugin.

Registers the ``zohodesk`` connector (Zoho OAuth, the portal's ``orgId``), its ticket,
conversation, contact, account, rating and webhook actions, the webhook and
customer-happiness triggers, the ticket/contact/account mappers, the export streams and
a sandbox of the Zoho Desk API.
"""

from pontes.plugin import hookimpl

from . import actions, mappers, people_poll, sandbox, streams, triggers  # noqa: F401 (each declares its part)
from .connector import kit


@hookimpl
def register_connectors():
    """The Zoho Desk connector."""
    return kit.connectors()


@hookimpl
def register_actions():
    """Tickets, their conversation and comments, contacts, accounts, ratings, webhooks."""
    return kit.actions()


@hookimpl
def register_triggers():
    """Zoho Desk's webhook deliveries and its customer-happiness ratings."""
    return kit.triggers()


@hookimpl
def register_mappers():
    """Zoho Desk tickets, contacts and accounts <-> canonical records."""
    return kit.mappers()


@hookimpl
def register_streams():
    """Tickets, contacts, accounts and ratings for warehouse export."""
    return kit.streams()


@hookimpl
def register_sandboxes():
    """An emulator of Zoho Desk's API and its Zoho accounts server."""
    return kit.sandboxes()
