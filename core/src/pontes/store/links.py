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

from sqlalchemy import Engine, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from ..models import new_id
from .database import reading
from .schema import links, utcnow

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

    ``run`` executes a repository call off the event loop (``Store.run``).
    """

    def __init__(self, repository: LinkRepository,
                 run: Callable[..., Awaitable[Any]]):
        self.repository = repository
        self._run = run

    async def lookup(self, kind: str, connection: str, remote_id: str) -> dict[str, str] | None:
        """The group containing ``remote_id`` at ``connection`` (see ``Links``)."""
        return await self._run(self.repository.lookup, kind, connection, remote_id)

    async def link(self, kind: str, refs: dict[str, str], canonical_id: str | None = None) -> str:
        """Record that ``refs`` are one thing; returns the group's canonical id."""
        return await self._run(self.repository.link, kind, refs, canonical_id)
