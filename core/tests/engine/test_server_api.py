"""The admin API, actions endpoint, health and metrics of the real server.

One server subprocess and one Ledger sandbox serve the whole module, so every test uses
its own keys and looks only at its own events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import ledger_plugin
import pytest
import yaml
from engine_support import (
    ADMIN_TOKEN,
    SECRET_KEY,
    Sandbox,
    ServerProcess,
    ThreadedServer,
    free_port,
    ledger_config,
    ledger_runtime,
    quick_settings,
    server_env,
    wait_until,
)
from pontes.server import create_app
from pontes.store import Store
from prometheus_client.parser import text_string_to_metric_families

LEDGER_KEY = ledger_plugin.SANDBOX_KEY


@dataclass
class Api:
    server: ServerProcess
    sandbox: Sandbox

    @property
    def url(self) -> str:
        return self.server.url

    def deliver(self, **body) -> httpx.Response:
        return httpx.post(self.server.hook_url(), json=body, timeout=30)

    def mine(self, prefix: str) -> list[dict]:
        """This test's events (their keys start with ``ledger:<prefix>``)."""
        return [e for e in self.server.events()
                if (e["idempotency_key"] or "").startswith(f"ledger:{prefix}")]

    def settle(self) -> None:
        wait_until(self.server.settled, what="the queue to empty")


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[Api]:
    sandbox_server = ThreadedServer(ledger_plugin.sandbox_app_factory()).start()
    port = free_port()
    workdir = tmp_path_factory.mktemp("api")
    config = ledger_config(f"sqlite:///{workdir / 'pontes.db'}", sandbox_server.url,
                           f"http://127.0.0.1:{port}", max_attempts=2)
    (workdir / "pontes.yaml").write_text(yaml.safe_dump(config))
    server = ServerProcess(workdir / "pontes.yaml", server_env(), port,
                           workdir / "server.log").start()
    try:
        with httpx.Client(base_url=sandbox_server.url, timeout=10) as client:
            yield Api(server, Sandbox(sandbox_server.url, client))
    finally:
        server.stop()
        sandbox_server.stop()


# --- admin API ----------------------------------------------------------------------------


def test_the_admin_api_needs_the_bearer_token(api):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN}):
        answer = httpx.get(f"{api.url}/admin/api/events", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert api.server.admin.get("/admin/api/events").status_code == 200


def test_the_admin_api_is_closed_when_no_token_is_configured(tmp_path, sandbox):
    config = ledger_config(f"sqlite:///{tmp_path / 'closed.db'}", sandbox.url)
    store = Store.open(config["store"])
    app = create_app(ledger_runtime(config), store, quick_settings(admin_token=None),
                     key=SECRET_KEY.encode())
    served = ThreadedServer(app).start()
    try:
        answer = httpx.get(f"{served.url}/admin/api/plugins",
                           headers={"Authorization": "Bearer anything"})
        assert answer.status_code == 401
        assert "set PONTES_ADMIN_TOKEN" in answer.json()["error"]
    finally:
        served.stop()
        store.close()


def test_configuration_endpoints_show_plugins_connections_and_webhook_urls(api):
    plugins = api.server.admin.get("/admin/api/plugins").json()
    connections = api.server.admin.get("/admin/api/connections").json()
    integrations = api.server.admin.get("/admin/api/integrations").json()

    assert {"name": "ledger_plugin", "module": "ledger_plugin", "distribution": None,
            "version": None, "enabled": True, "error": None} in plugins
    assert {c["name"] for c in connections} == {"ledger-in", "ledger-out"}
    assert "ledger.append" in connections[0]["capabilities"]
    [copy] = integrations
    assert copy["roles"] == {"source": "ledger-in", "target": "ledger-out"}
    [hook] = copy["webhooks"]
    assert hook["url"].startswith(f"{api.url}/hooks/copy/") and hook["trigger"] == "ledger.hook"
    everything = str(plugins) + str(connections) + str(integrations)
    assert LEDGER_KEY not in everything


def test_events_are_filtered_by_status_integration_and_time(api):
    api.deliver(id="flt-ok", entity="flt-1")
    api.deliver(id="flt-dead", entity="flt-2", n=-1)
    httpx.post(api.server.hook_url(), json={"no": "id"})
    api.settle()

    def keys(**filters) -> set[str]:
        return {e["idempotency_key"] for e in api.server.events(**filters)}

    assert "ledger:flt-ok" in keys(status="succeeded")
    assert "ledger:flt-dead" in keys(status="dead")
    assert "ledger:flt-ok" not in keys(status="dead")
    assert None in keys(status="rejected")
    assert keys(integration="nope") == set()
    hour = timedelta(hours=1)
    assert "ledger:flt-ok" in keys(since=(datetime.now(UTC) - hour).isoformat())
    assert keys(until=(datetime.now(UTC) - hour).isoformat()) == set()


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "lost"}, "status"),
    ({"since": "yesterday"}, "since"),
    ({"until": "2025-01-01T00:00:00"}, "until"),
    ({"limit": "0"}, "limit"),
    ({"before": "x"}, "before"),
])
def test_a_malformed_filter_is_a_400_naming_the_field(api, query, field):
    answer = api.server.admin.get("/admin/api/events", params=query)

    assert answer.status_code == 400
    assert answer.json()["field"] == field and answer.json()["error"].startswith(f"{field}: ")


