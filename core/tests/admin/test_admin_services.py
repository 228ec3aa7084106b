"""The admin API and pages over the same services: the OpenAPI document generated from
the models, event search, dead letters grouped by reason, pages without secrets."""

from __future__ import annotations

import re

import httpx
import ledger_plugin
from admin_support import Served, csrf_of
from engine_support import (
    SECRET_KEY,
    ThreadedServer,
    free_port,
    ledger_config,
    ledger_runtime,
    quick_settings,
    wait_until,
)
from pontes.admin.api import OPERATIONS
from pontes.admin.models import EventEntry, EventQuery
from pontes.admin.openapi import REF
from pontes.admin.pages import PAGE_SIZE
from pontes.server import create_app
from pontes.store import Store


def test_the_openapi_document_is_generated_from_the_models(served):
    document = httpx.get(f"{served.url}/admin/api/openapi.json").json()

    event_schema = EventEntry.model_json_schema(mode="serialization", ref_template=REF)
    assert document["components"]["schemas"]["EventEntry"]["properties"] == \
        event_schema["properties"]
    parameters = {p["name"]: p for p in document["paths"]["/admin/api/events"]["get"]
                  ["parameters"]}
    assert set(parameters) == set(EventQuery.model_fields)
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1,
                                             "maximum": 1000, "default": 100}
    assert parameters["status"]["schema"]["enum"][0] == "received"
    listed = {(method.upper(), path) for path, ops in document["paths"].items()
              for method in ops}
    assert listed == {(o.method, o.path) for o in OPERATIONS}
    save = document["paths"]["/admin/api/integrations/{name}/mappings/{slot}"]["put"]
    assert save["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MappingEdit"}
    assert save["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorAnswer"}


def test_the_reference_page_lists_every_operation(served):
    page = httpx.get(f"{served.url}/admin/api/docs")

    assert page.status_code == 200
    for operation in OPERATIONS:
        assert f"<code>{operation.method} {operation.path}</code>" in page.text


def test_events_are_found_by_id_idempotency_key_and_entity(served):
    served.deliver(id="srch-1", entity="srch-a")
    served.deliver(id="srch-2", entity="srch-b")
    served.settle()
    with served.api() as api:
        [by_key] = api.get("/admin/api/events", params={"search": "ledger:srch-1"}).json()
        [by_id] = api.get("/admin/api/events", params={"search": str(by_key["id"])}).json()
        by_entity = api.get("/admin/api/events", params={"entity_key": "item:srch-b"}).json()
        none = api.get("/admin/api/events", params={"search": "ledger:srch-1",
                                                     "status": "dead"}).json()

    assert by_key["entity_key"] == "item:srch-a" and by_id == by_key
    assert [e["idempotency_key"] for e in by_entity] == ["ledger:srch-2"]
    assert none == []


def test_dead_letters_are_grouped_by_reason_and_replayed_by_group(served):
    served.deliver(id="dl-1", entity="dl-1", n=-1)
    served.deliver(id="dl-2", entity="dl-2", n=-1)
    served.deliver(id="dl-3", entity="dl-3", mode="crash")
    served.settle()
    with served.api() as api:
        groups = api.get("/admin/api/dead-letters", params={"integration": "copy"}).json()
        negative = next(g for g in groups if "n must not be negative" in g["reason"])
        crashed = next(g for g in groups if "tripped over its own feet" in g["reason"])
        assert negative["count"] >= 2 and crashed["count"] >= 1
        replayed = api.post("/admin/api/events/replay-dead",
                            params={"integration": "copy", "reason": crashed["reason"]})
        assert replayed.status_code == 202
        assert replayed.json() == {"queued": crashed["count"]}
        served.settle()
        again = api.get("/admin/api/events", params={"search": "ledger:dl-3"}).json()[0]
        untouched = api.get("/admin/api/events", params={"search": "ledger:dl-1"}).json()[0]
    assert again["attempts"] == 2 and untouched["attempts"] == 1


def test_every_page_renders_and_none_shows_a_secret(served, operator):
    served.deliver(id="pg-1", entity="pg-1")
    served.settle()
    with served.api() as api:
        [event] = api.get("/admin/api/events", params={"search": "ledger:pg-1"}).json()
    pages = ["overview", "events", f"events/{event['id']}", "dead-letters", "integrations",
             "connections", "mappings", "integrations/copy/mappings", "plugins",
             "events?status=succeeded&since=2020-01-01T00:00"]
    for path in pages:
        answer = operator.get(f"/admin/{path}")
        assert answer.status_code == 200, (path, answer.text[:500])
        assert ledger_plugin.SANDBOX_KEY not in answer.text, path
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["content-security-policy"] == "frame-ancestors 'none'"
    detail = operator.get(f"/admin/events/{event['id']}").text
    assert "ledger:pg-1" in detail and "created entry" in detail
    assert "ledger-entry: ledger-in = ledger:pg-1" in detail
    record = operator.get(f"/admin/events/{event['id']}/record")
    assert record.status_code == 200 and "&#34;subject&#34;: &#34;item pg-1&#34;" in record.text
    assert ledger_plugin.SANDBOX_KEY not in record.text
    fragment = operator.get(f"/admin/events/{event['id']}/record", headers={"HX-Request": "true"})
    assert fragment.text.startswith("<h3>The canonical record, loaded from ledger-in</h3>")


