"""An emulator of the Ploomes API for demos and tests (``pontes sandbox ploomes``).

It answers like Ploomes from an in-memory demo account (see ``seed``): ``User-Key``
authentication, the OData ``value`` envelope and query options, key syntax, deal
actions, webhooks, and about 120 requests per minute per key. Besides the shared
``/_sandbox`` controls (faults, request log, deliveries, reset) it has:

- ``GET /_sandbox/ploomes/records/<resource>``: the stored rows (``InteractionRecords``,
  ``Deals``, ``Webhooks``...); ``POST`` a row or a list of rows to add them;
- ``GET /_sandbox/ploomes/config``; ``POST`` ``{"requests_per_minute": n,
  "webhook_shape": "full" | "thin"}`` to change the rate limit or the delivery form.
"""

from __future__ import annotations

from typing import Any

from ..connector import kit
from .app import DEFAULT_REQUESTS_PER_MINUTE, build_app
from .seed import SANDBOX_USER_KEY


def sandbox_settings(base_url: str, *,
                     requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE) -> dict[str, Any]:
    """The connection settings that work against a sandbox served at ``base_url`` (with
    the same rate limit as the sandbox)."""
    return {"plugin": "ploomes", "base_url": base_url, "user_key": SANDBOX_USER_KEY,
            "requests_per_minute": requests_per_minute}


kit.sandbox(app=build_app, settings=sandbox_settings)

__all__ = ["PloomesSandbox", "SANDBOX_USER_KEY", "build_app", "sandbox_settings"]
