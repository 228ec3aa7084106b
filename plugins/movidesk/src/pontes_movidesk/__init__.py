"""Movidesk for pontes: a helpdesk whose tickets and persons pontes reads and writes.

The plugin's contributions, through the hooks of ``pontes.hookspecs``:

- connector ``movidesk`` (role ``helpdesk``), settings in ``connector.MovideskSettings``;
- actions: contact and company find/get/create, their lists (``listing``), ticket
  create/get/reply, ``movidesk.ticket.set_status`` /
  ``movidesk.ticket.set_custom_fields``, and whether an agent is active
  (``agents``: ``agent.permissions``), and what a new ticket takes
  (``ticket_fields``: ``ticket.fields``), and a client's or company's tickets and a
  canonical status change for the Tickets tab (``ticket_tab``);
- triggers: the "call webhook" automation and a ``lastUpdate`` poller (``ticket.changed``),
  and the Tickets tab's signals told by the automation's body and by a poll
  (``signals``, ``signal_poll``), and satisfaction-survey answers as ratings
  (``rating_poll``);
- mappers for tickets, contacts and companies;
- a sandbox emulating the Movidesk public API (``pontes_movidesk.sandbox``);
- streams for warehouse export: persons, tickets and satisfaction surveys, in the tables
  of Kondado's Movidesk pipeline (``pontes_movidesk.streams``).
"""

from __future__ import annotations

from pontes.plugin import hookimpl

from . import (  # noqa: F401 (each declares its part on the kit)
    actions,
    agents,
    listing,
    mappers,
    rating_poll,
    sandbox,
    signal_poll,
    streams,
    ticket_fields,
    ticket_tab,
    triggers,
)
from .connector import kit


@hookimpl
def register_connectors():
    """The Movidesk connector."""
    return kit.connectors()


@hookimpl
def register_actions():
    """Movidesk's actions (see ``pontes_movidesk.actions``)."""
    return kit.actions()


@hookimpl
def register_triggers():
    """The webhook and polling triggers for ticket changes."""
    return kit.triggers()


@hookimpl
def register_mappers():
    """Ticket, contact and company mappers."""
    return kit.mappers()


@hookimpl
def register_sandboxes():
    """The Movidesk API sandbox."""
    return kit.sandboxes()


@hookimpl
def register_streams():
    """Persons, tickets and satisfaction surveys for ``pontes export``."""
    return kit.streams()
