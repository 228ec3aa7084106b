"""Reading JSON from untrusted bodies into values that every later step can carry.

``json.loads`` accepts bodies that break what comes after it:

- ``NaN`` and ``Infinity`` (and ``1e400``, which becomes infinity): not JSON, and no
  JSON column of PostgreSQL stores them;
- integers longer than Python converts to text (4,300 digits);
- nesting deep enough to exhaust the stack of ``json.loads`` itself, or the depth limit
  of the serialisers that store the parsed event;
- lone UTF-16 surrogates (``"\\ud800"``): no UTF-8 text can hold one, so neither a
  database nor an answer can.

``read_json`` refuses each of them with ``UnsafeJson`` (an ``InvalidPayload``) naming the
problem, and a body that is not JSON at all with ``InvalidPayload``, so a body is either a
plain JSON value or a clear 400.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from ..errors import InvalidPayload

MAX_NESTING = 64
"""Deepest nesting of objects and arrays accepted; vendor payloads stay far below it."""

MAX_DIGITS = sys.get_int_max_str_digits() or 4300
"""Longest integer accepted, in digits (the longest Python turns into text and back)."""


class UnsafeJson(InvalidPayload):
    """JSON that parses, but that pontes refuses to carry (see the module doc)."""


def read_json(raw: bytes | str) -> Any:
    """``raw`` decoded as JSON; ``InvalidPayload`` (``UnsafeJson``) saying what is wrong."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float,
                           parse_int=_bounded_int)
    except UnsafeJson:
        raise
    except RecursionError:
        raise UnsafeJson(f"JSON nested deeper than {MAX_NESTING} levels") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidPayload(f"body is not valid JSON: {_short(str(exc))}") from None
    check_plain(value)
    return value


def check_plain(value: Any) -> None:
    """``UnsafeJson`` when ``value`` nests deeper than ``MAX_NESTING`` or holds text that
    is not Unicode (a lone surrogate, in a key or a value)."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth >= MAX_NESTING:
                raise UnsafeJson(f"JSON nested deeper than {MAX_NESTING} levels")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str):
                    _check_text(key)
                pending.append((child, depth + 1))


def _check_text(text: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnsafeJson(f"JSON text holds a lone surrogate (\\u{ord(text[exc.start]):04x}), "
                         "which is not Unicode") from None


def _refuse_constant(name: str) -> Any:
    raise UnsafeJson(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise UnsafeJson(f"the number {_short(text, 40)} is out of range")
    return number


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise UnsafeJson(f"a number has {digits} digits; at most {MAX_DIGITS} are accepted")
    return int(text)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
