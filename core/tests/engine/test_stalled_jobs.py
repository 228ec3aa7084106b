"""Handing back the jobs of a worker that went silent (PostgreSQL): once, and never a job
that another worker has taken up since."""

from __future__ import annotations

import pytest
from engine_support import SECRET_KEY, empty_postgres, require_postgres
from pontes.engine.tasks import HAND_BACK_IF_STILL_STALLED, conninfo, recover_stalled
from pontes.store import Store
from procrastinate import App, PsycopgConnector
from sqlalchemy import text

pytestmark = pytest.mark.anyio


@pytest.fixture
async def app(postgres_database):
    url = require_postgres(postgres_database)
    empty_postgres(url)
    store = Store.open(url, key=SECRET_KEY.encode())
    app = App(connector=PsycopgConnector(conninfo=conninfo(store.engine.url), min_size=1,
                                         max_size=2))

    @app.task(name="probe", queue="probe")
    async def probe() -> None:
        """Never run here: the test moves the job by hand."""

    app.store = store
    async with app.open_async():
        yield app
    store.close()


def silence(store: Store, worker_id: int) -> None:
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE procrastinate_workers SET last_heartbeat = "
                                "now() - interval '1 hour' WHERE id = :id"), {"id": worker_id})


def job_row(store: Store, job_id: int) -> tuple:
    with store.engine.connect() as connection:
        return tuple(connection.execute(text(
            "SELECT status, worker_id FROM procrastinate_jobs WHERE id = :id"),
            {"id": job_id}).one())


async def test_the_jobs_of_a_silent_worker_are_handed_back_once(app):
    manager = app.job_manager
    job_id = await app.tasks["probe"].defer_async()
    dead_worker = await manager.register_worker()
    assert (await manager.fetch_job(["probe"], dead_worker)).id == job_id
    assert await recover_stalled(app, 30) == 0  # its heartbeat is fresh

    silence(app.store, dead_worker)
    assert await recover_stalled(app, 30) == 1
    assert job_row(app.store, job_id)[0] == "todo"
    assert await recover_stalled(app, 30) == 0


async def test_a_late_tick_never_hands_back_a_job_another_worker_took_up(app):
    manager = app.job_manager
    job_id = await app.tasks["probe"].defer_async()
    dead_worker = await manager.register_worker()
    await manager.fetch_job(["probe"], dead_worker)
    silence(app.store, dead_worker)
    seen_by_late_tick = list(await manager.get_stalled_jobs(seconds_since_heartbeat=30))

    assert await recover_stalled(app, 30) == 1  # the first tick hands it back
    live_worker = await manager.register_worker()
    assert (await manager.fetch_job(["probe"], live_worker)).id == job_id
    for job in seen_by_late_tick:  # the late tick acts on what it saw before
        assert await app.connector.execute_query_all_async(
            HAND_BACK_IF_STILL_STALLED, job_id=job.id, worker_id=job.worker_id) == []
    assert job_row(app.store, job_id) == ("doing", live_worker)
