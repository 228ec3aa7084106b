"""The Jivo client: a ``VendorClient`` on a sandbox or on Jivo's site.

Jivo's Webhooks API is one-way (Jivo posts to us), so no plugin code calls Jivo; the
client exists because every connection has one, and points at ``base_url`` when a
sandbox is used.
"""

from __future__ import annotations

from pontes.plugin import ConnectionSettings, VendorClient

JIVO_SITE_URL = "https://www.jivo.ru"
"""Where the client points when no ``base_url`` is set (the plugin calls no Jivo endpoint)."""


def build_client(connection_name: str, settings: ConnectionSettings) -> VendorClient:
    """A client on ``base_url`` (a sandbox) or Jivo's site; no plugin code calls Jivo."""
    return VendorClient(connection=connection_name, base_url=settings.base_url or JIVO_SITE_URL)
