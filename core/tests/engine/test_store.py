"""The store on SQLite and on PostgreSQL: migrations, inbox, queueing and claiming, crashed
attempts, links, cursors and the poll schedule, vault."""

from __future__ import annotations

import os
import secrets as secrets_module
import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from engine_support import POSTGRES_ENV, finish, require_postgres
from pontes.errors import ConfigError
from pontes.store import CursorPosition, NewEvent, Store, head_revision, schema_revision, utcnow
from pontes.store.cursors import CursorMoved, DuePoll
from pontes.store.jobs import PollTarget
from pontes.store.schema import metadata, secrets
from sqlalchemy import create_engine, make_url, select, text


def new(key: str | None, entity: str = "e-1", integration: str = "copy", **extra) -> NewEvent:
    fields = {"integration": integration, "role": "source", "connection": "in",
              "source": "webhook", "trigger": "hook", "type": "ticket.changed",
              "idempotency_key": key, "entity_key": entity, "event": {"key": key}}
    return NewEvent(**{**fields, **extra})


def queued_jobs(store: Store, task: str = "pontes.run_event") -> list[tuple]:
    """(lock, args) of the Procrastinate jobs waiting, in queue order (PostgreSQL)."""
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT lock, args FROM procrastinate_jobs WHERE task_name = :task "
            "AND status = 'todo' ORDER BY id"), {"task": task})]


# --- schema -------------------------------------------------------------------------------


def ours(name, kind, _parent_names) -> bool:
    """Objects the migrations create for pontes (Procrastinate's tables are its own)."""
    return not (kind == "table" and name.startswith("procrastinate_"))


