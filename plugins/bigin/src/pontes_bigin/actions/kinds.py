"""A Bigin module as canonical records: what contacts, accounts and pipeline records have
in common, so each kind's actions say only what is its own.

Every kind is read, searched, created (with its marker in ``Description``), updated and
found again the same way; they differ in their module, their two mappers and the field
Bigin needs to create one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pontes.plugin import Connection, Record

from .markers import find_marked, with_marker
from .records import find_equal, get_one, insert_one, read_back, search, update_one

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Kind(Generic[R]):
    """One Bigin module and how its records become canonical ones and back."""

    module: str
    """The module's API name (``Contacts``, ``Accounts``, ``Pipelines``)."""
    to_canonical: Callable[[dict[str, Any], str], R]
    from_canonical: Callable[[R, str], dict[str, Any]]
    required: str
    """The field Bigin refuses to create a record without."""
    missing: str
    """The error when a draft gives no ``required`` field."""

    async def get(self, connection: Connection, record_id: str) -> R:
        """One record, by its Bigin id."""
        return self.to_canonical(await get_one(connection, self.module, record_id),
                                 connection.name)

    async def search(self, connection: Connection, **by: str) -> Iterator[R]:
        """The records Bigin's search finds for one of ``criteria``, ``email``, ``phone``
        or ``word``, mapped one by one as they are read."""
        rows = await search(connection, self.module, **by)
        return (self.to_canonical(row, connection.name) for row in rows)

    async def search_equal(self, connection: Connection, field: str,
                           value: str) -> Iterator[R]:
        """The records whose ``field`` equals ``value``, mapped one by one as they are
        read."""
        rows = await find_equal(connection, self.module, field, value)
        return (self.to_canonical(row, connection.name) for row in rows)

    def new_payload(self, draft: R, connection_name: str) -> dict[str, Any]:
        """The body that creates ``draft``: no id, and a ``ValueError`` without the field
        Bigin needs."""
        payload = self.from_canonical(draft, connection_name)
        payload.pop("id", None)
        if not payload.get(self.required):
            raise ValueError(self.missing)
        return payload

    async def insert(self, connection: Connection, payload: dict[str, Any], draft: R) -> R:
        """Insert ``payload`` with ``draft``'s marker and answer the record as Bigin now
        has it."""
        payload = with_marker(payload, draft)
        record_id = await insert_one(connection, self.module, payload)
        return await read_back(connection, self.module, record_id, payload, self.to_canonical)

    async def create(self, connection: Connection, draft: R) -> R:
        """Create ``draft``, its marker in ``Description``."""
        return await self.insert(connection, self.new_payload(draft, connection.name), draft)

    async def update(self, connection: Connection, record_id: str, changes: R) -> R:
        """Write the fields set in ``changes`` (``PUT /<module>/<id>``); Bigin keeps the
        others."""
        payload = self.from_canonical(changes, connection.name)
        record_id = await update_one(connection, self.module, record_id, payload)
        return await read_back(connection, self.module, record_id, payload, self.to_canonical)

    async def find_created(self, connection: Connection, draft: R) -> R | None:
        """The record created from ``draft``, by the marker in its ``Description``."""
        return await find_marked(connection, self.module, draft, self.to_canonical)
