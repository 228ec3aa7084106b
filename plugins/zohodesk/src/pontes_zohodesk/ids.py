"""Zoho Desk ids: long numbers written as strings (``"900000000000100033"``)."""

from __future__ import annotations


def desk_id(value: str, what: str = "id") -> str:
    """``value`` when it is a Zoho Desk id (digits only, trimmed); a ``ValueError`` naming
    ``what`` otherwise, so a bad id is refused before it reaches a URL."""
    value = value.strip()
    if not value.isdigit() or len(value) > 30:
        raise ValueError(f"{what}: {value!r} is not a Zoho Desk id (digits)")
    return value