def test_one_event_shows_body_headers_attempts_and_result_without_credentials(api):
    answer = httpx.post(api.server.hook_url(), json={"id": "det-1", "entity": "det"},
                        headers={"Authorization": "Bearer vendor-secret",
                                 "X-Api-Key": "vendor-key", "X-Vendor-Event": "changed"})
    assert answer.status_code == 200
    api.settle()
    [summary] = api.mine("det-1")
    detail = api.server.event(summary["id"])

    assert detail["status"] == "succeeded" and detail["trigger"] == "ledger.hook"
    assert detail["body"] == '{"id":"det-1","entity":"det"}'
    assert detail["headers"]["x-vendor-event"] == "changed"
    assert "authorization" not in detail["headers"] and "x-api-key" not in detail["headers"]
    assert detail["event"]["idempotency_key"] == "ledger:det-1"
    assert detail["result"]["summary"].startswith("entry ")
    assert [a["outcome"] for a in detail["attempt_log"]] == ["succeeded"]
    assert api.server.admin.get("/admin/api/events/999999").status_code == 404


def test_a_parser_bug_is_a_400_and_the_delivery_is_kept_as_rejected(api):
    answer = api.deliver(id="boom-1", entity="boom", mode="explode")

    assert answer.status_code == 400  # a 5xx would have the vendor retry it forever
    assert answer.json()["error"] == "ledger.hook failed: KeyError: 'a parser bug'"
    stored = [e for e in api.server.events(status="rejected")
              if e["last_error"] == answer.json()["error"]]
    assert len(stored) == 1
    assert '"boom-1"' in api.server.event(stored[0]["id"])["body"]
    assert ("trigger ledger.hook of connector ledger crashed on a delivery for copy (a bug in "
            "the plugin") in api.server.log_path.read_text()


def test_a_vendor_that_shows_agents_the_crm_gets_the_client_context_in_the_answer(api):
    api.deliver(id="cx-0", entity="cx")
    api.settle()

    answer = api.deliver(id="cx-1", entity="cx", kind="accepted")
    assert answer.status_code == 200
    assert answer.json() == {"result": "ok", "crm_link": "ledger://item:cx?entries=1"}
    api.settle()
    assert {e["idempotency_key"]: e["type"] for e in api.mine("cx-")} == {
        "ledger:cx-0": "ticket.changed", "ledger:cx-1": "chat.accepted"}

    api.sandbox.fault(status=500, count=1, path="/entries")
    fallback = api.deliver(id="cx-2", entity="cx", kind="accepted")
    assert fallback.status_code == 200 and fallback.json() == {"result": "ok"}
    api.settle()


