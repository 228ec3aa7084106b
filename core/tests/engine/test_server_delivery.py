"""Webhook deliveries against the real server (a subprocess) and the Ledger sandbox, on
SQLite and on PostgreSQL.

One server per store serves the module; each test uses its own keys and entities and
looks only at its own events and entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx
import ledger_plugin
import pytest
import yaml
from engine_support import (
    Sandbox,
    ServerProcess,
    ThreadedServer,
    empty_postgres,
    free_port,
    ledger_config,
    require_postgres,
    server_env,
    wait_until,
)

MAX_ATTEMPTS = 4


@dataclass
class Served:
    server: ServerProcess
    sandbox: Sandbox

    def deliver(self, **body) -> httpx.Response:
        return httpx.post(self.server.hook_url(), json=body, timeout=30)

    def mine(self, prefix: str, **filters) -> list[dict]:
        """This test's events (keys ``ledger:<prefix>...``), oldest first."""
        found = [e for e in self.server.events(**filters)
                 if (e["idempotency_key"] or "").startswith(f"ledger:{prefix}")]
        return sorted(found, key=lambda e: e["id"])

    def settled(self, prefix: str) -> list[dict]:
        """This test's events once the whole queue is empty."""
        wait_until(self.server.settled, what="the queue to empty")
        return self.mine(prefix)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory, postgres_database) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp(f"delivery-{request.param}")
    if request.param == "sqlite":
        store_url = f"sqlite:///{workdir / 'pontes.db'}"
    else:
        store_url = require_postgres(postgres_database)
        empty_postgres(store_url)
    sandbox_server = ThreadedServer(ledger_plugin.sandbox_app_factory()).start()
    port = free_port()
    config = ledger_config(store_url, sandbox_server.url, f"http://127.0.0.1:{port}",
                           max_attempts=MAX_ATTEMPTS)
    (workdir / "pontes.yaml").write_text(yaml.safe_dump(config))
    server = ServerProcess(workdir / "pontes.yaml", server_env(), port,
                           workdir / "server.log").start()
    try:
        with httpx.Client(base_url=sandbox_server.url, timeout=10) as client:
            yield Served(server, Sandbox(sandbox_server.url, client))
    finally:
        server.stop()
        sandbox_server.stop()


@pytest.fixture
def sandbox(served) -> Iterator[Sandbox]:
    yield served.sandbox
    served.sandbox.clear_faults()


def test_a_delivery_repeated_three_times_has_one_effect(served, sandbox):
    answers = [served.deliver(id="dup-1", entity="dup", n=1) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.json() == {"result": "ok"} for a in answers)  # the trigger's acknowledgement
    [event] = served.settled("dup-")
    assert event["status"] == "succeeded"
    assert len(sandbox.entries("ledger:dup-1")) == 1


def test_rate_limits_and_server_errors_are_retried_until_success(served, sandbox):
    sandbox.fault(status=429, retry_after=1, count=1, path="/entries")
    sandbox.fault(status=500, count=2, path="/entries")

    assert served.deliver(id="ret-1", entity="ret").status_code == 200
    [event] = served.settled("ret-")

    assert event["status"] == "succeeded"
    assert len(sandbox.entries("ledger:ret-1")) == 1
    log = served.server.event(event["id"])["attempt_log"]
    assert [a["outcome"] for a in log] == ["retry", "retry", "retry", "succeeded"]
    assert "429" in log[0]["error"] and "500" in log[1]["error"]
    # the vendor's Retry-After (1 s) was honoured before the second attempt
    waited = (datetime.fromisoformat(log[1]["started_at"])
              - datetime.fromisoformat(log[0]["finished_at"])).total_seconds()
    assert waited >= 0.95


