"""pontes-amocrm: amoCRM as a pontes plugin.

Registers the ``amocrm`` connector (a long-lived token or OAuth with rotating refresh
tokens), its actions on contacts, companies, leads, notes, the feed, pipelines, users,
custom fields and webhooks, the account webhook trigger, the mappers, and a sandbox of
amoCRM's API v4.
"""

from pontes.plugin import hookimpl

from . import actions, mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit


@hookimpl
def register_connectors():
    """The amoCRM connector."""
    return kit.connectors()


@hookimpl
def register_actions():
    """Contacts, companies, deals, notes, metadata and webhooks at amoCRM."""
    return kit.actions()


@hookimpl
def register_triggers():
    """amoCRM's account webhook: leads, contacts and companies added or changed."""
    return kit.triggers()


@hookimpl
def register_mappers():
    """amoCRM contacts, companies, leads and notes <-> canonical records."""
    return kit.mappers()


@hookimpl
def register_sandboxes():
    """An emulator of amoCRM's API v4, OAuth and webhooks."""
    return kit.sandboxes()
