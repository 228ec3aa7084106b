"""JivoChat (Jivo) for pontes.

Jivo pushes every event of a channel to one URL (its Webhooks API); this plugin reads
those events as canonical chats, builds the answer Jivo shows to the agent, and ships a
sandbox that plays Jivo's side. Jivo offers no API worth wrapping for a CRM integration,
so the plugin registers no actions.
"""

from __future__ import annotations

from pontes import hookimpl

from .connector import jivo_connector
from .mappers import chat_mapper
from .replies import agent_panel_reply
from .sandbox import jivo_sandbox
from .triggers import webhook_trigger

__all__ = ["agent_panel_reply"]


@hookimpl
def register_connectors():
    """The JivoChat connector."""
    return [jivo_connector()]


@hookimpl
def register_triggers():
    """The Webhooks API trigger (six event types)."""
    return [webhook_trigger()]


@hookimpl
def register_mappers():
    """The ``chat`` mapper."""
    return [chat_mapper()]


@hookimpl
def register_sandboxes():
    """The sandbox that plays Jivo's side."""
    return [jivo_sandbox()]
