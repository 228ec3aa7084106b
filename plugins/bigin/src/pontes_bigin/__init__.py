"""pontes-bigin: Bigin by Zoho as a pontes plugin.

Registers the ``bigin`` connector (Zoho OAuth, per data centre), its actions on contacts,
accounts, pipeline records, notes, users, field metadata, batch writes and upserts, and
the watch channel, its notification trigger, the mappers, and a sandbox of Bigin's API
v2 with Zoho's accounts server and a record page.
"""

from pontes.plugin import hookimpl

from . import actions, mappers, people_poll, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit


@hookimpl
def register_connectors():
    """The Bigin connector."""
    return kit.connectors()


@hookimpl
def register_actions():
    """Contacts, accounts, deals, notes, metadata, batch writes and the watch at Bigin."""
    return kit.actions()


@hookimpl
def register_triggers():
    """Bigin's notifications and the renewal of their channels."""
    return kit.triggers()


@hookimpl
def register_mappers():
    """Bigin contacts, accounts, pipeline records and notes <-> canonical records."""
    return kit.mappers()


@hookimpl
def register_sandboxes():
    """An emulator of Bigin's API v2, Zoho's accounts server and a record page."""
    return kit.sandboxes()
