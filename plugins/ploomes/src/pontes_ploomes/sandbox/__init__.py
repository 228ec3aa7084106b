"""An emulator of the Ploomes API for demos and tests (``pontes sandbox ploomes``).

It answers like Ploomes from an in-memory demo account (see ``seed``): ``User-Key``
authentication, the OData ``value`` envelope and query options, key syntax, deal
actions, webhooks, and about 120 requests per minute per key. See ``control`` for its
own ``/_sandbox/ploomes`` endpoints (stored records, rate limit, webhook form) and
``pontes.sandbox`` for the shared ones (faults, request log, deliveries, reset).
"""

from __future__ import annotations

from typing import Any

from ..connector import kit
from .app import DEFAULT_REQUESTS_PER_MINUTE, build_app
from .seed import CONTACT_MARKER_FIELD, DEAL_MARKER_FIELD, SANDBOX_USER_KEY


def sandbox_settings(base_url: str, *,
                     requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
                     user_key: str = SANDBOX_USER_KEY) -> dict[str, Any]:
    """The connection settings that work against a sandbox served at ``base_url`` (with
    the same rate limit and administrator's key as the sandbox)."""
    return {"plugin": "ploomes", "base_url": base_url, "user_key": user_key,
            "requests_per_minute": requests_per_minute, "deal_marker_field": DEAL_MARKER_FIELD,
            "contact_marker_field": CONTACT_MARKER_FIELD}


kit.sandbox(app=build_app, settings=sandbox_settings)