def test_a_malformed_filter_on_the_events_page_names_the_field(operator):
    answer = operator.get("/admin/events", params={"status": "lost"})

    assert answer.status_code == 200
    assert "status: Input should be" in answer.text


def test_checking_a_connection_calls_the_vendor(served, operator):
    page = operator.get("/admin/connections")
    good = operator.post("/admin/connections/ledger-in/check",
                         data={"csrf_token": csrf_of(page.text)})
    assert "ledger-in: the credentials work" in good.text
    with httpx.Client(base_url=served.sandbox_url) as sandbox:
        sandbox.post("/_sandbox/faults", json={"status": 401, "path": "/entries",
                                               "body": {"message": "invalid X-Ledger-Key"}})
    bad = operator.post("/admin/connections/ledger-in/check",
                        data={"csrf_token": csrf_of(page.text)})
    assert 'class="error"' in bad.text and "ledger-in: " in bad.text
    assert ledger_plugin.SANDBOX_KEY not in bad.text


def test_connections_show_their_rate_budget_and_a_vendor_pause(tmp_path):
    sandbox = ThreadedServer(ledger_plugin.sandbox_app_factory()).start()
    port = free_port()
    config = ledger_config(f"sqlite:///{tmp_path / 'budget.db'}", sandbox.url,
                           f"http://127.0.0.1:{port}", rate=(50, 60))
    store = Store.open(config["store"], key=SECRET_KEY.encode())
    runtime = ledger_runtime(config)
    server = ThreadedServer(create_app(runtime, store, quick_settings(),
                                       key=SECRET_KEY.encode()), port).start()
    served = Served(server.url, sandbox.url, store, runtime)
    try:
        served.deliver(id="bud-1", entity="bud-1")
        served.settle()
        with served.api() as api:
            budgets = {c["name"]: c["budget"] for c in api.get("/admin/api/connections").json()}
            assert budgets["ledger-out"] == {"limit": 50, "per_seconds": 60.0, "used": 2,
                                             "paused_for": 0.0}  # find, then append
            with httpx.Client(base_url=sandbox.url) as vendor:
                vendor.post("/_sandbox/faults", json={"status": 429, "retry_after": 120,
                                                      "path": "/entries"})
            served.deliver(id="bud-2", entity="bud-2")
            wait_until(lambda: api.get("/admin/api/connections").json()[1]["budget"]
                       ["paused_for"] > 60, what="the vendor's pause to show")
            [health] = api.get("/admin/api/overview").json()
        assert health["connections"]["ledger-out"] == "rate-limited now"
    finally:
        server.stop()
        sandbox.stop()
        store.close()


def test_recipes_list_the_connectors_and_connections_that_fit_each_role(served, operator):
    with served.api() as api:
        recipes = {r["name"]: r for r in api.get("/admin/api/recipes").json()}

    copy = recipes["ledger_copy"]
    assert copy["roles"] == {"source": ["ledger"], "target": ["ledger"]}
    assert copy["connections"] == {"source": ["ledger-in", "ledger-out"],
                                   "target": ["ledger-in", "ledger-out"]}
    assert recipes["chat_to_crm"]["connections"]["crm"] == []  # Ledger finds no contacts
    assert recipes["chat_to_crm"]["roles"]["crm"] == []
    page = operator.get("/admin/plugins").text
    assert "<th scope=\"row\">ledger.append</th>" in page


def test_the_events_page_pages_back_through_older_events(served, operator):
    for number in range(PAGE_SIZE + 5):
        served.deliver(id=f"page-{number}", entity=f"page-{number}")
    served.settle()
    first = operator.get("/admin/events", params={"integration": "copy"}).text
    shown = [int(i) for i in re.findall(r'data-event-id="(\d+)"', first)]
    older = re.search(r'href="(/admin/events\?[^"]+)">Older events', first).group(1)
    second = operator.get(older.replace("&amp;", "&")).text
    rest = [int(i) for i in re.findall(r'data-event-id="(\d+)"', second)]

    assert len(shown) == PAGE_SIZE and shown == sorted(shown, reverse=True)
    assert rest and max(rest) < min(shown)
    assert "integration=copy" in older


def test_a_name_the_services_do_not_know_is_a_404_naming_it(served):
    asked = [("POST", "/admin/api/connections/nope/check", None, "no connection 'nope'"),
             ("GET", "/admin/api/connections/nope/action-token", None, "no connection 'nope'"),
             ("POST", "/admin/api/integrations/nope/activate", None, "no integration 'nope'"),
             ("POST", "/admin/api/integrations/nope/deactivate", None, "no integration 'nope'"),
             ("GET", "/admin/api/integrations/nope/mappings", None, "no integration 'nope'"),
             ("POST", "/admin/api/integrations/copy/mappings/nope/check", {"rules": {}},
              "no integration 'copy' with a mapping 'nope'"),
             ("PUT", "/admin/api/integrations/nope/mappings/item", {"rules": {}},
              "no integration 'nope' with a mapping 'item'"),
             ("POST", "/admin/api/integrations/copy/mappings/nope/rollback", {"version": 1},
              "no such integration, mapping or version")]
    with served.api() as api:
        answers = [api.request(method, path, json=body) for method, path, body, _ in asked]
    assert [(a.status_code, a.json()["error"]) for a in answers] == [
        (404, message) for *_, message in asked]