def test_exhausted_retries_go_dead_and_replay_succeeds_after_the_fault_clears(served, sandbox):
    sandbox.fault(status=503, count=100, path="/entries")

    assert served.deliver(id="exh-1", entity="exh").status_code == 200
    [dead] = served.settled("exh-")
    assert dead["status"] == "dead" and dead["attempts"] == MAX_ATTEMPTS
    assert dead["last_error"].startswith(f"gave up after {MAX_ATTEMPTS} attempts: ")
    sandbox.clear_faults()
    assert sandbox.entries("ledger:exh-1") == []

    replay = served.server.admin.post(f"/admin/api/events/{dead['id']}/replay")
    assert replay.status_code == 202
    [event] = served.settled("exh-")
    assert event["status"] == "succeeded"
    assert len(sandbox.entries("ledger:exh-1")) == 1


def test_a_vendor_validation_error_is_dead_at_once_with_the_vendors_message(served, sandbox):
    assert served.deliver(id="val-1", entity="val", n=-5).status_code == 200

    [dead] = served.settled("val-")
    assert dead["status"] == "dead" and dead["attempts"] == 1
    assert "n must not be negative" in dead["last_error"]
    assert sandbox.entries("ledger:val-1") == []


def test_a_recipe_bug_is_dead_with_the_exception(served, sandbox):
    assert served.deliver(id="bug-1", entity="bug", mode="crash").status_code == 200

    [dead] = served.settled("bug-")
    assert dead["status"] == "dead"
    assert dead["last_error"] == "RuntimeError: the recipe tripped over its own feet"


def test_events_of_one_entity_run_in_arrival_order_even_when_the_first_is_retried(
        served, sandbox):
    sandbox.fault(status=500, count=1, path="/entries")
    for n in range(1, 6):
        assert served.deliver(id=f"ord-{n}", entity="ord", n=n).status_code == 200
    assert served.deliver(id="ord-other", entity="ord-other", n=99).status_code == 200

    events = served.settled("ord-")
    assert all(e["status"] == "succeeded" for e in events)
    ordered = [e["n"] for e in sandbox.entries() if e["entity"] == "item:ord"]
    assert ordered == [1, 2, 3, 4, 5]


def test_a_form_encoded_delivery_is_accepted(served, sandbox):
    answer = httpx.post(served.server.hook_url(), data={"id": "frm-1", "entity": "frm", "n": "3"})

    assert answer.status_code == 200
    [event] = served.settled("frm-")
    assert event["status"] == "succeeded"
    [entry] = sandbox.entries("ledger:frm-1")
    assert entry["n"] == 3 and entry["entity"] == "item:frm"


def test_bad_deliveries_get_the_right_4xx_are_stored_as_rejected_and_run_nothing(
        served, sandbox):
    url = served.server.hook_url()
    wrong_secret = url.rsplit("/", 1)[0] + "/not-the-secret"
    unknown = url.replace("/hooks/copy/", "/hooks/nope/")
    before = {e["id"] for e in served.server.events()}
    entries_before = len(sandbox.entries())

    assert httpx.post(wrong_secret, json={"id": "bad-w", "entity": "e"}).status_code == 404
    assert httpx.post(unknown, json={"id": "bad-w", "entity": "e"}).status_code == 404
    not_json = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json()["error"]
    unparsable = httpx.post(url, json={"entity": "e"})
    assert unparsable.status_code == 400
    assert "expected an object with 'id' and 'entity'" in unparsable.json()["error"]
    too_big = httpx.post(url, json={"id": "bad-big", "entity": "e", "pad": "x" * 10_000})
    assert too_big.status_code == 413

    wait_until(served.server.settled, what="the queue to empty")
    new = [e for e in served.server.events() if e["id"] not in before]
    assert len(new) == 3  # the wrong secrets were not stored at all
    assert all(e["status"] == "rejected" and e["attempts"] == 0 for e in new)
    reasons = [e["last_error"] for e in new]
    assert any("larger than the limit of 8192 bytes" in r for r in reasons)
    assert len(sandbox.entries()) == entries_before
    detail = served.server.event(next(e["id"] for e in new if "JSON" in e["last_error"]))
    assert detail["body"] == "{not json" and detail["attempt_log"] == []
