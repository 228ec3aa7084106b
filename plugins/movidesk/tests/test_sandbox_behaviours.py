"""Rate limit, failure lock-out and "call webhook" automations of the sandbox."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Sandbox


@pytest.fixture
def slow_sandbox():
    served = Sandbox(requests_per_minute=3)
    yield served
    served.stop()


def test_more_than_the_budget_per_minute_is_throttled(slow_sandbox):
    answers = [slow_sandbox.call("GET", "/tickets", id=1001) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    other_token = slow_sandbox.call("GET", "/tickets", token="x", id=1001)
    assert other_token.status_code == 401

    slow_sandbox.control("POST", "/clock", {"advance_seconds": 60})
    assert slow_sandbox.call("GET", "/tickets", id=1001).status_code == 200


def test_three_failures_in_a_row_lock_the_token_out_with_escalation(sandbox):
    def fail_three_times():
        return [sandbox.call("GET", "/tickets", id=999999).status_code for _ in range(3)]

    assert fail_three_times() == [404, 404, 404]
    locked = sandbox.call("GET", "/tickets", id=1001)
    assert locked.status_code == 429
    assert locked.json() == {"Message": "Too many failed requests"}
    assert locked.headers["Retry-After"] == "60"

    sandbox.control("POST", "/clock", {"advance_seconds": 61})
    assert fail_three_times() == [404, 404, 404]
    assert sandbox.call("GET", "/tickets", id=1001).headers["Retry-After"] == "120"

    sandbox.control("POST", "/clock", {"advance_seconds": 121})
    assert fail_three_times() == [404, 404, 404]
    assert sandbox.call("GET", "/tickets", id=1001).headers["Retry-After"] == "300"


def test_the_sandbox_counts_its_lock_outs(sandbox):
    assert sandbox.control("GET", "/lockouts") == {"lockouts": 0}
    for _ in range(3):
        sandbox.call("GET", "/tickets", id=999999)
    assert sandbox.call("GET", "/tickets", id=1001).status_code == 429
    assert sandbox.control("GET", "/lockouts") == {"lockouts": 1}
    sandbox.control("POST", "/reset")
    assert sandbox.control("GET", "/lockouts") == {"lockouts": 0}


def test_a_shorter_minute_shrinks_the_window_and_the_lock_outs():
    quick = Sandbox(requests_per_minute=3, minute=2.0)
    try:
        answers = [quick.call("GET", "/tickets", id=1001).status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        quick.control("POST", "/clock", {"advance_seconds": 2})
        for _ in range(3):
            assert quick.call("GET", "/tickets", id=999999).status_code == 404
        locked = quick.call("GET", "/tickets", id=1001)
        assert locked.status_code == 429 and locked.headers["Retry-After"] == "2"
        quick.control("POST", "/clock", {"advance_seconds": 2.1})
        assert quick.call("GET", "/tickets", id=1001).status_code == 200
    finally:
        quick.stop()


def test_a_success_ends_the_series_of_failures(sandbox):
    for _ in range(2):
        assert sandbox.call("GET", "/tickets", id=999999).status_code == 404
    assert sandbox.call("GET", "/tickets", id=1001).status_code == 200
    for _ in range(2):
        assert sandbox.call("GET", "/tickets", id=999999).status_code == 404
    assert sandbox.call("GET", "/tickets", id=1001).status_code == 200


def test_bad_requests_count_as_failures_too(sandbox):
    for _ in range(3):
        assert sandbox.call("GET", "/tickets").status_code == 400
    assert sandbox.call("GET", "/tickets", id=1001).status_code == 429


def test_injected_faults_come_from_the_shared_toolkit(sandbox):
    sandbox.control("POST", "/faults", {"status": 503, "count": 1, "path": "/public/v1/tickets",
                                        "retry_after": 2})
    failed = sandbox.call("GET", "/tickets", id=1001)
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "2"
    assert sandbox.call("GET", "/tickets", id=1001).status_code == 200


def _automation(sandbox, receiver, **spec):
    return sandbox.control("POST", "/automations", {"url": receiver.url(), **spec})


def _deliveries(sandbox):
    return sandbox.control("GET", "/deliveries")


def test_status_changed_through_the_api_calls_the_webhook(sandbox, receiver):
    _automation(sandbox, receiver, status_changed_to="Resolvido")
    sandbox.call("PATCH", "/tickets", id=1002, json={"subject": "Só o assunto"})
    sandbox.call("PATCH", "/tickets", id=1002, json={"status": "Em atendimento"})
    assert _deliveries(sandbox) == []

    sandbox.call("PATCH", "/tickets", id=1002, json={"status": "Resolvido"})
    deliveries = _deliveries(sandbox)
    assert [d["status"] for d in deliveries] == [200]
    body = receiver.bodies()[0]
    assert body["Id"] == 1002 and body["Status"] == "Resolvido" and body["BaseStatus"] == "Resolved"
    assert body["Clients"][0]["Id"] == "cli-joao"
    assert "LastUpdate" in body and "Actions" in body


def test_agent_resolving_in_the_ui_calls_the_webhook(sandbox, receiver):
    _automation(sandbox, receiver, status_changed_to="resolvido", body="id")
    answer = sandbox.control("POST", "/tickets/1001/status",
                             {"status": "Resolvido", "agent_id": "agent-ana"})
    assert answer["baseStatus"] == "Resolved"
    assert answer["statusHistories"][-1]["changedBy"]["id"] == "agent-ana"
    _deliveries(sandbox)
    assert receiver.bodies() == [{"Id": 1001}]


def test_automation_without_condition_fires_on_every_change(sandbox, receiver):
    _automation(sandbox, receiver)
    created = sandbox.call("POST", "/tickets", json={"type": 2, "subject": "Nova",
                                                      "createdBy": {"id": "cli-carla"}}).json()
    sandbox.call("PATCH", "/tickets", id=created["id"], json={"urgency": "Alta"})
    _deliveries(sandbox)
    assert [b["Id"] for b in receiver.bodies()] == [created["id"], created["id"]]
    assert [b["Urgency"] for b in receiver.bodies()] == [None, "Alta"]


def test_automation_control_validates_its_input(sandbox):
    for spec in ({"url": "not-a-url"}, {"url": "http://x", "status_changed_to": "Inexistente"},
                 {"url": "http://x", "body": "xml"}):
        answer = httpx.post(sandbox.url + "/_sandbox/automations", json=spec)
        assert answer.status_code == 400, spec


def test_reset_restores_the_seed_and_clears_automations(sandbox, receiver):
    _automation(sandbox, receiver)
    sandbox.call("PATCH", "/tickets", id=1002, json={"subject": "Mudou"})
    sandbox.control("POST", "/reset")
    assert sandbox.control("GET", "/automations") == []
    assert sandbox.call("GET", "/tickets", id=1002).json()["subject"].startswith("Dúvida")
