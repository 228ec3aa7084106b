"""Each event gives one INFO line when it is stored and one when an attempt ends, with its
integration, id, attempt and duration as fields (which the JSON log format prints)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from engine_support import SECRET_KEY, ledger_config, ledger_runtime, quick_settings
from pontes.engine import Engine
from pontes.store import Store

pytestmark = pytest.mark.anyio


async def test_a_polled_event_logs_its_arrival_and_its_outcome(store_url, sandbox, caplog):
    caplog.set_level(logging.INFO)
    sandbox.add_change("logged")
    runtime = ledger_runtime(ledger_config(store_url, sandbox.url, polling=True))
    store = Store.open(store_url, key=SECRET_KEY.encode())
    engine = Engine(runtime, store, quick_settings())
    await engine.start()
    try:
        for _ in range(400):
            if any(getattr(r, "outcome", None) == "succeeded" for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    finally:
        await engine.stop()
        await runtime.aclose()
        store.close()
    (received,) = [r for r in caplog.records if r.getMessage().startswith("received event ")]
    assert received.levelno == logging.INFO and received.name == "pontes.poller"
    assert received.integration == "mirror"
    assert received.getMessage() == (f"received event {received.event_id} (ticket.created) "
                                      "for mirror by polling ledger.poll")
    (finished,) = [r for r in caplog.records if getattr(r, "outcome", None) == "succeeded"]
    assert finished.levelno == logging.INFO and finished.name == "pontes.runner"
    assert (finished.integration, finished.event_id, finished.attempt) == \
        ("mirror", received.event_id, 1)
    assert isinstance(finished.duration_ms, int) and finished.duration_ms >= 0
    assert finished.getMessage() == (f"event {received.event_id} (mirror) succeeded "
                                      f"[{finished.duration_ms} ms]")
