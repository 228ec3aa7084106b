"""Movidesk for pontes: a helpdesk whose tickets and persons pontes reads and writes.

The plugin's contributions, through the hooks of ``pontes.hookspecs``:

- connector ``movidesk`` (role ``helpdesk``), settings in ``settings.MovideskSettings``;
- actions: contact and company find/get/create, ticket create/get/reply, and
  ``movidesk.ticket.set_status`` / ``movidesk.ticket.set_custom_fields``;
- triggers: the "call webhook" automation and a ``lastUpdate`` poller (``ticket.changed``);
- mappers for tickets, contacts and companies;
- a sandbox emulating the Movidesk public API (``pontes_movidesk.sandbox``);
- streams for warehouse export: persons, tickets and satisfaction surveys, in the tables
  of Kondado's Movidesk pipeline (``pontes_movidesk.streams``).
"""

from __future__ import annotations

from pontes import hookimpl
from pontes.connector import Connector

from . import streams
from .actions import actions
from .client import build_client, check_connection
from .mappers import mappers
from .sandbox import sandbox
from .settings import MovideskSettings
from .setup_steps import webhook_setup
from .triggers import triggers

CONNECTOR = Connector(
    name="movidesk",
    title="Movidesk",
    roles=("helpdesk",),
    settings=MovideskSettings,
    client=build_client,
    check=check_connection,
    docs_url="https://atendimento.movidesk.com/kb/article/256/movidesk-ticket-api",
    webhook_setup=webhook_setup,
)


@hookimpl
def register_connectors():
    """The Movidesk connector."""
    return [CONNECTOR]


@hookimpl
def register_actions():
    """Movidesk's actions (see ``pontes_movidesk.actions``)."""
    return actions()


@hookimpl
def register_triggers():
    """The webhook and polling triggers for ticket changes."""
    return triggers()


@hookimpl
def register_mappers():
    """Ticket, contact and company mappers."""
    return mappers()


@hookimpl
def register_sandboxes():
    """The Movidesk API sandbox."""
    return [sandbox()]


@hookimpl
def register_streams():
    """Persons, tickets and satisfaction surveys for ``pontes export``."""
    return streams.streams()
