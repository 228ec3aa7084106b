"""A sandbox of Bigin's API v2 for demos and tests (``pontes sandbox bigin``).

Written from the vendor notes, not from this plugin's client: ``app`` lists the endpoints
it answers, ``writes`` and ``search`` how records are written and found, ``notify`` the
notifications, ``page`` the record page, ``control`` its own ``/_sandbox`` endpoints.
Zoho's accounts server (core's ``ZohoAccounts``) is mounted at ``/accounts``.
"""

from __future__ import annotations

from typing import Any

from ..connector import kit
from .app import (
    DAILY_CREDITS,
    SANDBOX_ACCESS_TOKEN,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    build_app,
)


def sandbox_settings(base_url: str, *, daily_credits: int = DAILY_CREDITS,
                     oauth: bool = False, **_app_options: Any) -> dict[str, Any]:
    """A connection entry for a sandbox served at ``base_url``: its API host and accounts
    server, and its always-good access token; with ``oauth`` the self client's refresh
    token instead, and no ``base_url``, so calls go to the token answer's ``api_domain``."""
    base = base_url.rstrip("/")
    entry: dict[str, Any] = {
        "plugin": "bigin",
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "accounts_url": f"{base}/accounts",
        "daily_credits": daily_credits,
    }
    if oauth:
        return {**entry, "refresh_token": SANDBOX_REFRESH_TOKEN}
    return {**entry, "base_url": base, "access_token": SANDBOX_ACCESS_TOKEN}


kit.sandbox(app=build_app, settings=sandbox_settings)
