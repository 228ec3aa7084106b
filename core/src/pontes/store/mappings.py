"""Mapping overrides: mappings saved from the admin pages, one version after another.

Each save of an integration's mapping slot adds a version; the newest version is in force
over the config file. A version whose ``mapping`` is ``None`` puts the config file's
mapping back in force (a roll-back past the first saved version). Nothing is ever
deleted, so the page can show the history and roll back to any version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from .database import reading
from .schema import mapping_overrides, utcnow


@dataclass(frozen=True)
class MappingVersion:
    """One saved version of a mapping slot (``mapping`` ``None``: the config file's)."""

    integration: str
    slot: str
    version: int
    mapping: dict[str, Any] | None
    note: str
    created_at: datetime


class VersionTaken(Exception):
    """Another save took the version number first; read the versions again and retry."""


class MappingOverrideRepository:
    """Reads and writes of the ``mapping_overrides`` table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def save(self, integration: str, slot: str, mapping: dict[str, Any] | None,
             note: str) -> MappingVersion:
        """Add the next version of ``integration``'s ``slot`` and return it.

        Raises ``VersionTaken`` when another save added the same version meanwhile.
        """
        table = mapping_overrides
        now = utcnow()
        try:
            with self.engine.begin() as connection:
                newest = connection.execute(
                    select(func.max(table.c.version))
                    .where(table.c.integration == integration, table.c.slot == slot)
                ).scalar() or 0
                row = {"integration": integration, "slot": slot, "version": newest + 1,
                       "mapping": mapping, "note": note, "created_at": now}
                connection.execute(table.insert().values(**row))
        except IntegrityError:
            raise VersionTaken(f"{integration}.{slot} was saved by someone else meanwhile") \
                from None
        return MappingVersion(**row)

    def versions(self, integration: str, slot: str) -> list[MappingVersion]:
        """Every saved version of one slot, newest first."""
        table = mapping_overrides
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(table.c.integration, table.c.slot, table.c.version, table.c.mapping,
                       table.c.note, table.c.created_at)
                .where(table.c.integration == integration, table.c.slot == slot)
                .order_by(table.c.version.desc())
            ).all()
        return [MappingVersion(**row._mapping) for row in rows]

    def newest_id(self) -> int | None:
        """The id of the newest saved version of any slot (it changes with every save)."""
        with reading(self.engine) as connection:
            return connection.execute(select(func.max(mapping_overrides.c.id))).scalar()

    def in_force(self) -> dict[tuple[str, str], MappingVersion]:
        """The newest version of every slot that has one, by ``(integration, slot)``."""
        table = mapping_overrides
        newest = (select(table.c.integration, table.c.slot,
                         func.max(table.c.version).label("version"))
                  .group_by(table.c.integration, table.c.slot).subquery())
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(table.c.integration, table.c.slot, table.c.version, table.c.mapping,
                       table.c.note, table.c.created_at)
                .join(newest, (newest.c.integration == table.c.integration)
                      & (newest.c.slot == table.c.slot) & (newest.c.version == table.c.version))
            ).all()
        return {(row.integration, row.slot): MappingVersion(**row._mapping) for row in rows}
