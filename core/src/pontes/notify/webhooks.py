"""Send one signal to the operator's outgoing webhooks.

Each delivery is a JSON body ``{"type", "timestamp", "data"}`` signed per Standard
Webhooks. Its ``webhook-id`` is derived from the event it reports, so a delivery sent
again (a retry, a replay) carries the same id and a receiver can drop the copy. A
webhook that does not answer 2xx fails the run with a retriable error: the engine
retries it on its schedule, then keeps it as a dead letter that can be replayed, as with
any other delivery.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from ..errors import VendorUnavailable
from .signing import headers, secret_bytes

TIMEOUT = 10.0
"""Seconds a webhook may take to answer one delivery."""


class OutgoingWebhook(BaseModel):
    """One webhook the operator configured: where to post and the ``whsec_`` secret the
    deliveries are signed with (kept out of logs, pages and the admin API)."""

    model_config = ConfigDict(extra="forbid")

    url: str
    secret: SecretStr

    @field_validator("url")
    @classmethod
    def _is_http(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc:
            raise ValueError("a webhook url starts with https:// (or http://)")
        return value

    @field_validator("secret")
    @classmethod
    def _is_base64(cls, value: SecretStr) -> SecretStr:
        secret_bytes(value.get_secret_value())
        return value

    @property
    def shown_url(self) -> str:
        """The URL without its query, safe to name in an error."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"


def message_id(idempotency_key: str, signal: str) -> str:
    """The ``webhook-id`` of the delivery of ``signal`` for one event: always the same."""
    digest = hashlib.sha256(f"{signal}\n{idempotency_key}".encode()).hexdigest()[:32]
    return f"msg_{digest}"


def body_of(signal: str, occurred_at: datetime, data: dict[str, Any]) -> bytes:
    """The JSON body of a delivery."""
    return json.dumps({"type": signal, "timestamp": occurred_at.isoformat(), "data": data},
                      separators=(",", ":"), sort_keys=True, default=str).encode()


async def deliver(webhooks: list[OutgoingWebhook], msg_id: str, body: bytes, *,
                  client: httpx.AsyncClient | None = None) -> list[str]:
    """Post ``body`` to every webhook; the URLs (shown) that took it.

    ``VendorUnavailable`` when one did not take it, after the others were tried.
    """
    owned = client is None
    client = client or httpx.AsyncClient(timeout=TIMEOUT)
    delivered, failed = [], []
    try:
        for webhook in webhooks:
            signed = headers(webhook.secret.get_secret_value(), msg_id, int(time.time()), body)
            try:
                answer = await client.post(webhook.url, content=body, headers=signed)
            except httpx.HTTPError as exc:
                failed.append(f"{webhook.shown_url}: {type(exc).__name__}")
                continue
            if answer.is_success:
                delivered.append(webhook.shown_url)
            else:
                failed.append(f"{webhook.shown_url}: HTTP {answer.status_code}")
    finally:
        if owned:
            await client.aclose()
    if failed:
        raise VendorUnavailable("outgoing webhook did not take the signal: " + "; ".join(failed))
    return delivered