def test_migrations_build_exactly_the_declared_schema(store):
    assert schema_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": ours})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_postgresql_stores_hold_procrastinates_schema_and_the_wake_up_trigger(store):
    if store.is_sqlite:
        pytest.skip("SQLite stores have no Procrastinate schema")
    with store.engine.connect() as connection:
        tables = set(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'procrastinate%'")).scalars())
        triggers = set(connection.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pontes%'")).scalars())
    assert {"procrastinate_jobs", "procrastinate_workers", "procrastinate_events",
            "procrastinate_periodic_defers"} <= tables
    assert triggers == {"pontes_jobs_notify_lock_released_v1",
                        "pontes_jobs_notify_lock_deleted_v1"}


def test_processes_starting_together_on_a_new_database_migrate_it_once(postgres_database):
    admin_url = require_postgres(os.environ.get(POSTGRES_ENV))
    name = f"pontes_migrate_{secrets_module.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Store.open(url).close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=start) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        opened = Store.open(url, migrate_schema=False)
        assert schema_revision(opened.engine) == head_revision()
        opened.close()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_opening_again_keeps_the_data(store_url, store):
    store.events.insert([new("k1")])
    again = Store.open(store_url)
    try:
        assert [e.idempotency_key for e in again.events.list()] == ["k1"]
    finally:
        again.close()


def test_sqlite_runs_in_wal_mode(tmp_path):
    opened = Store.open(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with opened.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        opened.close()


def test_an_unsupported_url_is_a_clear_error():
    with pytest.raises(ConfigError, match="unsupported database 'mysql'"):
        Store.open("mysql://localhost/pontes")


# --- inbox --------------------------------------------------------------------------------


def test_a_repeated_idempotency_key_is_stored_once_per_integration(store):
    ids = store.events.insert([new("k1"), new("k1"), new("k2"), new("k1", integration="other")])

    assert ids[0] is not None and ids[1] is None
    assert ids[2] is not None and ids[3] is not None
    assert store.events.insert([new("k1")]) == [None]
    assert len(store.events.list()) == 3


def test_rejected_deliveries_are_stored_without_a_key_and_never_claimed(store):
    store.events.insert([new(None, status="rejected", error="bad body", body=b"{x"),
                         new(None, status="rejected", error="bad again")])

    rejected = store.events.list(status="rejected")
    assert [e.last_error for e in rejected] == ["bad again", "bad body"]
    assert all(e.finished_at is not None for e in rejected)
    assert store.events.claim(10) == []
    assert store.events.get(rejected[1].id).body == b"{x"


def test_claim_hands_out_the_oldest_due_events_once(store):
    store.events.insert([new("a", "e-a"), new("b", "e-b"), new("c", "e-c")])

    first = store.events.claim(2)
    second = store.events.claim(2)

    assert [c.event["key"] for c in first] == ["a", "b"]
    assert [c.event["key"] for c in second] == ["c"]
    assert store.events.claim(2) == []
    assert all(c.attempt == 1 for c in first + second)


def test_an_entity_runs_one_event_at_a_time_in_arrival_order(store):
    store.events.insert([new("1", "same"), new("2", "same"), new("x", "other")])

    claimed = store.events.claim(10)
    assert [c.event["key"] for c in claimed] == ["1", "x"]

    one = claimed[0]
    later = utcnow() + timedelta(seconds=30)
    finish(store, one.id, one.attempt, "retry", error="503", next_attempt_at=later)
    assert store.events.claim(10) == []  # "2" waits for "1", which waits for later

    assert store.events.claim(10, now=later)[0].event["key"] == "1"
    finish(store, one.id, 2, "succeeded", result={"summary": "ok"})
    assert [c.event["key"] for c in store.events.claim(10)] == ["2"]


def test_a_dead_event_does_not_block_its_entity(store):
    store.events.insert([new("1", "same"), new("2", "same")])
    [one] = store.events.claim(10)
    finish(store, one.id, one.attempt, "dead", error="422 no")

    assert [c.event["key"] for c in store.events.claim(10)] == ["2"]


def test_attempts_are_recorded_with_outcomes_and_errors(store):
    [event_id] = store.events.insert([new("k")])
    [claimed] = store.events.claim(1)
    finish(store, event_id, claimed.attempt, "retry", error="429 slow down",
                        next_attempt_at=utcnow(), duration_ms=12)
    [claimed] = store.events.claim(1)
    finish(store, event_id, claimed.attempt, "succeeded", result={"summary": "done"})

    detail = store.events.get(event_id)
    assert detail.summary.status == "succeeded" and detail.summary.attempts == 2
    assert [(a.number, a.outcome, a.error) for a in detail.attempts] == [
        (1, "retry", "429 slow down"), (2, "succeeded", None)]
    assert detail.attempts[0].duration_ms == 12
    assert detail.result == {"summary": "done"}


def test_a_stale_attempt_cannot_overwrite_a_recovered_event(store):
    [event_id] = store.events.insert([new("k")])
    [claimed] = store.events.claim(1)
    assert store.events.recover(max_crashes=3) == (1, 0)

    assert finish(store, event_id, claimed.attempt, "succeeded") is False
    assert store.events.get(event_id).summary.status == "received"


def test_recovery_requeues_running_events_and_records_their_attempts_as_crashed(store):
    store.events.insert([new("a", "e-a"), new("b", "e-b"), new("c", "e-c")])
    first, second = store.events.claim(2)

    assert store.events.recover(max_crashes=3) == (2, 0)

    detail = store.events.get(first.id)
    assert detail.summary.status == "received"
    assert [(a.outcome, a.error) for a in detail.attempts] == [
        ("crashed", "the process running this attempt stopped before it finished")]
    again = store.events.claim(3)
    assert sorted(c.attempt for c in again) == [1, 2, 2]


def test_an_event_whose_runs_stop_their_process_max_crashes_times_is_dead(store):
    [poison] = store.events.insert([new("poison", "e-p")])
    store.events.claim(1)
    assert store.events.recover(max_crashes=2) == (1, 0)
    assert store.events.get(poison).summary.status == "received"
    store.events.claim(1)
    assert store.events.recover(max_crashes=2) == (0, 1)

    dead = store.events.get(poison)
    assert dead.summary.status == "dead"
    assert dead.summary.last_error.startswith("its runs stopped the process running them 2 times")
    assert [a.outcome for a in dead.attempts] == ["crashed"] * 2
    [other] = store.events.insert([new("other", "e-p")])
    assert [c.id for c in store.events.claim(5)] == [other]  # a dead event holds nothing back
    # a replay gives it a fresh count
    finish(store, other, 1, "succeeded")
    assert store.events.replay(poison).queued
    store.events.claim(1)
    assert store.events.recover(max_crashes=2) == (1, 0)


def test_start_runs_the_next_attempt_of_one_event_and_closes_a_crashed_one(store):
    [event_id] = store.events.insert([new("k")])

    first = store.events.start(event_id, max_crashes=2)
    assert (first.id, first.attempt, first.attempts_in_round) == (event_id, 1, 1)
    second = store.events.start(event_id, max_crashes=2)  # the first one's process died
    assert second.attempt == 2
    assert store.events.start(event_id, max_crashes=2) is None  # two crashes: dead
    detail = store.events.get(event_id)
    assert detail.summary.status == "dead"
    assert [a.outcome for a in detail.attempts] == ["crashed", "crashed"]
    assert store.events.start(event_id, max_crashes=2) is None  # finished: nothing to run
    assert store.events.start(10_000, max_crashes=2) is None


def test_deferred_attempts_do_not_count_against_max_attempts(store):
    [event_id] = store.events.insert([new("k")])
    for _ in range(3):
        [claimed] = store.events.claim(1)
        finish(store, event_id, claimed.attempt, "deferred", error="budget",
               next_attempt_at=utcnow())
    [claimed] = store.events.claim(1)
    assert (claimed.attempt, claimed.attempts_in_round) == (4, 1)


def test_replay_gives_a_dead_event_a_fresh_attempt_budget(store):
    [event_id] = store.events.insert([new("k")])
    for _ in range(3):
        [claimed] = store.events.claim(1)
        outcome = "retry" if claimed.attempts_in_round < 3 else "dead"
        finish(store, event_id, claimed.attempt, outcome, error="503")

    assert store.events.get(event_id).summary.status == "dead"
    assert store.events.replay(event_id).queued
    [claimed] = store.events.claim(1)
    assert (claimed.attempt, claimed.attempts_in_round) == (4, 1)


def test_replay_refuses_waiting_and_rejected_events(store):
    waiting, rejected = store.events.insert([new("k"), new(None, status="rejected")])

    assert store.events.replay(waiting).status == "received"
    assert not store.events.replay(waiting).queued
    assert store.events.replay(rejected).status == "rejected"
    assert store.events.replay(10_000).missing


def test_replay_dead_requeues_every_dead_event_of_an_integration(store):
    store.events.insert([new("a", "1"), new("b", "2"), new("c", "3", integration="other")])
    for claimed in store.events.claim(10):
        finish(store, claimed.id, claimed.attempt, "dead", error="no")

    assert store.events.replay_dead("copy") == 2
    assert {e.idempotency_key for e in store.events.list(status="dead")} == {"c"}
    assert store.events.replay_dead() == 1


def test_list_filters_by_status_integration_and_time(store):
    early = utcnow() - timedelta(hours=2)
    store.events.insert([new("old", received_at=early), new("new"),
                         new("elsewhere", integration="other")])

    assert [e.idempotency_key for e in store.events.list(integration="copy")] == ["new", "old"]
    assert [e.idempotency_key for e in store.events.list(
        since=utcnow() - timedelta(hours=1))] == ["elsewhere", "new"]
    assert [e.idempotency_key for e in store.events.list(
        until=utcnow() - timedelta(hours=1))] == ["old"]
    newest = store.events.list(limit=1)
    assert [e.idempotency_key for e in store.events.list(before_id=newest[0].id, limit=1)] == [
        "new"]
    assert store.events.status_counts() == {("copy", "received"): 2, ("other", "received"): 1}


def test_next_due_is_the_earliest_future_retry(store):
    [event_id] = store.events.insert([new("k")])
    [claimed] = store.events.claim(1)
    when = utcnow() + timedelta(seconds=5)
    finish(store, event_id, claimed.attempt, "retry", error="x", next_attempt_at=when)

    assert abs((store.events.next_due(utcnow()) - when).total_seconds()) < 0.001
    assert store.events.next_due(when) is None


def test_concurrent_claims_never_hand_out_an_event_twice(store):
    store.events.insert([new(f"k{i}", f"e{i}") for i in range(200)])
    claimed: list[int] = []
    guard = threading.Lock()

    def worker():
        while batch := store.events.claim(7):
            with guard:
                claimed.extend(c.id for c in batch)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(claimed) == 200 and len(set(claimed)) == 200


# --- links --------------------------------------------------------------------------------


def test_links_group_remote_ids_and_find_the_group_from_any_of_them(store):
    group = store.links.link("deal-ticket", {"movidesk": "T-1", "ploomes": "D-9"})

    assert store.links.lookup("deal-ticket", "ploomes", "D-9") == {
        "movidesk": "T-1", "ploomes": "D-9", "id": group}
    assert store.links.lookup("deal-ticket", "ploomes", "D-10") is None
    assert store.links.lookup("contact", "movidesk", "T-1") is None  # kinds are separate


def test_linking_refs_of_two_groups_merges_them(store):
    first = store.links.link("contact", {"a": "1"})
    store.links.link("contact", {"b": "2"})

    merged = store.links.link("contact", {"a": "1", "b": "2", "c": "3"})

    assert merged == first
    assert store.links.lookup("contact", "b", "2") == {"a": "1", "b": "2", "c": "3", "id": first}
    [group] = store.links.groups(kind="contact")
    assert group.refs == {"a": "1", "b": "2", "c": "3"}


def test_link_groups_are_found_by_connection_and_remote_id(store):
    store.links.link("contact", {"a": "1", "b": "2"})
    store.links.link("contact", {"a": "7"})

    assert [g.refs for g in store.links.groups(remote_id="2")] == [{"a": "1", "b": "2"}]
    assert len(store.links.groups(connection="a")) == 2
    assert store.links.groups(kind="deal") == []


@pytest.mark.anyio
async def test_the_async_link_store_is_what_recipes_get(store):
    from pontes.store import StoreLinks

    links = StoreLinks(store.links, store.run)
    group = await links.link("step:create", {"copy": "event-1", "result": "42"})
    assert await links.lookup("step:create", "copy", "event-1") == {
        "copy": "event-1", "result": "42", "id": group}


# --- cursors ------------------------------------------------------------------------------


def test_the_cursor_moves_with_the_events_it_covers(store):
    position = CursorPosition("mirror", "in", "poll", "17")
    ids = store.events.insert([new("c1"), new("c2")], cursor=position)

    state = store.cursors.get("mirror", "in", "poll")
    assert all(ids) and state.value == "17" and state.last_success_at is not None


def test_a_failed_insert_leaves_the_cursor_where_it_was(store):
    store.cursors.advance(CursorPosition("mirror", "in", "poll", "5"))
    broken = new("c1", connection=None)  # NOT NULL violated: the transaction fails

    with pytest.raises(Exception):  # noqa: B017 - the driver's integrity error
        store.events.insert([new("c0"), broken], cursor=CursorPosition("mirror", "in", "poll", "9"))

    assert store.cursors.get("mirror", "in", "poll").value == "5"
    assert store.events.list() == []


def test_a_cursor_moves_only_from_where_its_poll_started(store):
    store.events.insert([new("c1")], cursor=CursorPosition("mirror", "in", "poll", "5"))
    store.events.insert([new("c2")], cursor=CursorPosition("mirror", "in", "poll", "9",
                                                           previous="5"))

    with pytest.raises(CursorMoved):  # a slower poll that also started from 5
        store.events.insert([new("c3")], cursor=CursorPosition("mirror", "in", "poll", "7",
                                                               previous="5"))
    with pytest.raises(CursorMoved):  # a first poll that lost the race to create it
        store.cursors.advance(CursorPosition("mirror", "in", "poll", "1"))

    assert store.cursors.get("mirror", "in", "poll").value == "9"
    assert [e.idempotency_key for e in store.events.list()] == ["c2", "c1"]


def test_the_poll_schedule_queues_each_target_once_per_interval(store):
    target = PollTarget("mirror", "source", "in", "poll")
    start = utcnow()

    assert store.cursors.schedule([DuePoll(target, 10)], start) == [target]
    assert store.cursors.schedule([DuePoll(target, 10)], start + timedelta(seconds=9)) == []
    due = store.cursors.get("mirror", "in", "poll").next_poll_at
    assert abs((due - start).total_seconds() - 10) < 0.001
    later = start + timedelta(seconds=10)
    if store.is_sqlite:
        assert store.cursors.schedule([DuePoll(target, 10)], later) == [target]
        return
    assert [lock for lock, _ in queued_jobs(store, "pontes.poll")] == ["poll:mirror:in:poll"]
    # the first poll has not run yet: the next interval does not queue a second one
    assert store.cursors.schedule([DuePoll(target, 10)], later) == []
    assert len(queued_jobs(store, "pontes.poll")) == 1
    assert store.cursors.get("mirror", "in", "poll").next_poll_at > later


def test_a_failed_poll_asking_to_wait_holds_the_next_one(store):
    now = utcnow()
    store.cursors.record_error("mirror", "in", "poll", "429", now=now, hold=60)
    target = PollTarget("mirror", "source", "in", "poll")

    assert store.cursors.schedule([DuePoll(target, 1)], now + timedelta(seconds=30)) == []
    assert store.cursors.schedule([DuePoll(target, 1)], now + timedelta(seconds=61)) == [target]


def test_a_poll_error_is_recorded_without_moving_the_cursor(store):
    store.cursors.advance(CursorPosition("mirror", "in", "poll", "5"))
    store.cursors.record_error("mirror", "in", "poll", "503 from vendor")
    store.cursors.record_error("mirror", "in", "other", "timeout")

    states = {c.trigger: c for c in store.cursors.all()}
    assert states["poll"].value == "5" and states["poll"].last_error == "503 from vendor"
    assert states["other"].value is None and states["other"].last_success_at is None


# --- vault --------------------------------------------------------------------------------


def test_credentials_are_encrypted_at_rest(store):
    store.vault.save_credentials("movidesk", {"token": "super-secret-token-value"})

    with store.engine.connect() as connection:
        blob = connection.execute(select(secrets.c.blob)).scalar()
    assert b"super-secret-token-value" not in blob
    assert store.vault.load_credentials("movidesk") == {"token": "super-secret-token-value"}
    assert store.vault.load_credentials("nobody") is None


def test_oauth_tokens_round_trip_and_can_be_forgotten(store):
    expires = utcnow() + timedelta(hours=1)
    store.vault.save_token("zoho", {"access_token": "at-1", "refresh_token": "rt-1"}, expires)
    store.vault.save_token("zoho", {"access_token": "at-2", "refresh_token": "rt-1"}, expires)

    token = store.vault.load_token("zoho")
    assert token.values["access_token"] == "at-2"
    assert abs((token.expires_at - expires).total_seconds()) < 0.001
    store.vault.forget("zoho")
    assert store.vault.load_token("zoho") is None


def test_another_key_cannot_read_the_vault(store_url, store):
    store.vault.save_credentials("movidesk", {"token": "t"})
    other = Store.open(store_url, key=b"a-different-installation-key")
    try:
        with pytest.raises(ConfigError, match="written with another PONTES_SECRET_KEY"):
            other.vault.load_credentials("movidesk")
    finally:
        other.close()


# --- queueing (PostgreSQL: Procrastinate jobs in the same transaction) --------------------


def test_stored_and_replayed_events_are_queued_with_their_record_lock(store):
    if store.is_sqlite:
        pytest.skip("SQLite's queue is the events table")
    ids = store.events.insert([new("a", "T-1"), new("b", "T-2"), new("a", "T-1"),
                               new("c", None), new(None, status="rejected")])
    assert queued_jobs(store) == [("copy:T-1", {"event_id": ids[0]}),
                                  ("copy:T-2", {"event_id": ids[1]}),
                                  (None, {"event_id": ids[3]})]
    for claimed in store.events.claim(10):
        finish(store, claimed.id, claimed.attempt, "dead", error="no")
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM procrastinate_jobs"))

    assert store.events.replay_dead() == 3
    assert [args["event_id"] for _, args in queued_jobs(store)] == [ids[0], ids[1], ids[3]]


def test_a_rolled_back_insert_leaves_no_job(store):
    if store.is_sqlite:
        pytest.skip("SQLite's queue is the events table")
    broken = new("b", connection=None)  # NOT NULL violated: the transaction fails
    with pytest.raises(Exception):  # noqa: B017 - the driver's integrity error
        store.events.insert([new("a"), broken])
    assert queued_jobs(store) == []
