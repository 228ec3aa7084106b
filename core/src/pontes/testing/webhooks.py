"""Building a ``WebhookRequest`` from a sample body, decoded as the server decodes deliveries."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from ..connector import ConnectionSettings, WebhookRequest

FORM = "application/x-www-form-urlencoded"


def encode_body(body: Any, content_type: str) -> bytes:
    """``body`` as bytes on the wire: kept as is when bytes, else JSON or form-encoded."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if content_type.split(";")[0].strip().lower() == FORM:
        return urlencode(list(body.items()) if isinstance(body, Mapping) else body).encode()
    return json.dumps(body).encode()


def webhook_request(body: Any, content_type: str = "application/json", *,
                    connection: str = "test", headers: Mapping[str, str] | None = None,
                    query: Mapping[str, str] | None = None,
                    settings: ConnectionSettings | None = None) -> WebhookRequest:
    """A ``WebhookRequest`` for ``body`` (bytes, or a dict/list to encode per ``content_type``).

    ``data`` is decoded by the server's own ``decode_body``: JSON, a flat dict for a form,
    ``None`` otherwise. ``settings`` are the receiving connection's, as the server passes
    them.
    """
    from ..engine.inbox import decode_body  # the engine is heavy; load it only when used

    raw = encode_body(body, content_type)
    return WebhookRequest(
        connection=connection,
        headers={"content-type": content_type, **(headers or {})},
        query=dict(query or {}),
        body=raw,
        data=decode_body(raw, content_type),
        content_type=content_type,
        settings=settings,
    )
