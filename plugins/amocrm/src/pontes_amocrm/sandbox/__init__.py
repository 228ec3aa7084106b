"""A sandbox of amoCRM's API v4 for demos and tests (``pontes sandbox amocrm``).

Written from the vendor notes, not from this plugin's client: ``app`` lists the
endpoints it answers, ``oauth`` the authorize page and token endpoint, ``control`` its
own ``/_sandbox`` endpoints.
"""

from __future__ import annotations

from typing import Any

from ..connector import kit
from .app import (
    REQUESTS_PER_SECOND,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_TOKEN,
    build_app,
)
from .state import COMPANY_MARKER_FIELD, CONTACT_MARKER_FIELD, DEAL_MARKER_FIELD

LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]


def sandbox_settings(base_url: str, *, requests_per_second: int = REQUESTS_PER_SECOND,
                     long_lived_token: str | None = SANDBOX_TOKEN,
                     client_id: str = SANDBOX_CLIENT_ID,
                     client_secret: str = SANDBOX_CLIENT_SECRET, **_app_options: Any
                     ) -> dict[str, Any]:
    """A connection entry for a sandbox served at ``base_url``: its long-lived token (or
    OAuth, with ``long_lived_token=None``), its authorize page, its "External id" fields
    as marker fields, and loopback allowed."""
    base = base_url.rstrip("/")
    return {
        "plugin": "amocrm",
        "base_url": base,
        "long_lived_token": long_lived_token,
        "client_id": client_id,
        "client_secret": client_secret,
        "authorize_url": f"{base}/oauth",
        "allowed_hosts": LOOPBACK_HOSTS,
        "requests_per_second": requests_per_second,
        "deal_marker_field": DEAL_MARKER_FIELD,
        "contact_marker_field": CONTACT_MARKER_FIELD,
        "company_marker_field": COMPANY_MARKER_FIELD,
    }


kit.sandbox(app=build_app, settings=sandbox_settings)
