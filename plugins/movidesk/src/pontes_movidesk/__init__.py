"""Movidesk for pontes: a helpdesk whose tickets and persons pontes reads and writes.

The plugin's contributions, through the hooks of ``pontes.hookspecs``:

- connector ``movidesk`` (role ``helpdesk``), settings in ``connector.MovideskSettings``;
- actions: contact and company find/get/create, ticket create/get/reply, and
  ``movidesk.ticket.set_status`` / ``movidesk.ticket.set_custom_fields``;
- triggers: the "call webhook" automation and a ``lastUpdate`` poller (``ticket.changed``);
- mappers for tickets, contacts and companies;
- a sandbox emulating the Movidesk public API (``pontes_movidesk.sandbox``);
- streams for warehouse export: persons, tickets and satisfaction surveys, in the tables
  of Kondado's Movidesk pipeline (``pontes_movidesk.streams``).

The entry point names ``kit`` (``pontes_movidesk.connector.kit``), which implements the vendor
hooks itself; importing this package declares everything on it.
"""

from . import actions, mappers, sandbox, streams, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit

__all__ = ["kit"]
