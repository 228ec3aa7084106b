"""Retention on SQLite and PostgreSQL: what a purge deletes, what it never touches, SQLite's
space given back, ``pontes purge``, and the daily purge of the embedded engine and of the
PostgreSQL workers (a Procrastinate periodic task)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timedelta

import click
import pytest
import yaml
from click.testing import CliRunner
from engine_support import SECRET_KEY, finish, ledger_config, ledger_runtime, quick_settings
from pontes.commands.purge import register
from pontes.config import parse_config
from pontes.engine import Engine
from pontes.engine.retention import PURGE_CRON
from pontes.engine.tasks import build_app
from pontes.errors import ConfigError
from pontes.store import CursorPosition, NewEvent, Store, utcnow
from pontes.store.jobs import PURGE
from pontes.store.retention import EventPurge, cutoff
from pontes.store.schema import attempts, vendor_budgets
from sqlalchemy import func, insert, select

OLD = utcnow() - timedelta(days=40)
RECENT = utcnow() - timedelta(days=2)
AGE = timedelta(days=30)


def add(store: Store, key: str, status: str, when: datetime, integration: str = "copy") -> int:
    """One event that reached ``status`` at ``when`` (with one attempt when it ran)."""
    never_runs = status in ("ignored", "rejected")
    [event_id] = store.events.insert([NewEvent(
        integration=integration, role="source", connection="in", source="webhook",
        trigger="hook", type="ticket.changed", idempotency_key=key, entity_key=key,
        event={"key": key}, body=b'{"key": "' + key.encode() + b'"}',
        status=status if never_runs else "received", received_at=when,
        error="no trigger could read it" if status == "rejected" else None)])
    if status in ("running", "succeeded", "dead"):
        claimed = store.events.start(event_id, max_crashes=3, now=when)
        if status != "running":
            finish(store, event_id, claimed.attempt, status, now=when,
                   error="refused" if status == "dead" else None)
    return event_id


def statuses(store: Store) -> dict[str, str]:
    return {e.idempotency_key: e.status for e in store.events.list(limit=1000)}


def attempt_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(attempts)).scalar()


def everything_else(store: Store) -> tuple:
    """What a purge must never change: links, cursors, credentials, tokens, budgets."""
    with store.engine.connect() as connection:
        budgets = connection.execute(select(vendor_budgets.c.account)).scalars().all()
    token = store.vault.load_token("crm")
    return (store.links.lookup("step:create", "copy", "old-ok:1"),
            store.cursors.get("mirror", "in", "poll").value,
            store.vault.load_credentials("crm"), token.values if token else None, budgets)


def fill_everything_else(store: Store) -> None:
    store.links.link("step:create", {"copy": "old-ok:1", "crm": "D-1"})
    store.cursors.advance(CursorPosition("mirror", "in", "poll", "17"))
    store.vault.save_credentials("crm", {"api_key": "k"})
    store.vault.save_token("crm", {"access_token": "a"}, expires_at=OLD)
    with store.engine.begin() as connection:
        connection.execute(insert(vendor_budgets).values(account="acct", connection="crm",
                                                         calls=[], paused_until=0.0))


# --- what a purge deletes -----------------------------------------------------------------


def test_a_purge_deletes_old_finished_events_and_their_attempts_and_nothing_else(store):
    for status in ("succeeded", "ignored", "dead", "rejected", "running", "received"):
        add(store, f"old-{status}", status, OLD)
        add(store, f"new-{status}", status, RECENT)
    fill_everything_else(store)
    kept = everything_else(store)
    attempts_before = attempt_count(store)

    purged = store.retention.purge(cutoff(AGE))

    assert (purged.events, purged.attempts) == (2, 1)  # the old ignored one never ran
    assert attempt_count(store) == attempts_before - 1
    remaining = statuses(store)
    assert "old-succeeded" not in remaining and "old-ignored" not in remaining
    assert remaining["old-dead"] == "dead" and remaining["old-rejected"] == "rejected"
    assert remaining["old-running"] == "running" and remaining["old-received"] == "received"
    assert all(remaining[f"new-{s}"] for s in ("succeeded", "ignored", "dead", "rejected"))
    assert len(remaining) == 10
    assert everything_else(store) == kept and kept[0] is not None
    assert (purged.reclaimed_bytes is None) == (not store.is_sqlite)


def test_dead_letters_are_deleted_only_when_asked(store):
    for status in ("dead", "rejected", "running", "received"):
        add(store, f"old-{status}", status, OLD)
    add(store, "new-dead", "dead", RECENT)

    assert store.retention.purge(cutoff(AGE)).events == 0
    purged = store.retention.purge(cutoff(AGE), dead_letters=True)

    assert (purged.events, purged.attempts) == (2, 1)
    assert statuses(store) == {"old-running": "running", "old-received": "received",
                               "new-dead": "dead"}


def test_a_replayed_event_is_waiting_again_and_stays(store):
    event_id = add(store, "old-ok", "succeeded", OLD)
    assert store.events.replay(event_id).queued

    assert store.retention.purge(cutoff(AGE)).events == 0
    assert statuses(store) == {"old-ok": "received"}
    assert [a.number for a in store.events.get(event_id).attempts] == [1]


def test_a_large_purge_goes_in_batches_until_nothing_is_left(store):
    for number in range(11):
        add(store, f"old-{number}", "succeeded" if number % 2 else "ignored", OLD)
    add(store, "new", "succeeded", RECENT)

    purged = EventPurge(store.engine, batch_size=3).purge(cutoff(AGE))

    assert (purged.events, purged.attempts) == (11, 5)
    assert statuses(store) == {"new": "succeeded"}


def test_a_repeated_delivery_of_a_purged_event_is_stored_again(store):
    add(store, "old-ok", "succeeded", OLD)
    store.retention.purge(cutoff(AGE))

    [again] = store.events.insert([NewEvent(integration="copy", role="source",
                                            connection="in", source="webhook",
                                            idempotency_key="old-ok", entity_key="old-ok",
                                            event={"key": "old-ok"})])

    assert again is not None and statuses(store) == {"old-ok": "received"}


# --- SQLite's space -----------------------------------------------------------------------


def sqlite_file(tmp_path, name: str = "pontes.db") -> str:
    return str(tmp_path / name)


def pragma(path: str, name: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"PRAGMA {name}").fetchone()[0]


def fill_with_bodies(store: Store, count: int) -> None:
    store.events.insert([NewEvent(integration="copy", role="source", connection="in",
                                  source="webhook", status="ignored", received_at=OLD,
                                  idempotency_key=f"k{n}", body=bytes([n % 251]) * 8192)
                         for n in range(count)])


def test_new_sqlite_stores_are_created_for_incremental_vacuum(tmp_path):
    path = sqlite_file(tmp_path)
    Store.open(f"sqlite:///{path}").close()
    assert pragma(path, "auto_vacuum") == 2  # INCREMENTAL


def test_a_purge_gives_sqlite_space_back_to_the_file_system(tmp_path):
    path = sqlite_file(tmp_path)
    store = Store.open(f"sqlite:///{path}")
    try:
        fill_with_bodies(store, 300)
        store.retention.reclaim_space()  # a checkpoint: the bodies are in the file
        size = (tmp_path / "pontes.db").stat().st_size

        purged = store.retention.purge(cutoff(AGE))
    finally:
        store.close()

    assert purged.events == 300 and purged.reclaimed_bytes > 300 * 8192 * 0.9
    assert (tmp_path / "pontes.db").stat().st_size < size - 300 * 8192 * 0.9
    assert pragma(path, "freelist_count") == 0


def test_a_sqlite_file_made_without_incremental_vacuum_is_converted_by_its_first_purge(
        tmp_path):
    path = sqlite_file(tmp_path)
    Store.open(f"sqlite:///{path}").close()
    with sqlite3.connect(path, isolation_level=None) as connection:  # as older pontes made it
        connection.execute("PRAGMA auto_vacuum=NONE")
        connection.execute("VACUUM")
    assert pragma(path, "auto_vacuum") == 0
    store = Store.open(f"sqlite:///{path}")
    try:
        fill_with_bodies(store, 100)
        purged = store.retention.purge(cutoff(AGE))
        assert statuses(store) == {}
    finally:
        store.close()

    assert purged.events == 100 and purged.reclaimed_bytes > 0
    assert pragma(path, "auto_vacuum") == 2 and pragma(path, "freelist_count") == 0


# --- the setting and the command ----------------------------------------------------------


def test_the_retention_setting_takes_a_duration_and_names_itself_when_wrong():
    assert parse_config({"retention": "12h"}).retention == timedelta(hours=12)
    assert parse_config({"retention": "30d"}).retention == timedelta(days=30)
    assert parse_config({}).retention is None
    for wrong in ("30 days", "1y", 30, "0d", "-5d"):
        with pytest.raises(ConfigError, match=r"pontes\.yaml: retention: expected a duration"):
            parse_config({"retention": wrong}, source="pontes.yaml")


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        """A stand-in for the main ``pontes`` group."""

    register(group)
    return group


def config_file(tmp_path, store_url: str, **extra) -> str:
    path = tmp_path / "pontes.yaml"
    path.write_text(yaml.safe_dump({"store": store_url, **extra}))
    return str(path)


def test_pontes_purge_deletes_what_is_older_than_asked(cli, tmp_path, store_url, store):
    add(store, "old-ok", "succeeded", OLD)
    add(store, "old-dead", "dead", OLD)
    add(store, "mid-ok", "succeeded", utcnow() - timedelta(hours=13))
    add(store, "new-ok", "succeeded", utcnow() - timedelta(hours=1))
    config = config_file(tmp_path, store_url)

    first = CliRunner().invoke(cli, ["purge", "-c", config, "--older-than", "30d"])
    assert first.exit_code == 0, first.output
    assert "deleted 1 finished event(s) and 1 attempt(s) older than 30d" in first.output
    second = CliRunner().invoke(cli, ["purge", "-c", config, "--older-than", "12h",
                                      "--dead-letters"])
    assert second.exit_code == 0, second.output
    assert "deleted 2 finished, dead and rejected event(s)" in second.output

    assert statuses(store) == {"new-ok": "succeeded"}


def test_pontes_purge_uses_the_configured_retention(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'pontes.db'}"
    store = Store.open(url)
    try:
        add(store, "old-ok", "succeeded", OLD)
        add(store, "new-ok", "succeeded", RECENT)
        answer = CliRunner().invoke(cli, ["purge", "-c", config_file(tmp_path, url,
                                                                     retention="1w")])
        assert answer.exit_code == 0, answer.output
        assert "older than 1w" in answer.output and "shrank by" in answer.output
        assert statuses(store) == {"new-ok": "succeeded"}
    finally:
        store.close()


def test_pontes_purge_without_an_age_or_with_a_wrong_one_says_what_to_give(cli, tmp_path):
    config = config_file(tmp_path, f"sqlite:///{tmp_path / 'pontes.db'}")

    no_age = CliRunner().invoke(cli, ["purge", "-c", config])
    wrong = CliRunner().invoke(cli, ["purge", "-c", config, "--older-than", "a month"])
    bad_setting = CliRunner().invoke(cli, ["purge", "-c", config_file(
        tmp_path, f"sqlite:///{tmp_path / 'pontes.db'}", retention="forever")])

    assert no_age.exit_code != 0 and "--older-than" in no_age.output
    assert "retention:" in no_age.output
    assert wrong.exit_code != 0 and "expected a duration such as 12h or 30d" in wrong.output
    assert bad_setting.exit_code != 0
    assert "retention: expected a duration such as 12h or 30d" in bad_setting.output
    assert not (tmp_path / "pontes.db").exists()  # nothing was opened, nothing deleted


# --- the daily purge ----------------------------------------------------------------------


async def eventually(predicate, timeout: float = 30.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(predicate):
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out after {timeout}s")
        await asyncio.sleep(0.1)


@pytest.mark.anyio
async def test_the_engine_applies_the_configured_retention(store_url, store, sandbox):
    add(store, "old-ok", "succeeded", OLD)
    add(store, "old-dead", "dead", OLD)
    add(store, "new-ok", "succeeded", RECENT)
    config = {**ledger_config(store_url, sandbox.url), "retention": "30d"}
    runtime = ledger_runtime(config)
    engine_store = Store.open(store_url, key=SECRET_KEY.encode())
    engine = Engine(runtime, engine_store, quick_settings(poll=False))
    await engine.start()
    try:
        if not store.is_sqlite:  # the workers' daily periodic task, deferred now
            app = build_app(engine_store, engine.attempts, engine.poller, engine.settings,
                            engine.retention)
            [periodic] = [task for (name, _id), task
                          in app.periodic_registry.periodic_tasks.items() if name == PURGE]
            assert periodic.cron == PURGE_CRON
            async with app.open_async():
                await app.configure_task(PURGE).defer_async(timestamp=0)
        await eventually(lambda: set(statuses(store)) == {"old-dead", "new-ok"})
    finally:
        await engine.stop()
        await runtime.aclose()
        engine_store.close()


def test_without_a_retention_the_workers_have_no_purge_task(store_url, sandbox):
    if not store_url.startswith("postgresql"):
        pytest.skip("the periodic task is the PostgreSQL workers'")
    runtime = ledger_runtime(ledger_config(store_url, sandbox.url))
    engine_store = Store.open(store_url, key=SECRET_KEY.encode())
    try:
        engine = Engine(runtime, engine_store, quick_settings())
        app = build_app(engine_store, engine.attempts, engine.poller, engine.settings,
                        engine.retention)
        assert PURGE not in app.tasks
    finally:
        engine_store.close()

