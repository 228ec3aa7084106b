"""A sandbox of Zoho Desk's API v1 for demos and tests (``pontes sandbox zohodesk``).

Written from the vendor notes, not from this plugin's client: ``app`` lists what it
answers, ``api`` the endpoints, ``records`` Zoho Desk's records and their rules, ``events``
the webhooks, ``control`` its own ``/_sandbox`` endpoints. Zoho's accounts server (core's
``ZohoAccounts``) is mounted at ``/accounts``.
"""

from __future__ import annotations

from typing import Any

from ..connector import kit
from .app import (
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    build_app,
)
from .state import ORG_ID


def sandbox_settings(base_url: str, *, oauth: bool = False, credits_per_day: int | None = None,
                     **_app_options: Any) -> dict[str, Any]:
    """A connection entry for a sandbox served at ``base_url``: its Desk host, accounts
    server and portal, and its always-good access token; with ``oauth`` the self client's
    refresh token instead. ``credits_per_day`` is the sandbox's allowance, when it was
    given one."""
    base = base_url.rstrip("/")
    entry: dict[str, Any] = {
        "plugin": "zohodesk",
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "org_id": ORG_ID,
        "base_url": base,
        "accounts_url": f"{base}/accounts",
    }
    if credits_per_day is not None:
        entry["daily_credits"] = credits_per_day
    if oauth:
        return {**entry, "refresh_token": SANDBOX_REFRESH_TOKEN}
    return {**entry, "access_token": SANDBOX_ACCESS_TOKEN}


kit.sandbox(app=build_app, settings=sandbox_settings)
