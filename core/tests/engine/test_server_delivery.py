"""Webhook deliveries against the real server (a subprocess) and the Ledger sandbox."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from engine_support import wait_until


@pytest.fixture
def server(store_url, start_server):
    return start_server(store_url)


def deliver(url: str, **body) -> httpx.Response:
    return httpx.post(url, json=body, timeout=30)


def test_a_delivery_repeated_three_times_has_one_effect(server, sandbox):
    url = server.hook_url()
    answers = [deliver(url, id="d-1", entity="t-1", n=1) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all(a.json() == {"result": "ok"} for a in answers)  # the trigger's acknowledgement
    events = wait_until(server.settled, what="the event to run")
    assert len(events) == 1
    assert events[0]["status"] == "succeeded"
    assert [e["key"] for e in sandbox.entries()] == ["ledger:d-1"]


def test_rate_limits_and_server_errors_are_retried_until_success(store_url, start_server,
                                                                   sandbox):
    server = start_server(store_url, max_attempts=5)
    sandbox.fault(status=429, retry_after=1, count=1, path="/entries")
    sandbox.fault(status=500, count=2, path="/entries")
    url = server.hook_url()

    assert deliver(url, id="r-1", entity="t-1").status_code == 200
    events = wait_until(server.settled, what="the event to settle")

    assert [e["status"] for e in events] == ["succeeded"]
    assert len(sandbox.entries("ledger:r-1")) == 1
    detail = server.event(events[0]["id"])
    log = detail["attempt_log"]
    assert [a["outcome"] for a in log] == ["retry", "retry", "retry", "succeeded"]
    assert "429" in log[0]["error"] and "500" in log[1]["error"]
    # the vendor's Retry-After (1 s) was honoured before the second attempt
    waited = (datetime.fromisoformat(log[1]["started_at"])
              - datetime.fromisoformat(log[0]["finished_at"])).total_seconds()
    assert waited >= 0.95


def test_exhausted_retries_go_dead_and_replay_succeeds_after_the_fault_clears(server, sandbox):
    sandbox.fault(status=503, count=100, path="/entries")
    url = server.hook_url()

    assert deliver(url, id="x-1", entity="t-1").status_code == 200
    dead = wait_until(lambda: server.events(status="dead"), what="the event to die")
    assert len(dead) == 1 and dead[0]["attempts"] == 3
    assert dead[0]["last_error"].startswith("gave up after 3 attempts")
    sandbox.clear_faults()
    assert sandbox.entries("ledger:x-1") == []

    replay = server.admin.post(f"/admin/api/events/{dead[0]['id']}/replay")
    assert replay.status_code == 202
    events = wait_until(server.settled, what="the replay to run")
    assert [e["status"] for e in events] == ["succeeded"]
    assert len(sandbox.entries("ledger:x-1")) == 1


def test_a_vendor_validation_error_is_dead_at_once_with_the_vendors_message(server, sandbox):
    assert deliver(server.hook_url(), id="v-1", entity="t-1", n=-5).status_code == 200

    dead = wait_until(lambda: server.events(status="dead"), what="the event to die")
    assert dead[0]["attempts"] == 1
    assert "n must not be negative" in dead[0]["last_error"]
    assert sandbox.entries() == []


def test_a_recipe_bug_is_dead_with_the_exception_and_no_secret(server, sandbox):
    assert deliver(server.hook_url(), id="c-1", entity="t-1", mode="crash").status_code == 200

    dead = wait_until(lambda: server.events(status="dead"), what="the event to die")
    assert dead[0]["last_error"] == "RuntimeError: the recipe tripped over its own feet"


def test_events_of_one_entity_run_in_arrival_order_even_when_the_first_is_retried(
        server, sandbox):
    sandbox.fault(status=500, count=1, path="/entries")
    url = server.hook_url()
    for n in range(1, 6):
        assert deliver(url, id=f"o-{n}", entity="same", n=n).status_code == 200
    assert deliver(url, id="o-other", entity="other", n=99).status_code == 200

    wait_until(server.settled, what="every event to run")
    ordered = [e["n"] for e in sandbox.entries() if e["entity"] == "item:same"]
    assert ordered == [1, 2, 3, 4, 5]


def test_a_form_encoded_delivery_is_accepted(server, sandbox):
    answer = httpx.post(server.hook_url(), data={"id": "f-1", "entity": "t-9", "n": "3"})

    assert answer.status_code == 200
    wait_until(server.settled, what="the event to run")
    [entry] = sandbox.entries("ledger:f-1")
    assert entry["n"] == 3 and entry["entity"] == "item:t-9"


def test_bad_deliveries_get_the_right_4xx_and_run_nothing(server, sandbox):
    url = server.hook_url()
    wrong_secret = url.rsplit("/", 1)[0] + "/not-the-secret"
    unknown = url.replace("/hooks/copy/", "/hooks/nope/")

    assert httpx.post(wrong_secret, json={"id": "w", "entity": "e"}).status_code == 404
    assert httpx.post(unknown, json={"id": "w", "entity": "e"}).status_code == 404
    not_json = httpx.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and "not valid JSON" in not_json.json()["error"]
    unparsable = httpx.post(url, json={"entity": "e"})
    assert unparsable.status_code == 400
    assert "expected an object with 'id' and 'entity'" in unparsable.json()["error"]
    too_big = httpx.post(url, json={"id": "big", "entity": "e", "pad": "x" * 10_000})
    assert too_big.status_code == 413

    rejected = server.events(status="rejected")
    assert len(rejected) == 3  # the wrong secrets were not stored at all
    reasons = sorted(e["last_error"] for e in rejected)
    assert any("larger than the limit of 8192 bytes" in r for r in reasons)
    assert all(e["status"] == "rejected" for e in server.events())
    assert sandbox.entries() == []
    detail = server.event(next(e["id"] for e in rejected if "JSON" in e["last_error"]))
    assert detail["body"] == "{not json" and detail["attempt_log"] == []
