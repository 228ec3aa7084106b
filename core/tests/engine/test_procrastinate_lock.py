"""What pontes relies on Procrastinate for, pinned (``procrastinate~=3.10.0``) and checked
on the real PostgreSQL, on a store migrated by pontes (its schema and wake-up trigger):

- jobs with the same ``lock`` run one at a time, in id order, across workers, and a job
  waiting for its retry holds back the jobs behind it (an ordered lock, not a mutex:
  upstream may add a mutex mode, and this test would tell if the default changed);
- a finished job holding a lock wakes the workers at once (pontes' trigger), so the next
  job of the lock does not wait for the polling interval.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import pytest
from engine_support import SECRET_KEY, empty_postgres, require_postgres
from pontes.engine.tasks import conninfo
from pontes.store import Store
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.worker import Worker

pytestmark = pytest.mark.anyio

LOCKS, PER_LOCK = 5, 6


@pytest.fixture
def store(postgres_database):
    url = require_postgres(postgres_database)
    empty_postgres(url)
    opened = Store.open(url, key=SECRET_KEY.encode())
    yield opened
    opened.close()


def probe_app(store: Store) -> App:
    return App(connector=PsycopgConnector(conninfo=conninfo(store.engine.url), min_size=1,
                                          max_size=4))


async def run_workers(app: App, done: asyncio.Event, count: int, *, concurrency: int,
                      polling: float, timeout: float) -> None:
    """Run ``count`` workers until ``done`` is set (or fail after ``timeout``)."""
    workers = [Worker(app, queues=["probe"], concurrency=concurrency, name=f"probe-{i}",
                      fetch_job_polling_interval=polling, install_signal_handlers=False,
                      update_heartbeat_interval=1, stalled_worker_timeout=30)
               for i in range(count)]
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    try:
        await asyncio.wait_for(done.wait(), timeout)
    finally:
        for worker in workers:
            worker.stop()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_jobs_of_one_lock_run_one_at_a_time_in_id_order_through_retries(store):
    app = probe_app(store)
    running: dict[str, int] = defaultdict(int)
    overlaps: list[str] = []
    finished: dict[str, list[int]] = defaultdict(list)
    failed_once: set[tuple[str, int]] = set()
    done = asyncio.Event()

    @app.task(name="probe", queue="probe", retry=RetryStrategy(max_attempts=3, wait=1))
    async def probe(lock: str, n: int, fail: bool) -> None:
        running[lock] += 1
        if running[lock] > 1:
            overlaps.append(lock)
        try:
            await asyncio.sleep(0.02)
            if fail and (lock, n) not in failed_once:
                failed_once.add((lock, n))
                raise RuntimeError("fail the first attempt")
            finished[lock].append(n)
            if sum(map(len, finished.values())) == LOCKS * PER_LOCK:
                done.set()
        finally:
            running[lock] -= 1

    async with app.open_async():
        for n in range(PER_LOCK):  # interleaved, so ids alternate between locks
            for lock in range(LOCKS):
                await probe.configure(lock=f"lock-{lock}").defer_async(
                    lock=f"lock-{lock}", n=n, fail=n == 1)
        await run_workers(app, done, 2, concurrency=8, polling=0.2, timeout=60)

    assert overlaps == []
    assert dict(finished) == {f"lock-{lock}": list(range(PER_LOCK)) for lock in range(LOCKS)}
    assert len(failed_once) == LOCKS  # every n == 1 waited for its retry, the rest behind it


async def test_a_finished_locked_job_wakes_the_workers_for_the_next_one(store):
    app = probe_app(store)
    spans: list[tuple[float, float]] = []
    done = asyncio.Event()
    jobs = 4

    @app.task(name="probe", queue="probe")
    async def probe(n: int) -> None:
        started = time.monotonic()
        await asyncio.sleep(0.05)
        spans.append((started, time.monotonic()))
        if len(spans) == jobs:
            done.set()

    async with app.open_async():
        for n in range(jobs):
            await probe.configure(lock="one-record").defer_async(n=n)
        # polling every 30 s: only the wake-up on finish can start the next job sooner
        await run_workers(app, done, 2, concurrency=2, polling=30, timeout=20)

    gaps = [next_start - end for (_, end), (next_start, _) in zip(spans, spans[1:],
                                                                   strict=False)]
    assert len(gaps) == jobs - 1 and all(gap < 3 for gap in gaps), gaps
