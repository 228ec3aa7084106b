"""JivoChat (Jivo) for pontes.

Jivo pushes every event of a channel to one URL (its Webhooks API); this plugin reads
those events as canonical chats (the ``webhooks`` trigger and the ``chat`` mapper),
builds the answer Jivo shows to the agent (``replies.agent_panel_reply``), and ships a
sandbox that plays Jivo's side. Jivo offers no API worth wrapping for a CRM integration,
so the plugin registers no actions.

The entry point names ``kit`` (``pontes_jivo.connector.kit``), which implements the vendor
hooks itself; importing this package declares everything on it.
"""

from . import mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit

__all__ = ["kit"]