def test_replay_one_and_replay_all_dead(api):
    api.deliver(id="rpl-1", entity="rpl-1", n=-1)
    api.deliver(id="rpl-2", entity="rpl-2", n=-1)
    api.settle()
    first, second = sorted(api.mine("rpl-"), key=lambda e: e["id"])
    rejected = api.server.events(status="rejected")[0]

    assert api.server.admin.post(f"/admin/api/events/{rejected['id']}/replay").status_code == 409
    assert api.server.admin.post("/admin/api/events/999999/replay").status_code == 404
    one = api.server.admin.post(f"/admin/api/events/{first['id']}/replay")
    assert one.status_code == 202 and one.json() == {"id": first["id"], "queued": True,
                                                     "was": "dead"}
    api.settle()
    assert api.server.event(first["id"])["attempts"] == 2  # ran again (and died again)

    everything = api.server.admin.post("/admin/api/events/replay-dead",
                                       params={"integration": "copy"})
    assert everything.status_code == 202 and everything.json()["queued"] >= 2
    api.settle()
    assert api.server.event(second["id"])["attempts"] == 2


def test_links_are_looked_up_by_remote_id(api):
    api.deliver(id="lnk-1", entity="lnk")
    api.settle()
    [entry] = api.sandbox.entries("ledger:lnk-1")

    found = api.server.admin.get("/admin/api/links",
                                 params={"kind": "ledger-entry", "remote_id": str(entry["id"])})

    assert found.status_code == 200
    [group] = found.json()
    assert group["refs"] == {"ledger-in": "ledger:lnk-1", "ledger-out": str(entry["id"])}


def test_the_openapi_document_describes_the_admin_api(api):
    document = httpx.get(f"{api.url}/admin/api/openapi.json").json()

    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["adminToken"]["scheme"] == "bearer"
    events = document["paths"]["/admin/api/events"]["get"]
    assert {p["name"] for p in events["parameters"]} >= {"status", "integration", "since",
                                                          "until", "limit"}
    assert "post" in document["paths"]["/admin/api/events/{event_id}/replay"]
    assert "/admin/api/links" in document["paths"]
    for path in document["paths"].values():
        for operation in path.values():
            assert operation["summary"] and operation["responses"]


# --- health and metrics -------------------------------------------------------------------


