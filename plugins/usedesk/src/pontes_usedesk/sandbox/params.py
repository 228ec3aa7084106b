"""Reading the parameters of a call to the Usedesk sandbox, and refusing bad ones.

Usedesk's methods take their parameters in a POST body, and clients send them every
way: JSON, a form (``emails[]=a&emails[]=b``), or the query string. All three are read,
into one dict (the body wins over the query string). ``Refusal`` is the answer to a call
Usedesk refuses, with the message and the HTTP status it would have if Usedesk used
HTTP statuses for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from pontes.plugin import nest_form
from starlette.requests import Request


class Refusal(Exception):
    """A call the sandbox refuses: ``message`` is what the ``error`` body says."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


async def read_params(request: Request) -> dict[str, Any]:
    """The call's parameters from its query string and its JSON or form body."""
    params = nest_form(list(request.query_params.multi_items()))
    raw = await request.body()
    if not raw.strip():
        return params
    mime = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    try:
        if mime == "application/x-www-form-urlencoded":
            body = nest_form(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        else:
            body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refusal(f"The request body cannot be read: {exc}") from None
    if not isinstance(body, dict):
        raise Refusal("The request body must be a JSON object or a form")
    return {**params, **body}


def number(params: dict[str, Any], name: str, *, required: bool = False,
           default: int | None = None) -> int | None:
    """A whole-number parameter (``7`` or ``"7"``)."""
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise Refusal(f"The {name} field is required.")
        return default
    if isinstance(value, bool):
        raise Refusal(f"The {name} must be an integer.")
    try:
        return int(str(value).strip())
    except ValueError:
        raise Refusal(f"The {name} must be an integer.") from None


def text(params: dict[str, Any], name: str, *, required: bool = False,
         longest: int | None = None) -> str | None:
    """A text parameter, trimmed."""
    value = params.get(name)
    if value is None or str(value).strip() == "":
        if required:
            raise Refusal(f"The {name} field is required.")
        return None
    found = str(value).strip()
    if longest is not None and len(found) > longest:
        raise Refusal(f"The {name} may not be greater than {longest} characters.")
    return found


def choice(params: dict[str, Any], name: str, allowed: Sequence[str],
           default: str | None = None) -> str | None:
    """A parameter that takes one of ``allowed``."""
    value = text(params, name)
    if value is None:
        return default
    if value not in allowed:
        raise Refusal(f"The selected {name} is invalid (one of {', '.join(allowed)}).")
    return value


def listed(params: dict[str, Any], name: str) -> list[str]:
    """A list parameter: a list, ``name[]`` items, or text with commas."""
    value = params.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def flag(params: dict[str, Any], name: str) -> bool:
    """A yes/no parameter (``true``, ``1``...)."""
    value = params.get(name)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
