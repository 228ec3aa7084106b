"""Knowing when the runner that claimed an event is gone.

Each runner has a random id, written into ``events.claimed_by`` when it claims. On
PostgreSQL the runner also holds a session advisory lock on its id for as long as it
lives: the database releases it the moment the process dies (even by ``kill -9``), so
another runner, or the same one restarted, can tell at once that the events are orphans
and run them again. (Advisory locks belong to a session: put the runner's connections
through a session-mode pooler, not a transaction-mode one.)

On SQLite one process owns the database, so every running event at start-up is an
orphan; leases (``lease_until``) remain the fallback for a runner that hangs.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, text

NAMESPACE = 0x706F  # first key of pontes' two-key advisory locks ("po")


def new_worker_id() -> int:
    """A random positive 31-bit id (the second key of an advisory lock is an int4)."""
    return secrets.randbelow(2**31 - 1) + 1


class WorkerLock:
    """A runner's proof of life on PostgreSQL, and the test for other runners' death."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.worker_id = new_worker_id()
        self._connection: Connection | None = None
        self._guard = threading.Lock()

    @property
    def supported(self) -> bool:
        """Whether the database has advisory locks (PostgreSQL)."""
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> int:
        """Hold the lock of a fresh worker id for the life of this runner; returns the id."""
        if not self.supported:
            return self.worker_id
        with self._guard:
            self._connection = self.engine.connect()
            while not self._try(self._connection, self.worker_id):
                self.worker_id = new_worker_id()
            self._connection.commit()
        return self.worker_id

    def dead(self, owners: Iterable[int]) -> list[int]:
        """The ``owners`` whose runner no longer holds its lock (its process is gone)."""
        if not self.supported or self._connection is None:
            return []
        gone = []
        with self._guard:
            for owner in owners:
                if owner == self.worker_id:
                    continue
                if self._try(self._connection, owner):
                    gone.append(owner)
                    self._connection.execute(text("SELECT pg_advisory_unlock(:ns, :id)"),
                                             {"ns": NAMESPACE, "id": owner})
            self._connection.commit()
        return gone

    def release(self) -> None:
        """Give the lock up (the runner stops)."""
        with self._guard:
            if self._connection is not None:
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
                self._connection.commit()
                self._connection.invalidate()  # end the session, not back to the pool
                self._connection.close()
                self._connection = None

    @staticmethod
    def _try(connection: Connection, worker_id: int) -> bool:
        return bool(connection.execute(text("SELECT pg_try_advisory_lock(:ns, :id)"),
                                       {"ns": NAMESPACE, "id": worker_id}).scalar())
