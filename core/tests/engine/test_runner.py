"""The engine in-process (runner, pollers) against the Ledger sandbox, on both stores."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from engine_support import SECRET_KEY, ledger_config, ledger_runtime, quick_settings
from pontes.engine import Engine
from pontes.models import Event
from pontes.store import NewEvent, Store

pytestmark = pytest.mark.anyio


async def eventually(predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Await until ``predicate()`` is truthy (it may block briefly: it reads the store)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out after {timeout}s")
        await asyncio.sleep(0.05)


def webhook_event(key: str, entity: str = "e", integration: str = "copy") -> NewEvent:
    event = Event(type="ticket.changed", connection="ledger-in", idempotency_key=key,
                  entity_key=entity, trigger="ledger.hook", payload={"n": 1})
    return NewEvent(integration=integration, role="source", connection="ledger-in",
                    source="webhook", trigger="ledger.hook", type=event.type,
                    idempotency_key=key, entity_key=entity, event=event.model_dump(mode="json"))


def statuses(store: Store, integration: str | None = None) -> dict[str, str]:
    return {e.idempotency_key: e.status for e in store.events.list(integration=integration)}


@pytest.fixture
def make_engine(store_url, sandbox):
    made: list[tuple[Engine, Store]] = []

    def make(**settings) -> tuple[Engine, Store]:
        runtime = ledger_runtime(ledger_config(store_url, sandbox.url, polling=True))
        store = Store.open(store_url, key=SECRET_KEY.encode())
        engine = Engine(runtime, store, quick_settings(**settings))
        made.append((engine, store))
        return engine, store

    yield make
    for _engine, store in made:
        store.close()


async def test_polling_stores_each_change_once_and_moves_the_cursor(make_engine, sandbox):
    sandbox.add_change("p1")
    sandbox.add_change("p2")
    engine, store = make_engine()
    await engine.start()
    try:
        await eventually(lambda: list(statuses(store, "mirror").values()) == ["succeeded"] * 2)
        assert store.cursors.get("mirror", "ledger-in", "ledger.poll").value == "2"
        sandbox.add_change("p1")
        await eventually(lambda: len(statuses(store, "mirror")) == 3
                         and set(statuses(store, "mirror").values()) == {"succeeded"})
    finally:
        await engine.stop()
        await engine.runtime.aclose()

    assert store.cursors.get("mirror", "ledger-in", "ledger.poll").value == "3"
    assert sorted(e["key"] for e in sandbox.entries()) == ["change:1", "change:2", "change:3"]


async def test_a_failing_poll_keeps_the_cursor_and_records_the_error(make_engine, sandbox):
    sandbox.add_change("f1")
    sandbox.fault(status=503, count=1000, path="/changes")
    engine, store = make_engine()
    await engine.start()
    try:
        failed = await eventually(
            lambda: (c := store.cursors.get("mirror", "ledger-in", "ledger.poll")) and c.last_error
            and c)
        assert failed.value is None and "503" in failed.last_error
        sandbox.clear_faults()
        recovered = await eventually(
            lambda: (c := store.cursors.get("mirror", "ledger-in", "ledger.poll")).value and c)
        assert recovered.value == "1" and recovered.last_error is None
    finally:
        await engine.stop()
        await engine.runtime.aclose()


async def test_stopping_interrupts_a_running_event_which_runs_again_later(make_engine, sandbox):
    sandbox.fault(delay=3, count=1, path="/entries")
    store_events = [webhook_event("slow")]
    engine, store = make_engine(poll=False)
    store.events.insert(store_events)
    await engine.start()
    await eventually(lambda: statuses(store) == {"slow": "running"})
    await engine.stop(grace=0.1)
    await engine.runtime.aclose()

    [summary] = store.events.list()
    detail = store.events.get(summary.id)
    assert summary.status == "received"
    assert [a.outcome for a in detail.attempts] == ["interrupted"]

    again, _ = make_engine(poll=False)
    await again.start()
    try:
        await eventually(lambda: statuses(store) == {"slow": "succeeded"})
    finally:
        await again.stop()
        await again.runtime.aclose()
    assert len(sandbox.entries("slow")) == 1


async def test_a_run_longer_than_the_attempt_timeout_is_retried(make_engine, sandbox):
    sandbox.fault(delay=2, count=1, path="/entries")
    engine, store = make_engine(poll=False, attempt_timeout=0.3)
    store.events.insert([webhook_event("late")])
    await engine.start()
    try:
        await eventually(lambda: statuses(store) == {"late": "succeeded"})
    finally:
        await engine.stop()
        await engine.runtime.aclose()

    detail = store.events.get(store.events.list()[0].id)
    assert [a.outcome for a in detail.attempts] == ["retry", "succeeded"]
    assert detail.attempts[0].error == "the run took longer than 0.3 s"


async def test_an_event_of_an_integration_no_longer_configured_is_dead(make_engine, sandbox):
    engine, store = make_engine(poll=False)
    store.events.insert([webhook_event("orphan", integration="removed")])
    await engine.start()
    try:
        await eventually(lambda: statuses(store) == {"orphan": "dead"})
    finally:
        await engine.stop()
        await engine.runtime.aclose()

    assert store.events.list()[0].last_error == (
        "integration 'removed' is not in the configuration any more")
