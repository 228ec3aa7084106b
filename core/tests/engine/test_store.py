"""The store on SQLite and on PostgreSQL: migrations, inbox, claiming, links, cursors, vault."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from engine_support import finish
from pontes.errors import ConfigError
from pontes.store import CursorPosition, NewEvent, Store, head_revision, schema_revision, utcnow
from pontes.store.schema import metadata, secrets
from sqlalchemy import select, text


def new(key: str | None, entity: str = "e-1", integration: str = "copy", **extra) -> NewEvent:
    fields = {"integration": integration, "role": "source", "connection": "in",
              "source": "webhook", "trigger": "hook", "type": "ticket.changed",
              "idempotency_key": key, "entity_key": entity, "event": {"key": key}}
    return NewEvent(**{**fields, **extra})


def lease(seconds: float = 60):
    return utcnow() + timedelta(seconds=seconds)


# --- schema -------------------------------------------------------------------------------


def test_migrations_build_exactly_the_declared_schema(store):
    assert schema_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


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
    assert store.events.claim(10, lease()) == []
    assert store.events.get(rejected[1].id).body == b"{x"


def test_claim_hands_out_the_oldest_due_events_once(store):
    store.events.insert([new("a", "e-a"), new("b", "e-b"), new("c", "e-c")])

    first = store.events.claim(2, lease())
    second = store.events.claim(2, lease())

    assert [c.event["key"] for c in first] == ["a", "b"]
    assert [c.event["key"] for c in second] == ["c"]
    assert store.events.claim(2, lease()) == []
    assert all(c.attempt == 1 for c in first + second)


def test_an_entity_runs_one_event_at_a_time_in_arrival_order(store):
    store.events.insert([new("1", "same"), new("2", "same"), new("x", "other")])

    claimed = store.events.claim(10, lease())
    assert [c.event["key"] for c in claimed] == ["1", "x"]

    one = claimed[0]
    later = utcnow() + timedelta(seconds=30)
    finish(store, one.id, one.attempt, "retry", error="503", next_attempt_at=later)
    assert store.events.claim(10, lease()) == []  # "2" waits for "1", which waits for later

    assert store.events.claim(10, lease(), now=later)[0].event["key"] == "1"
    finish(store, one.id, 2, "succeeded", result={"summary": "ok"})
    assert [c.event["key"] for c in store.events.claim(10, lease())] == ["2"]


def test_a_dead_event_does_not_block_its_entity(store):
    store.events.insert([new("1", "same"), new("2", "same")])
    [one] = store.events.claim(10, lease())
    finish(store, one.id, one.attempt, "dead", error="422 no")

    assert [c.event["key"] for c in store.events.claim(10, lease())] == ["2"]


def test_attempts_are_recorded_with_outcomes_and_errors(store):
    [event_id] = store.events.insert([new("k")])
    [claimed] = store.events.claim(1, lease())
    finish(store, event_id, claimed.attempt, "retry", error="429 slow down",
                        next_attempt_at=utcnow(), duration_ms=12)
    [claimed] = store.events.claim(1, lease())
    finish(store, event_id, claimed.attempt, "succeeded", result={"summary": "done"})

    detail = store.events.get(event_id)
    assert detail.summary.status == "succeeded" and detail.summary.attempts == 2
    assert [(a.number, a.outcome, a.error) for a in detail.attempts] == [
        (1, "retry", "429 slow down"), (2, "succeeded", None)]
    assert detail.attempts[0].duration_ms == 12
    assert detail.result == {"summary": "done"}


def test_a_stale_attempt_cannot_overwrite_a_recovered_event(store):
    [event_id] = store.events.insert([new("k")])
    [claimed] = store.events.claim(1, lease(-1))
    assert store.events.recover() == 1

    assert finish(store, event_id, claimed.attempt, "succeeded") is False
    assert store.events.get(event_id).summary.status == "received"


def test_recovery_requeues_running_events_and_marks_their_attempts_interrupted(store):
    store.events.insert([new("a", "e-a"), new("b", "e-b")])
    expired, alive = store.events.claim(2, lease(-1))
    store.events.renew([alive.id], lease(60))

    assert store.events.recover() == 1  # only the expired lease
    assert store.events.recover(everything=True, exclude=[alive.id]) == 0
    assert store.events.recover(everything=True) == 1

    detail = store.events.get(expired.id)
    assert detail.summary.status == "received"
    assert detail.attempts[0].outcome == "interrupted"
    again = store.events.claim(2, lease())
    assert sorted(c.attempt for c in again) == [2, 2]


def test_replay_gives_a_dead_event_a_fresh_attempt_budget(store):
    [event_id] = store.events.insert([new("k")])
    for _ in range(3):
        [claimed] = store.events.claim(1, lease())
        outcome = "retry" if claimed.attempts_in_round < 3 else "dead"
        finish(store, event_id, claimed.attempt, outcome, error="503")

    assert store.events.get(event_id).summary.status == "dead"
    assert store.events.replay(event_id).queued
    [claimed] = store.events.claim(1, lease())
    assert (claimed.attempt, claimed.attempts_in_round) == (4, 1)


def test_replay_refuses_waiting_and_rejected_events(store):
    waiting, rejected = store.events.insert([new("k"), new(None, status="rejected")])

    assert store.events.replay(waiting).status == "received"
    assert not store.events.replay(waiting).queued
    assert store.events.replay(rejected).status == "rejected"
    assert store.events.replay(10_000).missing


def test_replay_dead_requeues_every_dead_event_of_an_integration(store):
    store.events.insert([new("a", "1"), new("b", "2"), new("c", "3", integration="other")])
    for claimed in store.events.claim(10, lease()):
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
    [claimed] = store.events.claim(1, lease())
    when = utcnow() + timedelta(seconds=5)
    finish(store, event_id, claimed.attempt, "retry", error="x", next_attempt_at=when)

    assert abs((store.events.next_due(utcnow()) - when).total_seconds()) < 0.001
    assert store.events.next_due(when) is None


def test_concurrent_claims_never_hand_out_an_event_twice(store):
    store.events.insert([new(f"k{i}", f"e{i}") for i in range(200)])
    claimed: list[int] = []
    guard = threading.Lock()

    def worker():
        while batch := store.events.claim(7, lease()):
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


# --- runners ------------------------------------------------------------------------------


def test_a_dead_runner_is_recognised_by_its_released_lock(store):
    from pontes.store.workers import WorkerLock

    alive, other = WorkerLock(store.engine), WorkerLock(store.engine)
    alive.acquire()
    other.acquire()
    store.events.insert([new("a", "e-a")])
    [claimed] = store.events.claim(1, lease(60), worker=alive.worker_id)
    assert store.events.running_owners() == [alive.worker_id]

    if store.engine.dialect.name != "postgresql":
        assert other.dead([alive.worker_id]) == []  # SQLite: one process, leases only
        return
    assert other.dead([alive.worker_id]) == []
    alive.release()  # what the database does when the process dies
    assert other.dead([alive.worker_id]) == [alive.worker_id]
    assert store.events.recover(owners=[alive.worker_id]) == 1
    assert store.events.get(claimed.id).summary.status == "received"
    other.release()