def test_healthz_answers_when_the_store_does(api):
    answer = httpx.get(f"{api.url}/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def metric_values(text: str) -> dict[tuple[str, tuple], float]:
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def test_metrics_count_events_attempts_and_vendor_calls(api):
    api.deliver(id="met-1", entity="met")
    api.deliver(id="met-1", entity="met")
    api.deliver(id="met-dead", entity="met-2", n=-1)
    api.settle()

    answer = httpx.get(f"{api.url}/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    values = metric_values(answer.text)
    copy = (("integration", "copy"),)

    assert values[("pontes_events_received_total", (("integration", "copy"),
                                                    ("source", "webhook")))] >= 2
    assert values[("pontes_events_duplicate_total", copy)] >= 1
    assert values[("pontes_events_succeeded_total", copy)] >= 1
    assert values[("pontes_events_dead_total", copy)] >= 1
    assert values[("pontes_events_failed_total", copy)] >= 1
    assert values[("pontes_dead_letters", copy)] >= 1
    assert values[("pontes_queue_depth", (("integration", "copy"), ("status", "received")))] == 0
    assert values[("pontes_last_success_timestamp_seconds", copy)] > 0
    assert values[("pontes_attempt_duration_seconds_count", (("integration", "copy"),
                                                             ("outcome", "succeeded")))] >= 1
    created = values[("pontes_vendor_calls_total", (("connection", "ledger-out"),
                                                     ("method", "POST"), ("status", "201")))]
    refused = values[("pontes_vendor_calls_total", (("connection", "ledger-out"),
                                                     ("method", "POST"), ("status", "422")))]
    assert created >= 1 and refused >= 1


# --- actions ------------------------------------------------------------------------------


@pytest.fixture
def action(api):
    token = api.server.admin.get("/admin/api/connections/ledger-out/action-token").json()

    def call(name: str, body=None, *, raw: bytes | None = None, auth: str | None = None,
             connection: str = "ledger-out") -> httpx.Response:
        headers = {"Authorization": f"Bearer {auth or token['token']}"}
        url = f"{api.url}/actions/{connection}/{name}"
        if raw is not None:
            return httpx.post(url, content=raw, headers=headers)
        return httpx.post(url, json=body, headers=headers)

    call.token = token
    api.settle()
    yield call
    api.sandbox.clear_faults()


def test_an_action_runs_with_its_token_and_answers_the_result(api, action):
    assert action.token["url"] == f"{api.url}/actions/ledger-out/{{action}}"
    answer = action("ledger.append", {"key": "act-1", "n": 2})

    assert answer.status_code == 200
    assert answer.json()["key"] == "act-1" and answer.json()["n"] == 2
    assert [e["n"] for e in api.sandbox.entries("act-1")] == [2]
    by_query = httpx.post(f"{api.url}/actions/ledger-out/ledger.find",
                          params={"token": action.token["token"]}, json={"key": "act-1"})
    assert by_query.status_code == 200 and len(by_query.json()) == 1


def test_actions_refuse_missing_wrong_and_foreign_tokens(api, action):
    assert httpx.post(f"{api.url}/actions/ledger-out/ledger.find",
                      json={"key": "x"}).status_code == 401
    assert action("ledger.find", {"key": "x"}, auth="wrong").status_code == 401
    # a token is valid for one connection only; an unknown connection looks the same
    assert action("ledger.find", {"key": "x"}, connection="ledger-in").status_code == 401
    assert action("ledger.find", {"key": "x"}, connection="nope").status_code == 401


def test_an_unknown_action_is_a_404_listing_what_the_connection_can_do(action):
    answer = action("deal.create", {"title": "x"})

    assert answer.status_code == 404
    assert "cannot do 'deal.create'" in answer.json()["error"]
    assert "ledger.append" in answer.json()["error"]


def test_invalid_input_is_a_422_listing_every_field(action):
    answer = action("ledger.append", {"key": "", "n": "many"})

    assert answer.status_code == 422
    fields = {f["field"]: f["message"] for f in answer.json()["fields"]}
    assert set(fields) == {"key", "n"}
    assert "at least 1 character" in fields["key"]


@pytest.mark.parametrize(("raw", "message"), [
    (b"{broken", "body is not valid JSON"),
    (b"[1, 2]", "body must be a JSON object, got list"),
])
def test_a_body_that_is_not_a_json_object_is_a_400(action, raw, message):
    answer = action("ledger.find", raw=raw)
    assert answer.status_code == 400 and answer.json()["error"].startswith(message)


def test_vendor_failures_map_to_clear_statuses_without_secrets(api, action):
    rejected = action("ledger.append", {"key": "act-neg", "n": -3})
    assert rejected.status_code == 422
    assert rejected.json() == {"error": "the vendor rejected the input",
                               "message": "n must not be negative (422 from "
                                          f"{api.sandbox.url}/entries)"}

    api.sandbox.fault(status=500, path="/entries",
                      body={"message": f"database down for key {LEDGER_KEY}"})
    failed = action("ledger.find", {"key": "x"})
    assert failed.status_code == 502 and failed.json()["error"] == "the vendor failed"
    assert LEDGER_KEY not in failed.text and "***" in failed.json()["message"]

    api.sandbox.fault(status=429, retry_after=7, path="/entries")
    limited = action("ledger.find", {"key": "x"})
    assert limited.status_code == 503 and limited.headers["retry-after"] == "7"
