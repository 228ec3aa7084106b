"""The Procrastinate tasks of a PostgreSQL installation, and their retry strategy.

- ``pontes.run_event(event_id)``: one attempt of a stored event. Jobs are deferred with the
  event (``pontes.store.jobs``), locked by ``<integration>:<entity key>``: Procrastinate
  runs the jobs of one lock one at a time, in id order, and a job waiting for its retry
  keeps its place, so the events of a record run in arrival order through retries.
- ``pontes.poll(integration, role, trigger)``: one poll, locked per target.
- ``pontes.tick(timestamp)``: every second, deferred once across the cluster (a periodic
  task; at most one waiting, by its queueing lock, but never locked: a tick cut short
  with its worker must not hold back the tick that recovers it), it queues the polls that are due (``CursorRepository.schedule``) and hands back
  the jobs of stalled workers (Procrastinate's documented recipe: a worker whose
  heartbeat is older than ``stalled_after`` died, and its jobs run again).
- ``pontes.purge(timestamp)``: with ``retention:`` configured, once a day across the
  cluster (a periodic task at ``PURGE_CRON``), the finished events older than the
  retention are deleted (``pontes.engine.retention``).

``EventRetryStrategy`` is how a run's outcome reaches Procrastinate: a ``retry`` or
``deferred`` outcome raises ``RetryLater`` with the time the engine chose (its backoff, or
the vendor's ``Retry-After``); a run cut short by its worker stopping is handed back at
once; a failure of the engine itself (the store unreachable) is tried again soon. Dead and
succeeded events end their job: the ``events`` table says which.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from procrastinate import App, BaseRetryStrategy, PsycopgConnector, RetryDecision
from procrastinate.jobs import Job
from sqlalchemy.engine import URL

from ..store import Store, utcnow
from ..store.jobs import POLL, PURGE, QUEUE, RUN_EVENT, TICK, TICK_PRIORITY
from .attempts import AttemptRunner
from .poller import Poller
from .retention import PURGE_CRON, Retention
from .settings import Settings

log = logging.getLogger("pontes.worker")

POOL_SIZE = 4
"""Connections of a worker's Procrastinate pool: one fetch at a time, short finishes, the
heartbeat and the tick. (Procrastinate's statements are single function calls, so they
run in autocommit: no BEGIN and COMMIT round trips.)"""
ENGINE_RETRY_CAP = 30.0
"""Seconds, at most, between tries of a job whose run failed in the engine itself."""


async def _autocommit(connection) -> None:
    await connection.set_autocommit(True)


class RetryLater(Exception):
    """Run this event's job again at ``at``; it keeps its place in its lock's order."""

    def __init__(self, event_id: int, at: datetime):
        super().__init__(f"event {event_id} runs again at {at.isoformat()}")
        self.at = at


class OutcomeNotRecorded(Exception):
    """The outcome of an attempt could not be written; the job runs again, and finds the
    attempt open (counted as crashed)."""


class EventRetryStrategy(BaseRetryStrategy):
    """Procrastinate's retry decision for ``run_event`` jobs, from the engine's own."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        """When the job runs again: at the engine's chosen time, at once for a run its
        worker stopped, soon for a failure of the engine; never ``None`` (the event's row,
        not the job, decides when an event is finished)."""
        if isinstance(exception, RetryLater):
            return RetryDecision(retry_at=exception.at)
        if isinstance(exception, asyncio.CancelledError):
            return RetryDecision(retry_in={"seconds": 0})
        return RetryDecision(retry_in={"seconds": min(ENGINE_RETRY_CAP, 2.0 ** job.attempts)})


def conninfo(url: URL) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(store: Store, attempts: AttemptRunner, poller: Poller,
              settings: Settings, retention: Retention | None = None) -> App:
    """The Procrastinate app of one process: its connector and pontes' tasks (with a
    ``retention``, its daily purge too)."""
    connector = PsycopgConnector(conninfo=conninfo(store.engine.url), min_size=1,
                                 max_size=POOL_SIZE, configure=_autocommit)
    app = App(connector=connector)

    @app.task(name=RUN_EVENT, queue=QUEUE, retry=EventRetryStrategy())
    async def run_event(event_id: int) -> None:
        """One attempt of a stored event (nothing when it has finished meanwhile)."""
        claimed = await store.run(store.events.start, event_id, settings.max_crashes)
        if claimed is None:
            return
        outcome = await attempts.run(claimed)
        if outcome is None:
            raise OutcomeNotRecorded(f"event {event_id}: its outcome was not recorded")
        if outcome.outcome in ("retry", "deferred") and outcome.next_attempt_at is not None:
            raise RetryLater(event_id, outcome.next_attempt_at)

    @app.task(name=POLL, queue=QUEUE)
    async def poll(integration: str, role: str, trigger: str) -> None:
        """One poll of a target (nothing when the configuration no longer has it)."""
        found = poller.find(integration, role, trigger)
        if found is not None:
            await poller.poll_and_record(*found)

    @app.periodic(cron="* * * * * *", periodic_id="tick")
    @app.task(name=TICK, queue=QUEUE, priority=TICK_PRIORITY, queueing_lock=TICK)
    async def tick(timestamp: int) -> None:
        """Hand back the jobs of stalled workers, then queue the polls that are due."""
        await recover_stalled(app, settings.stalled_after)
        if settings.poll:
            await store.run(store.cursors.schedule, poller.schedule(), utcnow())

    if retention is not None and retention.enabled:

        @app.periodic(cron=PURGE_CRON, periodic_id="retention")
        @app.task(name=PURGE, queue=QUEUE, queueing_lock=PURGE)
        async def purge(timestamp: int) -> None:
            """Delete the finished events older than the configured retention."""
            await retention.apply()

    return app


HAND_BACK_IF_STILL_STALLED = """
UPDATE procrastinate_jobs
   SET status = 'todo', attempts = attempts + 1, scheduled_at = NOW()
 WHERE id = %(job_id)s AND status = 'doing' AND worker_id IS NOT DISTINCT FROM %(worker_id)s
RETURNING id
"""
"""Procrastinate's retry of a stalled job, only if the job is still the stalled worker's.

``JobManager.retry_job`` would also hand back a job that another worker took up a moment
ago (after an earlier tick handed it back): two ticks can overlap, and two runs of one
event must never."""


async def recover_stalled(app: App, stalled_after: float) -> int:
    """Put back in the queue the jobs of workers silent for ``stalled_after`` seconds;
    returns how many."""
    stalled = list(await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=stalled_after))
    recovered = 0
    for job in stalled:
        handed_back = await app.connector.execute_query_all_async(
            HAND_BACK_IF_STILL_STALLED, job_id=job.id, worker_id=job.worker_id)
        recovered += len(handed_back)
    if recovered:
        log.warning("%d job(s) of a stopped worker run again", recovered)
    return recovered
