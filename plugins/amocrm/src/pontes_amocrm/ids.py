"""amoCRM ids: positive whole numbers, read from what a caller sends."""

from __future__ import annotations

import re
from typing import Any

_ID = re.compile(r"[1-9][0-9]{0,17}")


def amocrm_id(value: Any, what: str) -> int:
    """``value`` as an amoCRM id; a ``ValueError`` naming ``what`` when it is not one
    (the actions endpoint answers it with a 422)."""
    text = str(value).strip()
    if isinstance(value, bool) or not _ID.fullmatch(text):
        raise ValueError(f"{what} must be an amoCRM id (a positive whole number), "
                         f"got {value!r}")
    return int(text)
