"""Reading what Usedesk posts to pontes: JSON, or a form with bracket keys, and the
secrets it carries.

Usedesk posts JSON when the API channel's "JSON request" box is ticked, a form otherwise
(``ticket[id]=7&ticket[client][emails][0][email]=...``); both are read into the same
nested data. A dynamic block's body is JSON as far as anyone has seen; a form is read
the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from pontes.plugin import InvalidPayload, WebhookRequest, nest_form
from pydantic import SecretStr

FORM = "application/x-www-form-urlencoded"


def delivery_body(request: WebhookRequest) -> dict[str, Any]:
    """The delivery's body as nested data (``InvalidPayload`` when it is neither a JSON
    object nor a form)."""
    data = request.data
    mime = request.content_type.split(";", 1)[0].strip().lower()
    if isinstance(data, dict) and mime == FORM:
        try:
            return nest_form(data)
        except ValueError as exc:
            raise InvalidPayload(f"the form body cannot be read: {exc}") from None
    if isinstance(data, dict):
        return data
    if not request.body:
        raise InvalidPayload("the body is empty; Usedesk posts a JSON object or a form")
    raise InvalidPayload("the body is neither a JSON object nor a form")


def same_secret(sent: Any, expected: SecretStr) -> bool:
    """Whether ``sent`` is the secret ``expected`` (compared in constant time)."""
    if not isinstance(sent, str | int) or isinstance(sent, bool):
        return False
    return hmac.compare_digest(str(sent).encode("utf-8", "surrogatepass"),
                               expected.get_secret_value().encode("utf-8", "surrogatepass"))


def carried_secrets(request: WebhookRequest) -> list[str]:
    """The secrets a delivery carries, to be masked wherever it is stored: its ``secret``
    (the channel token, or whatever was sent in its place), a block's ``secret_key``, and
    the ``secret_key`` of every dynamic block a ticket delivery lists in ``custom_blocks``
    (the keys of other blocks' servers)."""
    try:
        body = delivery_body(request)
    except InvalidPayload:
        return []
    ticket = body.get("ticket") if isinstance(body.get("ticket"), dict) else {}
    blocks = [*_listed(body.get("custom_blocks")), *_listed(ticket.get("custom_blocks"))]
    values = [body.get("secret"), body.get("secret_key"),
              *(block.get("secret_key") for block in blocks if isinstance(block, dict))]
    return [str(value) for value in values
            if isinstance(value, str | int) and not isinstance(value, bool) and str(value)]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    """``body`` without ``key`` (a secret kept out of the event)."""
    return {name: value for name, value in body.items() if name != key}


def digest(data: Any) -> str:
    """A short digest of decoded data that ignores key order."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]
