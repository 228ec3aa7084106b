"""The queue interface: how stored events get run, whichever store holds them.

Every implementation offers the same six operations, split between the store (what must
happen inside a transaction) and the engine (what runs):

| operation | where | SQLite: in-process runner | PostgreSQL: Procrastinate |
| --- | --- | --- | --- |
| enqueue, inside the inbox's transaction | ``EventRepository.insert`` through ``pontes.store.jobs`` | the ``received`` row is the queue | one ``run_event`` job per event, locked by ``<integration>:<entity key>`` |
| run one event | ``AttemptRunner.run`` | ``Runner`` claims due events | a worker takes the job (``pontes.engine.tasks``) |
| retry later | the attempt's ``retry``/``deferred`` outcome | ``next_attempt_at`` | ``EventRetryStrategy`` schedules the job, which keeps its place |
| dead | the attempt's ``dead`` outcome | final until replayed | the job ends |
| replay | ``EventRepository.replay`` / ``replay_dead`` | the row waits again | a new job, behind what the record has waiting |
| recover | after a process dies | at start-up, every ``running`` event (``recover``) | the tick hands back the jobs of stalled workers; ``start`` closes the crashed attempt |

The engine holds an ``EventQueue``: ``pontes.engine.runner.Runner`` for SQLite,
``pontes.engine.cluster.ClusterQueue`` for PostgreSQL. The ``events`` and ``attempts``
tables are the record of every event in both.
"""

from __future__ import annotations

from typing import Protocol


class EventQueue(Protocol):
    """What the engine runs events with."""

    def wake(self) -> None:
        """Events were stored or replayed by this process: look at the queue now."""
        ...

    async def start(self) -> None:
        """Take back what a dead process left (SQLite), then start running events."""
        ...

    async def stop(self, grace: float) -> None:
        """Stop taking events; running ones get ``grace`` seconds, then are handed back
        (recorded as interrupted) to run again."""
        ...
