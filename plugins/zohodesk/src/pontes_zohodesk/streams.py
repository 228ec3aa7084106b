"""Zoho Desk's tables for warehouse export, as the API answers them.

- ``tickets``: every ticket, incremental on ``modifiedTime`` (read with
  ``sortBy=modifiedTime``, oldest change first, and kept from the cursor on);
- ``contacts`` and ``accounts``: read whole on every export (their lists have no change
  filter we could confirm);
- ``happiness``: the customer-happiness ratings, read whole.

Ids stay text (Zoho Desk's ids are longer than a 64-bit float keeps exactly); records are
exported as they come, nested objects (``cf``, ``contact``...) as JSON.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pontes.plugin import Connection, parse_vendor_datetime

from .client import pages
from .connector import kit


async def _rows(connection: Connection, path: str,
                params: dict[str, str] | None = None) -> AsyncIterator[dict[str, Any]]:
    async for page in pages(connection, path, params=params):
        for row in page:
            yield row


@kit.stream("tickets", table="zohodesk_tickets", primary_key=("id",),
            cursor_field="modifiedTime")
async def read_tickets(connection: Connection,
                       cursor: datetime | str | None) -> AsyncIterator[dict[str, Any]]:
    """Tickets changed since ``cursor`` (the last exported ``modifiedTime``; all when
    ``None``), oldest change first. Zoho Desk's list takes no change filter we could
    confirm, so every page is read and the older tickets are left out here."""
    since = parse_vendor_datetime(cursor) if isinstance(cursor, str) else cursor
    async for ticket in _rows(connection, "/tickets", {"sortBy": "modifiedTime"}):
        changed = parse_vendor_datetime(ticket.get("modifiedTime"))
        if since is None or changed is None or changed >= since:
            yield ticket


@kit.stream("contacts", table="zohodesk_contacts", primary_key=("id",))
async def read_contacts(connection: Connection, cursor: Any) -> AsyncIterator[dict[str, Any]]:
    """Every contact."""
    async for contact in _rows(connection, "/contacts"):
        yield contact


@kit.stream("accounts", table="zohodesk_accounts", primary_key=("id",))
async def read_accounts(connection: Connection, cursor: Any) -> AsyncIterator[dict[str, Any]]:
    """Every account."""
    async for account in _rows(connection, "/accounts"):
        yield account


@kit.stream("happiness", table="zohodesk_happiness", primary_key=("id",))
async def read_happiness(connection: Connection, cursor: Any) -> AsyncIterator[dict[str, Any]]:
    """Every customer-happiness rating."""
    async for rating in _rows(connection, "/customerHappiness"):
        yield rating
