"""pontes-ploomes: the Ploomes CRM as a pontes plugin.

Registers the ``ploomes`` connector, its canonical actions, its webhook trigger, the
mappers between Ploomes records and canonical ones, and a sandbox of the Ploomes API.
"""

from pontes import hookimpl

from .actions import ACTIONS
from .connector import CONNECTOR
from .mappers import MAPPERS
from .sandbox import SANDBOX
from .triggers import WEBHOOK_TRIGGER


@hookimpl
def register_connectors():
    """The Ploomes connector."""
    return [CONNECTOR]


@hookimpl
def register_actions():
    """Persons, companies, deals, pipelines, history, users and webhooks at Ploomes."""
    return list(ACTIONS)


@hookimpl
def register_triggers():
    """Ploomes webhooks for deals, persons and companies."""
    return [WEBHOOK_TRIGGER]


@hookimpl
def register_mappers():
    """Ploomes persons, companies, deals and interaction records <-> canonical records."""
    return list(MAPPERS)


@hookimpl
def register_sandboxes():
    """An emulator of the Ploomes API with a seeded demo account."""
    return [SANDBOX]
