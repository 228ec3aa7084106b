"""JivoChat (Jivo) for pontes.

Jivo pushes every event of a channel to one URL (its Webhooks API); this plugin reads
those events as canonical chats (the ``webhooks`` trigger and the ``chat`` mapper),
builds the answer Jivo shows to the agent (``replies.agent_panel_reply``), and ships a
sandbox that plays Jivo's side. Jivo offers no API worth wrapping for a CRM integration,
so the plugin registers no actions.
"""

from pontes.plugin import hookimpl

from . import mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit


@hookimpl
def register_connectors():
    """The JivoChat connector."""
    return kit.connectors()


@hookimpl
def register_triggers():
    """The Webhooks API trigger (six event types)."""
    return kit.triggers()


@hookimpl
def register_mappers():
    """The ``chat`` mapper."""
    return kit.mappers()


@hookimpl
def register_sandboxes():
    """The sandbox that plays Jivo's side."""
    return kit.sandboxes()
