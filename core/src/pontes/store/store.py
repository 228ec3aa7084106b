"""The ``Store``: one database and the repositories the server, runner and CLI use.

Repositories are synchronous (each method is one transaction); async code calls them
through ``Store.run``, which executes them on the store's own threads. On SQLite there is
one such thread, because SQLite has one writer at a time anyway and queueing in Python is
cheaper than spinning on the database lock; on PostgreSQL there are several.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from .cursors import CursorRepository
from .database import migrate, open_engine, reading
from .events import EventRepository
from .integration_states import IntegrationStateRepository
from .links import LinkRepository
from .mappings import MappingOverrideRepository
from .retention import EventPurge
from .sign_outs import SignOutRepository
from .synced import SyncedValueRepository
from .vault import Vault

T = TypeVar("T")


class Store:
    """A migrated database with its repositories.

    - ``events``: the inbox, attempts, claiming, retries, replay (``EventRepository``);
    - ``links``: who is who across connections (``LinkRepository``);
    - ``cursors``: polling positions (``CursorRepository``);
    - ``retention``: deleting finished events past an age (``EventPurge``);
    - ``vault``: encrypted connection credentials and OAuth tokens (``Vault``);
    - ``mappings``: mappings saved from the admin pages (``MappingOverrideRepository``);
    - ``synced``: the values linked records last agreed on (``SyncedValueRepository``);
    - ``sign_outs``: admin sessions ended by signing out (``SignOutRepository``).
    """

    def __init__(self, engine: Engine, *, key: bytes | None = None, threads: int | None = None):
        self.engine = engine
        self.events = EventRepository(engine)
        self.links = LinkRepository(engine)
        self.cursors = CursorRepository(engine)
        self.retention = EventPurge(engine)
        self.vault = Vault(engine, key)
        self.mappings = MappingOverrideRepository(engine)
        self.synced = SyncedValueRepository(engine)
        self.integration_states = IntegrationStateRepository(engine)
        self.sign_outs = SignOutRepository(engine)
        workers = threads or (1 if self.is_sqlite else 8)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pontes-store")

    @classmethod
    def open(cls, url: str | URL, *, key: bytes | None = None, migrate_schema: bool = True,
             threads: int | None = None) -> Store:
        """Open the database at ``url`` and apply pending migrations (unless told not to).

        ``key`` is the installation key for the vault (default: ``installation_key()``,
        read when the vault is first used).
        """
        engine = open_engine(url)
        if migrate_schema:
            migrate(engine)
        return cls(engine, key=key, threads=threads)

    @property
    def is_sqlite(self) -> bool:
        """Whether this store is SQLite (one process owns it)."""
        return self.engine.dialect.name == "sqlite"

    @property
    def url(self) -> str:
        """The database URL with any password masked."""
        return self.engine.url.render_as_string(hide_password=True)

    def ping(self) -> None:
        """Run a trivial query; raises when the database cannot be reached."""
        with reading(self.engine) as connection:
            connection.execute(text("SELECT 1"))

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Await a repository call made on the store's threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor,
                                          functools.partial(function, *args, **kwargs))

    def close(self) -> None:
        """Finish queued calls and close every database connection."""
        self._executor.shutdown(wait=True)
        self.engine.dispose()
