"""Standard Webhooks signatures: ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``).

A secret is written ``whsec_<base64 of its bytes>``, as the specification's libraries
take it; a secret without the prefix is read as base64 all the same.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PREFIX = "whsec_"


class BadSecret(ValueError):
    """A webhook secret that is not base64 (``whsec_`` and base64)."""


def secret_bytes(secret: str) -> bytes:
    """The key bytes of a ``whsec_...`` secret; ``BadSecret`` when it is not base64."""
    encoded = secret.removeprefix(PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadSecret("a webhook secret is 'whsec_' followed by base64") from None
    if len(key) < 16:
        raise BadSecret("a webhook secret needs at least 16 bytes (24 base64 characters)")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value of ``body`` sent as ``message_id`` at ``timestamp``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one delivery, with its content type."""
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, body),
            "content-type": "application/json"}
