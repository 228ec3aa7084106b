"""Budget use as the Connections page reads it: calls in the current window and the pause
left, from an in-process bucket and from one kept in the store."""

from __future__ import annotations

import pytest
from pontes.http import InProcessBucket, RateLimit
from pontes.store import Store, StoreRateBudgets
from pontes.testing.databases import (
    fresh_postgres_database,
    postgres_admin_url,
    require_postgres,
)

LIMIT = RateLimit(10, 60)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A new SQLite file, or a new PostgreSQL database dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'budgets.db'}"
        return
    with fresh_postgres_database(require_postgres(postgres_admin_url()),
                                 "pontes_budget_usage") as url:
        yield url


@pytest.fixture
def store(store_url):
    opened = Store.open(store_url, key=b"budget-usage-test-key")
    yield opened
    opened.close()


@pytest.mark.anyio
async def test_an_in_process_bucket_counts_the_calls_of_its_window_and_its_pause():
    clock = [1000.0]
    bucket = InProcessBucket("crm", LIMIT, clock=lambda: clock[0])
    for _ in range(3):
        await bucket.acquire()
    await bucket.pause(30)
    usage = await bucket.usage()
    assert (usage.used, usage.limit, usage.paused_for) == (3, LIMIT, 30)

    clock[0] += LIMIT.window + 1
    later = await bucket.usage()
    assert (later.used, later.paused_for) == (0, 0)


@pytest.mark.anyio
async def test_a_bucket_in_the_store_counts_what_every_process_took(store):
    account = "one-vendor-account"
    first = StoreRateBudgets(store.engine, key=b"k").bucket("crm", LIMIT, account)
    other_process = StoreRateBudgets(store.engine, key=b"k").bucket("crm", LIMIT, account)
    assert (await first.usage()).used == 0
    await first.acquire()
    await other_process.acquire()
    await other_process.pause(20)

    usage = await first.usage()
    assert usage.used == 2 and 15 < usage.paused_for <= 20
