"""Bigin record ids: long numbers written as text (``5436046000000930004``)."""

from __future__ import annotations

import re
from typing import Any

_ID = re.compile(r"[1-9][0-9]{0,24}")


def bigin_id(value: Any, what: str) -> str:
    """``value`` as a Bigin id; a ``ValueError`` naming ``what`` when it is not one (the
    actions endpoint answers it with a 422)."""
    text = str(value).strip()
    if isinstance(value, bool) or not _ID.fullmatch(text):
        raise ValueError(f"{what} must be a Bigin id (a positive whole number), got {value!r}")
    return text
