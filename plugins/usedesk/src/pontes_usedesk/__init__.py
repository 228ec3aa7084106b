"""Usedesk for pontes: a helpdesk whose tickets, comments and clients pontes reads and
writes, and whose ticket card shows what pontes answers.

The plugin's contributions, through the hooks of ``pontes.hookspecs``:

- connector ``usedesk`` (role ``helpdesk``), settings in ``connector.UsedeskSettings``;
- actions: tickets (``ticket.get``, ``ticket.create``, ``ticket.find_created``,
  ``ticket.reply`` public or private, ``ticket.set_status``, ``ticket.list_for_client``,
  ``usedesk.ticket.list``) and clients (``contact.get``, ``contact.find_by_email``,
  ``contact.find_by_phone``, ``contact.create``, ``contact.find_created``,
  ``contact.update``);
- triggers: the API channel's deliveries (``webhook``: tickets created, commented,
  changed, rated) and the dynamic block (``ticket_card``: ``ticket.card_opened``,
  answered with the block's HTML);
- mappers for tickets, contacts (clients) and comments;
- a sandbox of the Usedesk API, its webhooks and its ticket card (``pontes_usedesk.sandbox``).
"""

from __future__ import annotations

from pontes.plugin import hookimpl

from . import actions, mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit


@hookimpl
def register_connectors():
    """The Usedesk connector."""
    return kit.connectors()


@hookimpl
def register_actions():
    """Usedesk's ticket and client actions (see ``pontes_usedesk.actions``)."""
    return kit.actions()


@hookimpl
def register_triggers():
    """The API channel's webhook and the dynamic block."""
    return kit.triggers()


@hookimpl
def register_mappers():
    """Ticket, contact and comment mappers."""
    return kit.mappers()


@hookimpl
def register_sandboxes():
    """The Usedesk sandbox."""
    return kit.sandboxes()
