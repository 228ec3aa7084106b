"""Bigin's modules as pontes names them.

The API says ``Accounts`` for what Bigin's screens call Companies and ``Pipelines`` for
deals. Each module has the field that names a record and must be filled on create.
"""

from __future__ import annotations

from typing import Literal

CONTACTS, ACCOUNTS, PIPELINES, NOTES = "Contacts", "Accounts", "Pipelines", "Notes"

Module = Literal["Contacts", "Accounts", "Pipelines"]
"""A module whose records pontes reads and writes."""

MODULE_OF_ENTITY: dict[str, str] = {"contact": CONTACTS, "company": ACCOUNTS, "deal": PIPELINES}
"""pontes entity -> Bigin module."""

ENTITY_OF_MODULE: dict[str, str] = {module: entity for entity, module in MODULE_OF_ENTITY.items()}

MODULE_ALIASES: dict[str, str] = {"Companies": ACCOUNTS, "Deals": PIPELINES}
"""Names public code uses for the same modules (notifications may carry them)."""


def canonical_module(name: str) -> str:
    """``name`` with the UI aliases (``Companies``, ``Deals``) read as the API's modules."""
    return MODULE_ALIASES.get(name, name)
