"""Vendor rate budgets kept in the store, shared by every process of an installation.

Each vendor account has one row in ``vendor_budgets``, named by a keyed hash of the
account (``VendorClient.account`` under a key derived from the installation key: no
credential, nor anything that reveals one, reaches the database). A call locks the row,
runs ``window_reserve`` on its log of calls and writes the log back, in one short
transaction, so any number of processes on any number of machines keep to one budget
together; a vendor's 429 pauses it for all of them.

On PostgreSQL the times are the database's clock (``clock_timestamp()``, read once the
row is locked), one clock for every machine; on SQLite, which one process owns, they are
this process's wall clock. Both are seconds since the epoch.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import (
    Connection,
    Double,
    Engine,
    Row,
    cast,
    extract,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from ..http.ratelimit import (
    RateLimit,
    Reservation,
    WindowBucket,
    account_digest,
    budget_name,
    window_reserve,
    without_call,
)
from ..keys import derive_key, installation_key
from .database import reading
from .schema import vendor_budgets

_PURPOSE = "pontes:vendor-budgets:v1"


class StoreRateBudgets:
    """``RateBudgets`` kept in the store's ``vendor_budgets`` table.

    ``StoreRateBudgets(store.engine, key=installation_key)`` works on any migrated store:
    on PostgreSQL every process built on the same database shares each account's budget;
    on SQLite the same interface serves the one process that owns the file. ``key`` is the
    installation key (by default ``pontes.keys.installation_key()``, read when the first
    bucket is made); processes must share it to share budgets. ``clock`` (SQLite only) and
    ``sleep`` are injectable for tests.
    """

    def __init__(self, engine: Engine, *, key: bytes | None = None,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        self.engine = engine
        self._key = key
        self._hash_key: bytes | None = None
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, RateLimit], StoreBucket] = {}
        self._guard = threading.Lock()

    def bucket(self, connection: str, limit: RateLimit,
               account: str | None = None) -> StoreBucket:
        """The bucket of ``account`` (or ``connection``) for ``limit``, shared through the
        store with every process using the same database and installation key."""
        with self._guard:
            if self._hash_key is None:
                key = self._key if self._key is not None else installation_key()
                self._hash_key = derive_key(key, _PURPOSE)
            digest = account_digest(self._hash_key, budget_name(connection, account))
            made = self._buckets.get((digest, limit))
            if made is None:
                made = self._buckets[(digest, limit)] = StoreBucket(
                    connection, limit, digest, self.engine, clock=self._clock,
                    sleep=self._sleep)
            return made


class StoreBucket(WindowBucket):
    """The bucket of one vendor account and limit, its state a row of ``vendor_budgets``.

    The row is made on first use. A reservation is one transaction that locks the row,
    reads it and writes the new log; a caller that had to wait reads the row once more to
    see whether a pause began meanwhile.
    """

    def __init__(self, connection: str, limit: RateLimit, account: str, engine: Engine, *,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        super().__init__(connection, limit, sleep)
        self.account = account
        self.engine = engine
        self._clock = clock

    def _now(self) -> ColumnElement[float]:
        """The current time in seconds since the epoch, as the database reads it."""
        if self.engine.dialect.name == "postgresql":
            return cast(extract("epoch", func.clock_timestamp()), Double)
        return literal(self._clock(), Double)

    def _row(self, connection: Connection, *, lock: bool) -> Row[Any] | None:
        query = select(vendor_budgets.c.calls, vendor_budgets.c.paused_until,
                       self._now().label("now")).where(vendor_budgets.c.account == self.account)
        return connection.execute(query.with_for_update() if lock else query).first()

    def _locked_row(self, connection: Connection) -> Row[Any]:
        """The account's row, locked until the transaction ends (made when missing)."""
        row = self._row(connection, lock=True)
        if row is None:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            connection.execute(dialect.insert(vendor_budgets).values(
                account=self.account, connection=self.connection, calls=[],
                paused_until=0.0).on_conflict_do_nothing())
            row = self._row(connection, lock=True)
        return row

    def _write(self, connection: Connection, **values: Any) -> None:
        connection.execute(update(vendor_budgets)
                           .where(vendor_budgets.c.account == self.account).values(**values))

    def _reserve_now(self, max_wait: float) -> Reservation:
        with self.engine.begin() as connection:
            row = self._locked_row(connection)
            wait, calls = window_reserve(row.calls, row.paused_until, row.now, self.limit,
                                         max_wait)
            if calls is None:
                return Reservation(wait, None, row.paused_until)
            self._write(connection, calls=calls)
            return Reservation(wait, calls[-1], row.paused_until)

    def _release_now(self, at: float) -> None:
        with self.engine.begin() as connection:
            row = self._locked_row(connection)
            self._write(connection, calls=without_call(row.calls, at))

    def _pause_now(self, seconds: float) -> None:
        with self.engine.begin() as connection:
            row = self._locked_row(connection)
            self._write(connection, paused_until=max(row.paused_until, row.now + seconds))

    def _paused_since_now(self, seen: float) -> float:
        with reading(self.engine) as connection:
            row = self._row(connection, lock=False)
        if row is None or row.paused_until <= seen:
            return 0.0
        return max(0.0, row.paused_until - row.now)

    async def _reserve(self, max_wait: float) -> Reservation:
        return await asyncio.to_thread(self._reserve_now, max_wait)

    async def _release(self, at: float) -> None:
        await asyncio.to_thread(self._release_now, at)

    async def _paused_since(self, seen: float) -> float:
        return await asyncio.to_thread(self._paused_since_now, seen)

    def _read_state(self) -> tuple[list[float], float, float]:
        with reading(self.engine) as connection:
            row = self._row(connection, lock=False)
            if row is None:  # no call yet: nothing taken
                return [], 0.0, 0.0
        return list(row.calls), row.paused_until, row.now

    async def _state_now(self) -> tuple[list[float], float, float]:
        return await asyncio.to_thread(self._read_state)

    async def pause(self, seconds: float) -> None:
        """Hold every call of this account, in every process sharing the store, for
        ``seconds`` from now."""
        await asyncio.to_thread(self._pause_now, seconds)
