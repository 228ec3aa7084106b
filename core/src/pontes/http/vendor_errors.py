"""Reading a vendor's error answer: its own explanation, and the typed error it becomes.

``vendor_message`` finds the explanation in the error bodies vendors commonly send (JSON
in its usual shapes, plain text, HTML pages); ``error_for`` turns a failed answer into the
``pontes.errors`` class that says what to do about it (retry, re-authenticate, give up).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from ..errors import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    VendorError,
    VendorUnavailable,
    VendorValidationError,
)
from .retry import retry_after_seconds

_MESSAGE_KEYS = ("message", "Message", "error_description", "error", "detail", "title",
                 "errors", "ExceptionMessage", "msg", "description")
"""Keys that hold the main explanation in the error bodies vendors send."""

_DETAIL_KEYS = ("errors", "validation-errors", "ModelState")
"""Keys that hold per-field details next to the main explanation."""

_FIELD_KEYS = ("path", "field", "property", "param")
"""Keys that name the field a detail is about."""

MAX_MESSAGE = 500
"""Longest vendor explanation kept, in characters."""


def vendor_message(response: httpx.Response) -> str:
    """The vendor's own explanation of an error answer, as short text.

    Reads the usual JSON shapes (``{"message"}``, ``{"Message"}`` with ASP.NET's
    ``ModelState``, ``{"error": {"message"}}``, ``{"errors": [...]}``, problem+json with
    ``validation-errors``), and falls back to the body as text with HTML tags removed.
    """
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text
        if "html" in response.headers.get("content-type", ""):
            text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", text, flags=re.S | re.I)
        text = re.sub(r"\s+", " ", text).strip()
        return text[:MAX_MESSAGE] or response.reason_phrase or "error"
    messages = list(dict.fromkeys(_messages_in(body)))
    if messages:
        return "; ".join(messages)[:MAX_MESSAGE]
    if isinstance(body, dict) and body:
        return json.dumps(body, ensure_ascii=False)[:MAX_MESSAGE]
    return response.reason_phrase or "error"


def _messages_in(body: Any, depth: int = 0) -> list[str]:
    """Every explanation found in a decoded error body, main one first."""
    if depth > 5:
        return []
    if isinstance(body, str):
        return [body.strip()] if body.strip() else []
    if isinstance(body, list):
        return [m for item in body for m in _messages_in(item, depth + 1)]
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    used = None
    for key in _MESSAGE_KEYS:
        if body.get(key):
            found = _messages_in(body[key], depth + 1)
            if found:
                used = key
                break
    where = next((str(body[k]) for k in _FIELD_KEYS if body.get(k)), None)
    if where and found:
        found[0] = f"{where}: {found[0]}"
    for key in _DETAIL_KEYS:
        if key == used or not body.get(key):
            continue
        details = body[key]
        if isinstance(details, dict):
            found += [f"{field}: {'; '.join(_messages_in(value, depth + 1))}"
                      for field, value in details.items() if _messages_in(value, depth + 1)]
        else:
            found += _messages_in(details, depth + 1)
    return found


def error_for(response: httpx.Response, message: str, url: str) -> VendorError:
    """The typed error for a failed answer (``message`` and ``url`` already redacted)."""
    status = response.status_code
    if status in (401, 403):
        return AuthError(message, status=status, url=url)
    if status == 404:
        return NotFoundError(message, status=status, url=url)
    if status == 429:
        return RateLimitedError(message, status=status, url=url,
                                retry_after=retry_after_seconds(response))
    if status >= 500 or status == 408:
        return VendorUnavailable(message, status=status, url=url,
                                 retry_after=retry_after_seconds(response))
    return VendorValidationError(message, status=status, url=url)
