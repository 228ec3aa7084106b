"""Admin sessions ended by signing out, shared by every server process of an installation.

A session cookie is signed and carries its own expiry, so a copy of it stays valid until
then; signing out records its session id here, and every process refuses a recorded id.
Rows whose session would have expired anyway are deleted as new ones come.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .database import reading
from .schema import admin_sign_outs, utcnow


class SignOutRepository:
    """Reads and writes of the ``admin_sign_outs`` table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, session_id: str, expires_at: datetime) -> None:
        """Remember that ``session_id`` signed out (and forget sessions past expiry)."""
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert
        with self.engine.begin() as connection:
            connection.execute(delete(admin_sign_outs)
                               .where(admin_sign_outs.c.expires_at < utcnow()))
            connection.execute(insert(admin_sign_outs)
                               .values(session_id=session_id, expires_at=expires_at)
                               .on_conflict_do_nothing())

    def signed_out(self, session_id: str) -> bool:
        """Whether ``session_id`` signed out."""
        with reading(self.engine) as connection:
            return connection.execute(
                select(admin_sign_outs.c.session_id)
                .where(admin_sign_outs.c.session_id == session_id)).first() is not None
