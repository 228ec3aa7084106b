"""Where each polling trigger left off, per integration and connection.

The cursor moves in the same transaction that stores the events it covers
(``EventRepository.insert(rows, cursor=...)``), so a crash between the two cannot skip
events; a failed poll leaves the cursor where it was and records the error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from .database import reading
from .schema import cursors, utcnow


@dataclass(frozen=True)
class CursorPosition:
    """A new position for one polling trigger of one integration's connection."""

    integration: str
    connection: str
    trigger: str
    value: str | None
    at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class CursorState:
    """A stored cursor, with when it last moved and the last poll error (if any)."""

    integration: str
    connection: str
    trigger: str
    value: str | None
    updated_at: datetime
    last_success_at: datetime | None
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly fields (timestamps in ISO 8601)."""
        return {k: v.isoformat() if isinstance(v, datetime) else v
                for k, v in asdict(self).items()}


def _upsert(connection: Connection, key: dict[str, str], values: dict[str, Any]) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(cursors).values(**key, **values)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["integration", "connection", "trigger"], set_=values))


def advance_cursor(connection: Connection, position: CursorPosition) -> None:
    """Store ``position`` within the caller's transaction (a successful poll)."""
    key = {"integration": position.integration, "connection": position.connection,
           "trigger": position.trigger}
    _upsert(connection, key, {"value": position.value, "updated_at": position.at,
                              "last_success_at": position.at, "last_error": None})


class CursorRepository:
    """Reads cursors and records failed polls."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, integration: str, connection: str, trigger: str) -> CursorState | None:
        """The stored cursor, or ``None`` before the first successful poll."""
        with reading(self.engine) as conn:
            row = conn.execute(select(cursors).where(
                cursors.c.integration == integration, cursors.c.connection == connection,
                cursors.c.trigger == trigger)).first()
        return CursorState(**row._mapping) if row else None

    def all(self) -> list[CursorState]:
        """Every stored cursor."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(cursors).order_by(
                cursors.c.integration, cursors.c.connection, cursors.c.trigger)).all()
        return [CursorState(**row._mapping) for row in rows]

    def advance(self, position: CursorPosition) -> None:
        """Store a new position on its own (a poll that found no events)."""
        with self.engine.begin() as conn:
            advance_cursor(conn, position)

    def record_error(self, integration: str, connection: str, trigger: str, error: str,
                     now: datetime | None = None) -> None:
        """Remember why the last poll failed, keeping the position where it was."""
        now = now or utcnow()
        key = {"integration": integration, "connection": connection, "trigger": trigger}
        with self.engine.begin() as conn:
            existing = conn.execute(select(cursors.c.value).where(
                *(getattr(cursors.c, k) == v for k, v in key.items()))).first()
            if existing is None:
                conn.execute(cursors.insert().values(**key, value=None, updated_at=now,
                                                     last_error=error))
            else:
                conn.execute(cursors.update()
                             .where(*(getattr(cursors.c, k) == v for k, v in key.items()))
                             .values(last_error=error))
