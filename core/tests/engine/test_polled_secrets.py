"""A polled change that carries a connection's key is stored with the key masked, in every
spelling, as a webhook delivery is: the Ledger sandbox's change feed echoes what it is
given, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import ledger_plugin
import pytest
from engine_support import SECRET_KEY, ledger_config, ledger_runtime, quick_settings
from pontes.engine import Engine
from pontes.store import Store
from pontes.testing.leaks import describe_leaks, find_leaks
from sqlalchemy import text

pytestmark = pytest.mark.anyio

KEY = ledger_plugin.SANDBOX_KEY


async def test_a_polled_change_is_stored_with_the_connections_key_masked(store_url, sandbox):
    echoed = f"key={KEY} again={quote(KEY)} b64={base64.b64encode(KEY.encode()).decode()}"
    sandbox.add_change(echoed)
    runtime = ledger_runtime(ledger_config(store_url, sandbox.url, polling=True))
    store = Store.open(store_url, key=SECRET_KEY.encode())
    try:
        engine = Engine(runtime, store, quick_settings(run_events=False))
        found = engine.poller.find("mirror", "source", "ledger.poll")
        assert found is not None
        [event_id] = await engine.poller.poll_once(*found)

        detail = store.events.get(event_id)
        with store.engine.connect() as connection:
            row = connection.execute(text("SELECT * FROM events WHERE id = :id"),
                                     {"id": event_id}).one()
    finally:
        await runtime.aclose()
        store.close()

    payload = detail.event["payload"]
    assert payload["seq"] == 1 and payload["entity"].startswith("key=***")
    assert detail.summary.entity_key.startswith("sha256:")  # it held the key
    every_column = json.dumps([str(value) for value in row], ensure_ascii=False)
    leaks = (find_leaks(json.dumps(detail.event), {"ledger key": KEY}, "the stored event")
             + find_leaks(every_column, {"ledger key": KEY}, "the events row"))
    assert not leaks, describe_leaks(leaks)


async def test_changes_whose_keys_hold_the_key_are_kept_apart(store_url, sandbox):
    sandbox.add_change(f"first {KEY}")
    sandbox.add_change(f"second {KEY}")
    runtime = ledger_runtime(ledger_config(store_url, sandbox.url, polling=True))
    store = Store.open(store_url, key=SECRET_KEY.encode())
    try:
        engine = Engine(runtime, store, quick_settings(run_events=False))
        stored = await engine.poller.poll_once(
            *engine.poller.find("mirror", "source", "ledger.poll"))
        keys = {e.entity_key for e in store.events.list()}
    finally:
        await runtime.aclose()
        store.close()

    assert len(stored) == 2 and len(keys) == 2
    assert all(key.startswith("sha256:") for key in keys)
