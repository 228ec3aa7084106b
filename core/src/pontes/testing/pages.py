"""Reading a paged list action (``contact.list``, ``company.list``) to its end in a test."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..connection import Connection


async def every_page(connection: Connection, action: str,
                     **params: Any) -> tuple[list[Any], list[int]]:
    """Every record ``action`` lists, following its cursor from the first page until it
    gives none, and how many records each page read held."""
    records: list[Any] = []
    sizes: list[int] = []
    cursor = None
    while True:
        page = await connection.call(action, cursor=cursor, **params)
        records += page.records
        sizes.append(len(page.records))
        cursor = page.next_cursor
        if cursor is None:
            return records, sizes
