"""UTM marks as Jivo sends them: ``session.utm`` text and ``session.utm_json`` object.

The text form is ``source=google|medium=cpc|campaign=spring``; the object form is
``{"source": "google", "medium": "cpc", ...}``. Both use the short names (``source``, not
``utm_source``). Reading is lenient: ``&`` also separates pairs, a ``utm_`` prefix is
dropped, ``%XX`` escapes are decoded, and empty values are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

UTM_KEYS = ("source", "medium", "campaign", "content", "term")
"""The marks Jivo documents, in the order it writes them."""

_SEPARATORS = re.compile(r"[|&]")
_SAFE = "".join(chr(c) for c in range(32, 127) if chr(c) not in "%|&=")


def parse_utm_text(text: str) -> dict[str, str]:
    """``"source=google|medium=cpc"`` -> ``{"source": "google", "medium": "cpc"}``."""
    marks: dict[str, str] = {}
    for pair in _SEPARATORS.split(text):
        key, sep, value = pair.partition("=")
        key = _short(key)
        value = unquote(value).strip()
        if sep and key and value:
            marks[key] = value
    return marks


def read_utm(text: Any, obj: Any) -> dict[str, str]:
    """The marks of a session: the text form, completed and corrected by the object form.

    Either may be missing; a text field that holds an object (seen from other channels)
    is read as the object.
    """
    marks: dict[str, str] = {}
    for source in (text, obj):
        if isinstance(source, str):
            marks.update(parse_utm_text(source))
        elif isinstance(source, Mapping):
            marks.update(_from_mapping(source))
    return marks


def format_utm_text(marks: Mapping[str, str]) -> str:
    """The ``a=b|c=d`` text Jivo writes, documented marks first."""
    ordered = [k for k in UTM_KEYS if k in marks] + sorted(k for k in marks if k not in UTM_KEYS)
    return "|".join(f"{key}={quote(marks[key], safe=_SAFE)}" for key in ordered)


def _from_mapping(source: Mapping[str, Any]) -> dict[str, str]:
    marks = {}
    for key, value in source.items():
        if value is None or isinstance(value, dict | list):
            continue
        text = str(value).strip()
        if text:
            marks[_short(str(key))] = text
    return marks


def _short(key: str) -> str:
    key = key.strip().lower()
    return key.removeprefix("utm_")
