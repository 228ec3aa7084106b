"""The links store: who is who across systems, as groups of remote ids that stand for one
thing.

A group has a canonical id and one row per (connection, remote id) in it; ``kind`` scopes
groups ("contact", "deal-ticket", "step:<name>"...). A (kind, connection, remote id) is in
at most one group.

One thing, three names, each for one side of it:

- ``pontes.recipes.Links``: the protocol a recipe sees as ``RunContext.links``;
- ``StoreLinks``: that protocol kept in the ``Store`` (async, what the engine hands to
  recipes);
- ``LinkRepository``: the synchronous access to the ``links`` table behind it, like the
  store's other repositories (``Store.links``, used by the CLI and the admin API).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from ..models import new_id
from .database import reading
from .schema import links, utcnow
from .synced import SyncedValueRepository

STEP_KIND_PREFIX = "step:"
"""Kinds of the links recipes keep of their own steps (``RunContext.create``), which
record what a run did rather than who is who."""


@dataclass(frozen=True)
class LinkGroup:
    """One group: its kind, canonical id and ``{connection: remote id}``."""

    kind: str
    id: str
    refs: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly fields."""
        return {"kind": self.kind, "id": self.id, "refs": self.refs}


class LinkRepository:
    """Reads and writes the ``links`` table."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def lookup(self, kind: str, connection: str, remote_id: str) -> dict[str, str] | None:
        """The group holding ``remote_id`` at ``connection``: its refs plus ``"id"``."""
        with reading(self.engine) as conn:
            canonical = conn.execute(select(links.c.canonical_id).where(
                links.c.kind == kind, links.c.connection == connection,
                links.c.remote_id == remote_id)).scalar()
            if canonical is None:
                return None
            rows = conn.execute(select(links.c.connection, links.c.remote_id).where(
                links.c.kind == kind, links.c.canonical_id == canonical)
                .order_by(links.c.id)).all()
        return {**{c: r for c, r in rows}, "id": canonical}

    def link(self, kind: str, refs: dict[str, str], canonical_id: str | None = None) -> str:
        """Record that ``refs`` are one thing and return the group's canonical id.

        Refs already in a group join the new one; when refs were in different groups,
        the groups are merged (into ``canonical_id`` if given, else the oldest group).
        """
        if not refs:
            raise ValueError("link() needs at least one {connection: remote_id} ref")
        now = utcnow()
        with self.engine.begin() as conn:
            pairs = [(c, str(r)) for c, r in refs.items()]
            existing = conn.execute(
                select(links.c.canonical_id).where(
                    links.c.kind == kind,
                    tuple_(links.c.connection, links.c.remote_id).in_(pairs))
                .distinct()
            ).scalars().all()
            target = canonical_id or (self._oldest(conn, kind, existing) if existing else new_id())
            others = [c for c in existing if c != target]
            if others:
                conn.execute(update(links).where(links.c.kind == kind,
                                                 links.c.canonical_id.in_(others))
                             .values(canonical_id=target))
            dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
            upsert = dialect.insert(links)
            upsert = upsert.on_conflict_do_update(
                index_elements=["kind", "connection", "remote_id"],
                set_={"canonical_id": upsert.excluded.canonical_id})
            conn.execute(upsert, [{"kind": kind, "canonical_id": target, "connection": c,
                                   "remote_id": r, "created_at": now} for c, r in pairs])
        return target

    def unlink(self, kind: str, connection: str, remote_id: str) -> None:
        """Take ``remote_id`` at ``connection`` out of its group (the rest stays linked)."""
        with self.engine.begin() as conn:
            conn.execute(delete(links).where(links.c.kind == kind,
                                             links.c.connection == connection,
                                             links.c.remote_id == remote_id))

    @staticmethod
    def _oldest(conn, kind: str, canonical_ids: list[str]) -> str:
        return conn.execute(select(links.c.canonical_id).where(
            links.c.kind == kind, links.c.canonical_id.in_(canonical_ids))
            .order_by(links.c.id).limit(1)).scalar()

    def groups(self, *, kind: str | None = None, connection: str | None = None,
               remote_id: str | None = None, canonical_id: str | None = None,
               limit: int = 100, internal: bool = True) -> list[LinkGroup]:
        """Groups matching the filters, newest first (a remote id finds its whole group).
        ``internal=False`` leaves out the records recipes keep of their own steps (kinds
        starting with ``step:``)."""
        condition = []
        if not internal:
            condition.append(links.c.kind.not_like(f"{STEP_KIND_PREFIX}%"))
        if kind is not None:
            condition.append(links.c.kind == kind)
        if connection is not None:
            condition.append(links.c.connection == connection)
        if remote_id is not None:
            condition.append(links.c.remote_id == remote_id)
        if canonical_id is not None:
            condition.append(links.c.canonical_id == canonical_id)
        with reading(self.engine) as conn:
            keys = [tuple(row) for row in conn.execute(
                select(links.c.kind, links.c.canonical_id).where(*condition)
                .group_by(links.c.kind, links.c.canonical_id)
                .order_by(func.max(links.c.id).desc()).limit(limit)
            )]
            found: dict[tuple[str, str], dict[str, str]] = {key: {} for key in keys}
            if keys:
                rows = conn.execute(select(links.c.kind, links.c.canonical_id,
                                           links.c.connection, links.c.remote_id)
                                    .where(tuple_(links.c.kind, links.c.canonical_id).in_(keys))
                                    .order_by(links.c.id)).all()
                for row in rows:
                    found[(row.kind, row.canonical_id)][row.connection] = row.remote_id
        return [LinkGroup(kind, canonical, refs) for (kind, canonical), refs in found.items()]


class StoreLinks:
    """``pontes.recipes.Links`` kept in the store: what a recipe's ``RunContext`` gets.

    ``run`` executes a repository call off the event loop (``Store.run``); ``synced``
    keeps the values linked records last agreed on, for recipes that sync fields.
    """

    def __init__(self, repository: LinkRepository,
                 run: Callable[..., Awaitable[Any]],
                 synced: SyncedValueRepository | None = None):
        self.repository = repository
        self.synced_values = synced
        self._run = run

    async def lookup(self, kind: str, connection: str, remote_id: str) -> dict[str, str] | None:
        """The group containing ``remote_id`` at ``connection`` (see ``Links``)."""
        return await self._run(self.repository.lookup, kind, connection, remote_id)

    async def link(self, kind: str, refs: dict[str, str], canonical_id: str | None = None) -> str:
        """Record that ``refs`` are one thing; returns the group's canonical id."""
        return await self._run(self.repository.link, kind, refs, canonical_id)

    async def unlink(self, kind: str, connection: str, remote_id: str) -> None:
        """Take ``remote_id`` at ``connection`` out of its group."""
        await self._run(self.repository.unlink, kind, connection, remote_id)

    async def synced(self, integration: str, link_id: str, connection: str) -> dict[str, Any]:
        """The values ``connection``'s side of link ``link_id`` last agreed on."""
        return await self._run(self._synced().get, integration, link_id, connection)

    async def remember(self, integration: str, link_id: str, connection: str,
                       values: dict[str, Any]) -> None:
        """Record ``values`` as agreed for ``connection``'s side of link ``link_id``."""
        await self._run(self._synced().remember, integration, link_id, connection, values)

    async def forget(self, integration: str, link_id: str) -> None:
        """Drop the values agreed for link ``link_id``."""
        await self._run(self._synced().forget, integration, link_id)

    def _synced(self) -> SyncedValueRepository:
        if self.synced_values is None:
            raise RuntimeError("these links were opened without the store's synced values")
        return self.synced_values
