"""The values two linked records last agreed on, per integration, link, connection and field.

A two-way sync compares each change with them: a field whose value is still the agreed
one did not change on that side (it is, at most, the echo of our own write), and a field
that changed on both sides since the agreement is a conflict.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .database import reading
from .schema import synced_values, utcnow


class SyncedValueRepository:
    """Reads and writes the ``synced_values`` table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, integration: str, link_id: str, connection: str) -> dict[str, Any]:
        """``{field: value}`` agreed for ``connection``'s side of link ``link_id``."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(synced_values.c.field, synced_values.c.value).where(
                synced_values.c.integration == integration,
                synced_values.c.link_id == link_id,
                synced_values.c.connection == connection)).all()
        return {row.field: row.value for row in rows}

    def remember(self, integration: str, link_id: str, connection: str,
                 values: dict[str, Any]) -> None:
        """Record ``values`` (``{field: JSON value}``) as agreed, replacing earlier ones."""
        if not values:
            return
        now = utcnow()
        with self.engine.begin() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(synced_values)
            upsert = upsert.on_conflict_do_update(
                index_elements=["integration", "link_id", "connection", "field"],
                set_={"value": upsert.excluded.value, "updated_at": now})
            conn.execute(upsert, [{"integration": integration, "link_id": link_id,
                                   "connection": connection, "field": field, "value": value,
                                   "updated_at": now} for field, value in values.items()])

    def forget(self, integration: str, link_id: str) -> None:
        """Drop everything agreed for link ``link_id`` (when the link is taken apart)."""
        with self.engine.begin() as conn:
            conn.execute(delete(synced_values).where(
                synced_values.c.integration == integration,
                synced_values.c.link_id == link_id))
