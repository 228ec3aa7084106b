"""One process serves a SQLite store.

The in-process runner takes back every event left running when it starts, which is only
right if no other process is running them: so ``pontes serve`` on a SQLite file holds an
exclusive lock on it (``flock``, released by the system when the process ends, even by
``kill -9``), and a second one refuses to start. Commands that only read or replay
(``pontes events``, ``pontes replay``) take no lock and work beside the server.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from sqlalchemy import Engine

from ..errors import PontesError


class StoreBusy(PontesError):
    """Another process already serves this SQLite store."""


class Ownership:
    """This process's hold on a SQLite store file; ``release()`` gives it up."""

    def __init__(self, path: Path, descriptor: int):
        self.path = path
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        """Let another process serve the store."""
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing drops the flock
            self._descriptor = None


def own_sqlite_store(engine: Engine) -> Ownership | None:
    """Hold the SQLite file of ``engine`` for this process; ``None`` for an in-memory
    database (nobody else can see it). Raises ``StoreBusy`` when another process holds it."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return None
    path = Path(database).resolve()
    descriptor = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise StoreBusy(
            f"store: another pontes process is already serving {path}; a SQLite store is "
            "served by one process (stop the other one, or move the store to PostgreSQL to "
            "run several: see docs/scaling.md)") from None
    return Ownership(path, descriptor)
