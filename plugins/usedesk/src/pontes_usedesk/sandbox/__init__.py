"""A sandbox of Usedesk for demos and tests (``pontes sandbox usedesk``): its API, the
webhooks of its API channel, and a ticket card that loads dynamic blocks.

Written from the vendor notes, not from this plugin's client: ``api`` and its method
modules say what each endpoint answers, ``notify`` what the webhooks carry, ``card`` what
the ticket card posts, ``control`` the sandbox's own ``/_sandbox`` endpoints.
"""

from __future__ import annotations

from typing import Any

from ..connector import kit
from .app import SANDBOX_API_TOKEN, build_app


def sandbox_settings(base_url: str, *, api_token: str = SANDBOX_API_TOKEN,
                     requests_per_minute: int | None = None, **_: Any) -> dict[str, Any]:
    """A connection entry for a sandbox served at ``base_url``, built with the same
    options (its token; its rate limit, which the client then keeps to)."""
    settings: dict[str, Any] = {"plugin": kit.name, "base_url": base_url,
                                "api_token": api_token}
    if requests_per_minute:
        settings["requests_per_minute"] = requests_per_minute
    return settings


kit.sandbox(app=build_app, settings=sandbox_settings,
            description="Usedesk's API (tickets, comments, clients), its API channel's "
                        "webhooks and a ticket card with dynamic blocks.")
