"""Building a ``WebhookRequest`` as the server would from a delivery's body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..connector import WebhookRequest

FORM = "application/x-www-form-urlencoded"


def encode_body(body: Any, content_type: str) -> bytes:
    """``body`` as bytes on the wire: kept as is when bytes, else JSON or form-encoded."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if _media(content_type) == FORM:
        return urlencode(list(body.items()) if isinstance(body, Mapping) else body).encode()
    return json.dumps(body).encode()


def decode_body(body: bytes, content_type: str) -> Any:
    """The ``data`` of a delivery: parsed JSON, a flat dict for a form, else ``None``."""
    media = _media(content_type)
    if media == FORM:
        return dict(parse_qsl(body.decode(), keep_blank_values=True))
    if media == "application/json" or media.endswith("+json"):
        return json.loads(body) if body.strip() else None
    return None


def webhook_request(body: Any, content_type: str = "application/json", *,
                    connection: str = "test", headers: Mapping[str, str] | None = None,
                    query: Mapping[str, str] | None = None) -> WebhookRequest:
    """A ``WebhookRequest`` for ``body`` (bytes, or a dict/list to encode per ``content_type``)."""
    raw = encode_body(body, content_type)
    return WebhookRequest(
        connection=connection,
        headers={"content-type": content_type, **(headers or {})},
        query=dict(query or {}),
        body=raw,
        data=decode_body(raw, content_type),
        content_type=content_type,
    )


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()
