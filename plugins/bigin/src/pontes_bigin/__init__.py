"""pontes-bigin: Bigin by Zoho as a pontes plugin.

Registers the ``bigin`` connector (Zoho OAuth, per data centre), its actions on contacts,
accounts, pipeline records, notes, users, field metadata, batch writes and upserts, and
the watch channel, its notification trigger, the mappers, and a sandbox of Bigin's API
v2 with Zoho's accounts server and a record page.

The entry point names ``kit`` (``pontes_bigin.connector.kit``), which implements the vendor
hooks itself; importing this package declares everything on it.
"""

from . import actions, mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit

__all__ = ["kit"]
