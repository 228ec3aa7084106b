"""A sandbox of the Movidesk public API (tickets and persons), for demos and tests.

Written from the vendor notes: token in the query string, ``$select`` required on
lists, 100 rows a page, 10 calls a minute per token, a lock-out after three failed
calls in a row, ``/tickets/past`` for tickets idle for 90 days, whole-list PATCH, and
"call webhook" automations. See ``control`` for the Movidesk-specific ``/_sandbox``
endpoints and ``pontes.sandbox`` for the shared ones (faults, logs, reset).
"""

from __future__ import annotations

from typing import Any

from ..connector import VENDOR_REQUESTS_PER_MINUTE, kit
from .api import BASE_PATH
from .app import SANDBOX_TOKEN, build_app
from .seeding import INTEGRATION_AGENT


def sandbox_settings(base_url: str, *,
                     requests_per_minute: int = VENDOR_REQUESTS_PER_MINUTE,
                     token: str = SANDBOX_TOKEN, minute: float = 60.0) -> dict[str, Any]:
    """A connection entry for a sandbox served at ``base_url``.

    Give ``requests_per_minute``, ``token`` and ``minute`` the values the sandbox was
    built with, so the client keeps within the sandbox's budget (in the sandbox's minute)
    and is let in.
    """
    return {
        "plugin": "movidesk",
        "base_url": base_url.rstrip("/") + BASE_PATH,
        "token": token,
        "requests_per_minute": requests_per_minute,
        "rate_window_seconds": minute,
        "agent_id": INTEGRATION_AGENT,
        "custom_field_rule_id": 7001,
        "default_team": "Suporte",
    }


kit.sandbox(app=build_app, settings=sandbox_settings,
            description="Movidesk public API: /tickets, /tickets/past, /persons, automations.")
