"""Polling: asking vendors for changes, for integrations whose roles have polling triggers.

Each (integration, role, polling trigger) polls on its interval from its stored cursor.
The events it finds go through the same de-duplication as webhook deliveries (a change
seen by a webhook and by a poll runs once), and the cursor moves in the same transaction
that stores them, only from the position the poll started from, so a crash cannot skip a
change and a cursor never moves back. A failed poll keeps the cursor, records the error,
and is tried again on the next interval (or after the vendor's Retry-After). A vendor may
echo a credential in what it lists, so polled events are stored with the secrets of the
integration's connections masked, as webhook deliveries are (``pontes.engine.masking``).

Who polls when: with SQLite, ``Poller.start`` runs one loop per target in the one process;
with PostgreSQL, the cluster's periodic tick queues each due poll once
(``CursorRepository.schedule``) and a worker runs it (``pontes.engine.tasks``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from ..connector import PollingTrigger
from ..logs import event_fields
from ..recipes import Integration
from ..runtime import Runtime
from ..store import CursorPosition, NewEvent, Store
from ..store.cursors import CursorMoved, DuePoll
from ..store.jobs import PollTarget
from .explain import explain_failure
from .inbox import stored_key
from .masking import masked_data
from .metrics import Metrics

log = logging.getLogger("pontes.poller")


class Poller:
    """Runs the polling loops of every enabled integration."""

    def __init__(self, runtime: Runtime, store: Store, metrics: Metrics | None = None,
                 on_stored: Callable[[], None] = lambda: None):
        self.runtime = runtime
        self.store = store
        self.metrics = metrics
        self.on_stored = on_stored
        self._tasks: list[asyncio.Task[None]] = []

    def targets(self) -> list[tuple[Integration, str, PollingTrigger]]:
        """Every (integration, role, polling trigger) that should poll."""
        found = []
        for integration in self.runtime.integrations.values():
            if not integration.config.enabled:
                continue
            for role in integration.trigger_roles():
                found.extend((integration, role, trigger)
                             for trigger in integration.polling_triggers(role))
        return found

    def schedule(self) -> list[DuePoll]:
        """Every target with its interval, as the cluster's poll schedule takes them."""
        return [DuePoll(PollTarget(integration.name, role, integration.connections[role].name,
                                   trigger.name), integration.poll_interval(trigger))
                for integration, role, trigger in self.targets()]

    def find(self, integration: str, role: str, trigger: str
             ) -> tuple[Integration, str, PollingTrigger] | None:
        """The target named so, or ``None`` when the configuration no longer has it."""
        return next(((i, r, t) for i, r, t in self.targets()
                     if (i.name, r, t.name) == (integration, role, trigger)), None)

    def start(self) -> None:
        """Start one loop per target (the one process of a SQLite store)."""
        loop = asyncio.get_running_loop()
        for integration, role, trigger in self.targets():
            self._tasks.append(loop.create_task(
                self._poll_forever(integration, role, trigger),
                name=f"pontes-poll-{integration.name}-{trigger.name}"))

    async def stop(self) -> None:
        """Stop every loop."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _poll_forever(self, integration: Integration, role: str,
                            trigger: PollingTrigger) -> None:
        while True:
            held = await self.poll_and_record(integration, role, trigger)
            await asyncio.sleep(max(integration.poll_interval(trigger), held))

    async def poll_and_record(self, integration: Integration, role: str,
                              trigger: PollingTrigger) -> float:
        """Poll once; on failure record the error with the cursor. Returns the seconds the
        vendor asked to wait before the next poll (0 when it asked nothing).

        A deactivated integration (``pontes deactivate``) is not polled: its cursor stays
        where it was, so ``pontes activate`` later picks up what changed meanwhile."""
        states = await self.store.run(self.store.integration_states.all)
        state = states.get(integration.name)
        if state is not None and not state.active:
            return 0.0
        try:
            await self.poll_once(integration, role, trigger)
        except CursorMoved as exc:
            log.info("%s", exc)
        except Exception as exc:
            message = explain_failure(exc, integration.connections.values())
            log.warning("polling %s for %s failed: %s", trigger.name, integration.name,
                        message)
            held = getattr(exc, "retry_after", None) or 0.0
            try:
                await self.store.run(self.store.cursors.record_error, integration.name,
                                     integration.connections[role].name, trigger.name,
                                     message, hold=held)
            except Exception:
                log.exception("could not record the polling error")
            return held
        return 0.0

    async def poll_once(self, integration: Integration, role: str,
                        trigger: PollingTrigger) -> list[int]:
        """Poll once from the stored cursor; store new events and the new cursor together.

        Returns the ids of the events stored (repeats of stored events are skipped).
        """
        connection = integration.connections[role]
        state = await self.store.run(self.store.cursors.get, integration.name,
                                     connection.name, trigger.name)
        result = await trigger.poll(connection, state.value if state else None)
        wanted = set(integration.recipe.roles[role].triggers)
        rows = []
        for event in result.events:
            if event.type not in wanted:
                continue
            event = event.model_copy(update={"trigger": trigger.name})
            rows.append(NewEvent(
                integration=integration.name, role=role, connection=connection.name,
                source="poll", trigger=trigger.name, type=event.type,
                idempotency_key=stored_key(event.idempotency_key, integration),
                entity_key=stored_key(event.entity_key, integration),
                event=masked_data(event.model_dump(mode="json"),
                                  integration.connections.values())))
        started_from = state.value if state else None
        cursor = result.cursor if result.cursor is not None else started_from
        position = CursorPosition(integration.name, connection.name, trigger.name, cursor,
                                  previous=started_from)
        ids = await self.store.run(self.store.events.insert, rows, cursor=position)
        stored = [i for i in ids if i is not None]
        for row, event_id in zip(rows, ids, strict=True):
            if event_id is not None:
                log.info("received event %d (%s) for %s by polling %s", event_id, row.type,
                         integration.name, trigger.name,
                         extra=event_fields(integration.name, event_id))
        if self.metrics is not None:
            if stored:
                self.metrics.received.labels(integration.name, "poll").inc(len(stored))
            if len(ids) > len(stored):
                self.metrics.duplicates.labels(integration.name).inc(len(ids) - len(stored))
            self.metrics.poll_last_success.labels(integration.name, trigger.name).set(time.time())
        if stored:
            self.on_stored()
        return stored
