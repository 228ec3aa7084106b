"""Vendor budgets kept in the store: the same arithmetic as in memory, one row per account named
by a keyed hash, shared by every process on PostgreSQL, paused by a vendor's 429.

The multi-process tests start real processes on the real PostgreSQL and count, from the
times each process was let through, every window of the vendor's length and how much of
the budget a busy account got.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from engine_support import SECRET_KEY, require_postgres
from pontes.errors import RateLimitedError
from pontes.http import InProcessRateBudgets, RateLimit, RetryPolicy, VendorClient
from pontes.store import Store, StoreRateBudgets
from pontes.store.schema import vendor_budgets
from pontes.testing import serve_app
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

pytestmark = pytest.mark.anyio

BUDGET_PROCESS = Path(__file__).parent / "support" / "budget_process.py"
KEY = SECRET_KEY.encode()


class FakeTime:
    """A clock that only moves when told to (the callers queue; nobody really sleeps)."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        return None


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of ``times`` inside one half-open window ``[t, t + window)``."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def an_account() -> str:
    """A vendor account no other test uses (the budgets outlive a test on PostgreSQL)."""
    return uuid.uuid4().hex


async def outcome(bucket, max_wait: float) -> tuple[str, float]:
    try:
        return "granted", await bucket.acquire(max_wait)
    except RateLimitedError as refused:
        return "refused", refused.retry_after


# --- one store, one process ------------------------------------------------------------------


async def test_the_sql_runs_the_same_arithmetic_as_memory(tmp_path):
    """The same calls, pauses and clock give the same waits and refusals from a budget in
    SQLite as from one in memory."""
    fake = FakeTime()
    store = Store.open(f"sqlite:///{tmp_path / 'budgets.db'}", key=KEY)
    limits = [RateLimit(10, 60.0), RateLimit(20, 2.0)]
    try:
        for limit in limits:
            in_store = StoreRateBudgets(store.engine, key=KEY, clock=fake.clock,
                                        sleep=fake.sleep).bucket("c", limit, an_account())
            in_memory = InProcessRateBudgets(clock=fake.clock,
                                             sleep=fake.sleep).bucket("c", limit, "a")
            script = ([(0.0, 70.0)] * 12 + [(limit.window / 7, 5.0)] * 12
                      + [(90.0, 0.0)] * 2)
            for step, (advance, max_wait) in enumerate(script):
                fake.now += advance
                if step == 16:
                    await in_store.pause(4.0)
                    await in_memory.pause(4.0)
                got = await outcome(in_store, max_wait)
                expected = await outcome(in_memory, max_wait)
                assert got[0] == expected[0], f"step {step}"
                assert got[1] == pytest.approx(expected[1], abs=1e-6), f"step {step}"
    finally:
        store.close()


async def test_a_budget_row_names_no_credential(store):
    name = f"desk-{an_account()}"
    client = VendorClient(name, "http://vendor.invalid", rate_limit=RateLimit(5, 1.0),
                          auth_params={"token": "the-secret-token-0123"})
    budgets = StoreRateBudgets(store.engine, key=KEY)
    await budgets.bucket(name, client.rate_limit, client.account).acquire()
    await budgets.bucket(name, client.rate_limit, client.account).pause(0.1)
    with store.engine.connect() as connection:
        rows = connection.execute(select(vendor_budgets).where(
            vendor_budgets.c.connection == name)).mappings().all()
    await client.aclose()
    assert len(rows) == 1
    row = rows[0]
    assert len(row["account"]) == 64 and row["account"] != client.account
    dumped = json.dumps({key: str(value) for key, value in row.items()})
    assert "the-secret-token-0123" not in dumped and client.account not in dumped


async def test_budgets_objects_on_one_store_share_an_accounts_budget(store):
    """Two budgets objects stand for two processes: one account, one budget."""
    limit = RateLimit(3, 3600.0)
    account = an_account()
    first = StoreRateBudgets(store.engine, key=KEY).bucket("crm", limit, account)
    second = StoreRateBudgets(store.engine, key=KEY).bucket("crm-again", limit, account)
    other_key = StoreRateBudgets(store.engine, key=b"another installation").bucket(
        "crm", limit, account)
    other_account = StoreRateBudgets(store.engine, key=KEY).bucket("crm", limit, an_account())
    assert [await outcome(first, 0.0) for _ in range(2)] == [("granted", 0.0)] * 2
    assert (await outcome(second, 0.0))[0] == "granted"
    kind, retry_after = await outcome(second, 0.0)
    assert kind == "refused" and retry_after == pytest.approx(limit.window, abs=5.0)
    assert (await outcome(other_key, 0.0))[0] == "granted"
    assert (await outcome(other_account, 0.0))[0] == "granted"


