"""pontes-zohodesk: Zoho Desk as a pontes plugin.

Registers the ``zohodesk`` connector (Zoho OAuth, the portal's ``orgId``), its ticket,
conversation, contact, account, rating and webhook actions, the webhook and
customer-happiness triggers, the ticket/contact/account mappers, the export streams and
a sandbox of the Zoho Desk API.

The entry point names ``kit`` (``pontes_zohodesk.connector.kit``), which implements the vendor
hooks itself; importing this package declares everything on it.
"""

from . import actions, mappers, sandbox, streams, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit

__all__ = ["kit"]
