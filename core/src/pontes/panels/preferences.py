"""What an operator chose in a panel, kept per integration in the store (the
``panel_preferences`` table): the fields a deal list shows, say."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from ..store.database import reading
from ..store.schema import panel_preferences, utcnow


class PanelPreferences:
    """Reads and writes of the ``panel_preferences`` table (synchronous, one transaction
    each; async code calls them through ``Store.run``)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, integration: str, name: str) -> Any:
        """The value chosen for ``name`` in ``integration``, or ``None``."""
        with reading(self.engine) as conn:
            return conn.execute(select(panel_preferences.c.value).where(
                panel_preferences.c.integration == integration,
                panel_preferences.c.name == name)).scalar()

    def put(self, integration: str, name: str, value: Any) -> None:
        """Choose ``value`` for ``name`` in ``integration`` (replacing an earlier choice)."""
        with self.engine.begin() as conn:
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(panel_preferences).values(
                integration=integration, name=name, value=value, updated_at=utcnow())
            conn.execute(upsert.on_conflict_do_update(
                index_elements=["integration", "name"],
                set_={"value": upsert.excluded.value, "updated_at": upsert.excluded.updated_at}))