async def test_a_pause_holds_every_budgets_object_of_the_account(store):
    limit = RateLimit(100, 1.0)
    account = an_account()
    told = StoreRateBudgets(store.engine, key=KEY).bucket("desk", limit, account)
    other = StoreRateBudgets(store.engine, key=KEY).bucket("desk", limit, account)
    await told.pause(30.0)
    kind, retry_after = await outcome(other, 5.0)
    assert kind == "refused" and retry_after == pytest.approx(30.0, abs=2.0)
    await told.pause(10.0)  # a shorter pause changes nothing
    assert (await outcome(other, 5.0))[1] == pytest.approx(30.0, abs=2.0)


async def test_a_cancelled_wait_hands_its_turn_back_to_the_store(store):
    limit = RateLimit(1, 3600.0)
    sleeping, gate = asyncio.Event(), asyncio.Event()

    async def blocked(seconds: float) -> None:
        sleeping.set()
        await gate.wait()

    bucket = StoreRateBudgets(store.engine, key=KEY, sleep=blocked).bucket("desk", limit,
                                                                          an_account())
    assert await bucket.acquire() == 0.0
    waiting = asyncio.ensure_future(bucket.acquire())
    await sleeping.wait()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    kind, retry_after = await outcome(bucket, 0.0)
    assert kind == "refused" and retry_after == pytest.approx(limit.window, abs=5.0)


# --- several processes on PostgreSQL ---------------------------------------------------------


def process_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PONTES_")}
    env["PONTES_SECRET_KEY"] = SECRET_KEY
    return env


@pytest.fixture
def postgres_store(postgres_database):
    """A migrated PostgreSQL store for processes to share."""
    url = require_postgres(postgres_database)
    opened = Store.open(url, key=KEY)
    yield opened
    opened.close()


SHORT_LIMIT = RateLimit(50, 5.0)
"""A vendor limit short enough for a test; its margin (0.1 s) stays above the spread of
timer wake-ups on a busy test machine."""


@pytest.mark.slow
def test_four_processes_keep_every_window_and_use_the_budget(postgres_store,
                                                            postgres_database):
    limit, account, seconds = SHORT_LIMIT, an_account(), 8.0
    processes = [subprocess.Popen(
        [sys.executable, str(BUDGET_PROCESS), "hammer", postgres_database, account,
         str(limit.requests), str(limit.per_seconds), str(seconds), "3"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=process_env()) for _ in range(4)]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready", process.stderr.read()
        start_at = time.time() + 0.5
        for process in processes:
            process.stdin.write(f"{start_at}\n")
            process.stdin.flush()
        granted: list[float] = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            assert json.loads(out), "every process got calls"
            granted += json.loads(out)
    finally:
        for process in processes:
            process.kill()
    assert most_in_any_window(granted, limit.per_seconds) <= limit.requests
    allowed = limit.requests * math.ceil(seconds / limit.per_seconds)
    assert len([t for t in granted if start_at <= t < start_at + seconds]) >= 0.95 * allowed


class LockingVendor:
    """A vendor that answers its first call with 429 and ``Retry-After: 6``, then 200."""

    def __init__(self) -> None:
        self.calls = 0

    async def answer(self, request: Request) -> JSONResponse:
        self.calls += 1
        if self.calls == 1:
            return JSONResponse({"message": "Too many requests"}, status_code=429,
                                headers={"Retry-After": "6"})
        return JSONResponse({"ok": True})


@pytest.mark.slow
async def test_a_429_in_one_process_holds_the_account_in_another(postgres_store,
                                                                  postgres_database):
    vendor = LockingVendor()
    with serve_app(Starlette(routes=[Route("/tickets", vendor.answer)])) as base_url:
        client = VendorClient("desk", base_url, rate_limit=RateLimit(100, 1.0),
                              auth_params={"token": f"token-{an_account()}"},
                              retry=RetryPolicy(attempts=1))
        client.attach(StoreRateBudgets(postgres_store.engine, key=KEY))
        try:
            with pytest.raises(RateLimitedError) as told:
                await client.get_json("/tickets")
        finally:
            await client.aclose()
        assert told.value.status == 429
        token = client.auth_params["token"]

        def call_from_another_process() -> dict:
            done = subprocess.run(
                [sys.executable, str(BUDGET_PROCESS), "call", postgres_database, base_url,
                 token], capture_output=True, text=True, env=process_env(), timeout=60)
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        held = await asyncio.to_thread(call_from_another_process)
        assert held["status"] is None
        assert 0 < held["refused_for"] <= 6.0
        assert vendor.calls == 1
        await asyncio.sleep(held["refused_for"])
        after = await asyncio.to_thread(call_from_another_process)
    assert after == {"status": 200}
    assert vendor.calls == 2
