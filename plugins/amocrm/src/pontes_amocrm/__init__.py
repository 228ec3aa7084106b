"""pontes-amocrm: amoCRM as a pontes plugin.

Registers the ``amocrm`` connector (a long-lived token or OAuth with rotating refresh
tokens), its actions on contacts, companies, leads, notes, the feed, pipelines, users,
custom fields and webhooks, the account webhook trigger, the mappers, and a sandbox of
amoCRM's API v4.

The entry point names ``kit`` (``pontes_amocrm.connector.kit``), which implements the vendor
hooks itself; importing this package declares everything on it.
"""

from . import actions, mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit

__all__ = ["kit"]
