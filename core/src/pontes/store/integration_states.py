"""Whether each integration is active: set by ``pontes activate`` and ``pontes deactivate``
(and the admin's buttons), shown by the admin API. An integration never activated has no
state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from .database import reading
from .schema import integration_states, utcnow


@dataclass(frozen=True)
class IntegrationState:
    """An integration's state: active or not, since ``changed_at``."""

    integration: str
    active: bool
    changed_at: datetime


class IntegrationStateRepository:
    """Reads and writes the ``integration_states`` table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def set_active(self, integration: str, active: bool) -> None:
        """Record that ``integration`` was activated (``True``) or deactivated."""
        now = utcnow()
        with self.engine.begin() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(integration_states).values(
                integration=integration, active=active, changed_at=now)
            conn.execute(upsert.on_conflict_do_update(
                index_elements=["integration"], set_={"active": active, "changed_at": now}))

    def all(self) -> dict[str, IntegrationState]:
        """Every recorded state, by integration name."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(integration_states)).all()
        return {row.integration: IntegrationState(**row._mapping) for row in rows}
