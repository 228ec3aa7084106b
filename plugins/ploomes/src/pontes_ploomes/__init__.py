"""pontes-ploomes: the Ploomes CRM as a pontes plugin.

Registers the ``ploomes`` connector, its canonical actions, its webhook trigger, the
mappers between Ploomes records and canonical ones, and a sandbox of the Ploomes API.
"""

from pontes.plugin import hookimpl

from . import actions, mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit


@hookimpl
def register_connectors():
    """The Ploomes connector."""
    return kit.connectors()


@hookimpl
def register_actions():
    """Persons, companies, deals, pipelines, history, users and webhooks at Ploomes."""
    return kit.actions()


@hookimpl
def register_triggers():
    """Ploomes webhooks for deals, persons and companies."""
    return kit.triggers()


@hookimpl
def register_mappers():
    """Ploomes persons, companies, deals and interaction records <-> canonical records."""
    return kit.mappers()


@hookimpl
def register_sandboxes():
    """An emulator of the Ploomes API with a seeded demo account."""
    return kit.sandboxes()
