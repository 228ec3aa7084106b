"""Seed 003's "POST request" trigger action, end to end: a helpdesk rule's request creates
one CRM deal per ticket, with its note, through the real server over loopback.

The Usedesk sandbox holds the tickets (created through its API, each test its own client
and ticket); the amoCRM and Ploomes sandboxes are the CRMs. The request is what the rule
posts once Usedesk has filled its placeholders.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys

import httpx
import pytest
from e2e_support import ploomes_insert
from pontes.testing.databases import (
    fresh_postgres_database,
    postgres_admin_url,
    require_postgres,
)
from pontes.testing.stack import Stack
from pontes_amocrm.sandbox.state import (
    ADMIN_ID,
    FIRST_STATUS_ID,
    PIPELINE_ID,
)

pytestmark = pytest.mark.slow

SOURCE_FIELD, PRODUCT_FIELD, CHANNELS_FIELD = 66339, 1372537, 1372539
BASIC, EMAIL_CHANNEL, CHAT_CHANNEL = 705377, 705381, 705385
PLOOMES_SALES, PLOOMES_FIRST_STAGE = 10000200, 10000201
PLOOMES_CHANNEL_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000003"

CONNECTIONS = {"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {}),
               "ploomes": ("ploomes", {})}
INTEGRATIONS = {
    "ticket-deals": {"recipe": "deal_request", "helpdesk": "usedesk", "crm": "amocrm"},
    "ticket-deals-ploomes": {"recipe": "deal_request", "helpdesk": "usedesk",
                             "crm": "ploomes"},
}
FAST_RETRIES = {"PONTES_BACKOFF_BASE": "0.2", "PONTES_BACKOFF_CAP": "1",
                "PONTES_IDLE_INTERVAL": "0.2"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("seed003-requests"), connections=CONNECTIONS,
                       integrations=INTEGRATIONS, server_env=FAST_RETRIES,
                       sandbox_options={"ploomes": {"requests_per_minute": 1200},
                                        "amocrm": {"requests_per_second": 50}}) as running:
        yield running


def request_url(stack, integration: str) -> str:
    (found,) = [r.url for r in stack.runtime.request_urls() if r.integration == integration]
    return found


def new_ticket(stack, name: str, email: str) -> str:
    """A client writes in: a new Usedesk ticket (through Usedesk's API); returns its id."""
    token = stack.runtime.connections["usedesk"].settings.api_token.get_secret_value()
    with stack.sandbox("usedesk") as usedesk:
        answer = usedesk.post("/create/ticket", json={
            "api_token": token, "subject": f"Question from {name}", "message": "Hello",
            "client_name": name, "client_email": email}).raise_for_status().json()
    return str(answer["ticket_id"])


def amocrm_contact(stack, name: str, email: str) -> int:
    """A contact that already is in amoCRM; returns its id."""
    token = stack.runtime.connections["amocrm"].settings.long_lived_token.get_secret_value()
    with stack.sandbox("amocrm") as amocrm:
        answer = amocrm.post("/api/v4/contacts", headers={"Authorization": f"Bearer {token}"},
                             json=[{"name": name, "custom_fields_values": [
                                 {"field_code": "EMAIL",
                                  "values": [{"value": email, "enum_code": "WORK"}]}]}])
    return answer.raise_for_status().json()["_embedded"]["contacts"][0]["id"]


def leads(stack) -> list[dict]:
    with stack.sandbox("amocrm") as amocrm:
        return amocrm.get("/_sandbox/records/leads").raise_for_status().json()


def lead_notes(stack, lead_id: int) -> list[dict]:
    token = stack.runtime.connections["amocrm"].settings.long_lived_token.get_secret_value()
    with stack.sandbox("amocrm") as amocrm:
        answer = amocrm.get(f"/api/v4/leads/{lead_id}/notes",
                            headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    return [] if answer.status_code == 204 else answer.json()["_embedded"]["notes"]


def seed_body(ticket_id: str, **fields) -> dict:
    """Seed 003's example request, with this test's ticket."""
    return {
        "amoClientId": "1ff6828b-c10c-43f8-98d0-370001e85b6c",
        "ticketId": ticket_id,
        "fields": {
            "name": "gg", "price": 1, "status_id": FIRST_STATUS_ID, "pipeline_id": PIPELINE_ID,
            "responsible_user_id": ADMIN_ID,
            "custom_fields_values": [
                {"field_id": SOURCE_FIELD, "values": [{"value": "asd"}]},
                {"field_id": PRODUCT_FIELD, "values": [{"enum_id": BASIC}]},
                {"field_id": CHANNELS_FIELD,
                 "values": [{"enum_id": EMAIL_CHANNEL}, {"enum_id": CHAT_CHANNEL}]},
            ],
            **fields,
        },
        "comment": "4444",
    }


def finished(stack, integration: str, event_id: int, timeout: float = 60.0) -> dict:
    """The event once it succeeded or died."""
    found: dict = {}

    def done() -> bool:
        nonlocal found
        found = stack.event(event_id)
        return found["status"] in ("succeeded", "dead")

    stack.wait_until(done, timeout, f"event {event_id} of {integration} to finish")
    return found


def links_of(stack, ticket_id: str) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "links", "--config", str(stack.config_path),
         "--kind", "deal-ticket", "--connection", "usedesk", "--remote-id", ticket_id,
         "--json"], env=stack.env, capture_output=True, text=True, timeout=60, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_a_rule_that_fires_twice_creates_one_deal_with_its_note_linked_to_ticket_and_client(
        stack):
    ticket = new_ticket(stack, "Ivan Petrov", "ivan.twice@example.org")
    contact = amocrm_contact(stack, "Ivan Petrov", "ivan.twice@example.org")
    before = {lead["id"] for lead in leads(stack)}
    url = request_url(stack, "ticket-deals")

    first = httpx.post(url, json=seed_body(ticket))
    second = httpx.post(url, json=seed_body(ticket))

    assert first.status_code == 202, first.text
    assert first.json()["status"] == "accepted"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    event = finished(stack, "ticket-deals", first.json()["event"])
    assert event["status"] == "succeeded", event["last_error"]
    new = [lead for lead in leads(stack) if lead["id"] not in before]
    assert len(new) == 1
    (lead,) = new
    assert (lead["name"], lead["price"], lead["pipeline_id"], lead["status_id"],
            lead["responsible_user_id"]) == ("gg", 1, PIPELINE_ID, FIRST_STATUS_ID, ADMIN_ID)
    values = {f["field_id"]: f["values"] for f in lead["custom_fields_values"]}
    assert values[SOURCE_FIELD] == [{"value": "asd"}]
    assert [v["enum_id"] for v in values[PRODUCT_FIELD]] == [BASIC]
    assert [v["enum_id"] for v in values[CHANNELS_FIELD]] == [EMAIL_CHANNEL, CHAT_CHANNEL]
    assert [c["id"] for c in lead["_embedded"]["contacts"]] == [contact]
    assert [n["params"]["text"].splitlines()[0] for n in lead_notes(stack, lead["id"])] == [
        "4444"]
    (link,) = links_of(stack, ticket)
    assert link["refs"] == {"usedesk": ticket, "amocrm": str(lead["id"])}
    stored = [e["id"] for e in stack.events("ticket-deals")
              if e["idempotency_key"] == f"deal-request:{ticket}"]
    assert stored == [first.json()["event"]]  # the repeat was never stored as an event


def test_ids_given_as_text_as_placeholders_fill_them_are_taken(stack):
    ticket = new_ticket(stack, "Olga Text", "olga.text@example.org")
    body = seed_body(ticket)
    body["fields"].update(pipeline_id=str(PIPELINE_ID), status_id=str(FIRST_STATUS_ID),
                          responsible_user_id=str(ADMIN_ID), price="15000")
    answer = httpx.post(request_url(stack, "ticket-deals"), json=body)
    assert answer.status_code == 202, answer.text
    event = finished(stack, "ticket-deals", answer.json()["event"])
    assert event["status"] == "succeeded", event["last_error"]
    (link,) = links_of(stack, ticket)
    lead = next(lead for lead in leads(stack) if str(lead["id"]) == link["refs"]["amocrm"])
    assert lead["price"] == 15000 and lead["status_id"] == FIRST_STATUS_ID


def _without(body: dict, key: str) -> dict:
    body["fields"].pop(key)
    return body


def _custom(body: dict, index: int, **changes) -> dict:
    body["fields"]["custom_fields_values"][index].update(changes)
    return body


BAD_BODIES = {
    "unknown custom field": (
        lambda b: _custom(b, 0, field_id=1025541),
        "fields.custom_fields_values.0.field_id", "no deal field 1025541"),
    "missing pipeline": (
        lambda b: _without(b, "pipeline_id"), "fields.pipeline_id", "Field required"),
    "unknown pipeline": (
        lambda b: {**b, "fields": {**b["fields"], "pipeline_id": 6516490}},
        "fields.pipeline_id", "no pipeline 6516490"),
    "status of no pipeline of ours": (
        lambda b: {**b, "fields": {**b["fields"], "status_id": 55524250}},
        "fields.status_id", "has no status 55524250"),
    "unknown user": (
        lambda b: {**b, "fields": {**b["fields"], "responsible_user_id": 9311182}},
        "fields.responsible_user_id", "no user 9311182"),
    "unknown choice": (
        lambda b: _custom(b, 2, values=[{"enum_id": EMAIL_CHANNEL}, {"enum_id": 999}]),
        "fields.custom_fields_values.2.values.1.enum_id", "no choice 999"),
    "value and enum_id at once": (
        lambda b: _custom(b, 1, values=[{"value": "x", "enum_id": BASIC}]),
        "fields.custom_fields_values.1.values.0", "either value or enum_id"),
    "unknown key in fields": (
        lambda b: {**b, "fields": {**b["fields"], "budget": 5}}, "fields.budget",
        "Extra inputs"),
    "negative price": (
        lambda b: {**b, "fields": {**b["fields"], "price": -1}}, "fields.price",
        "greater than or equal to 0"),
    "placeholder left unfilled": (
        lambda b: {**b, "ticketId": "{{ticket_id}}"}, "ticketId", "did not fill in"),
    "no ticket": (
        lambda b: {k: v for k, v in b.items() if k != "ticketId"}, "ticketId",
        "Field required"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_input_is_refused_with_422_naming_the_field_and_creates_nothing(stack, case):
    change, field, words = BAD_BODIES[case]
    ticket = new_ticket(stack, "Bad Input", f"bad.{len(case)}.{abs(hash(case))}@example.org")
    before = len(leads(stack))
    answer = httpx.post(request_url(stack, "ticket-deals"),
                        json=change(copy.deepcopy(seed_body(ticket))))
    assert answer.status_code == 422, answer.text
    problems = {p["field"]: p["message"] for p in answer.json()["fields"]}
    assert field in problems, problems
    assert words in problems[field]
    rejected = stack.events("ticket-deals", status="rejected")
    assert any(field in (e["last_error"] or "") for e in rejected)
    assert len(leads(stack)) == before
    assert links_of(stack, ticket) == []


@pytest.mark.parametrize(("body", "content_type", "words"), [
    (b"{not json", "application/json", "JSON"),
    (b"[1, 2]", "application/json", "JSON object"),
])
def test_a_body_that_is_not_a_json_object_gets_400(stack, body, content_type, words):
    answer = httpx.post(request_url(stack, "ticket-deals"), content=body,
                        headers={"Content-Type": content_type})
    assert answer.status_code == 400
    assert words in answer.json()["error"]


def test_a_wrong_token_or_an_integration_without_requests_is_an_unknown_path(stack):
    url = request_url(stack, "ticket-deals")
    wrong = re.sub(r"/[^/]+$", "/not-the-token", url)
    assert httpx.post(wrong, json=seed_body("1")).status_code == 404
    elsewhere = url.replace("/ticket-deals/", "/no-such-integration/")
    assert httpx.post(elsewhere, json=seed_body("1")).status_code == 404


def test_what_the_crm_refuses_when_the_deal_is_created_is_a_dead_event_with_its_message(
        stack):
    """A list field given a text ``value`` instead of a choice passes the metadata check
    (some CRMs take a choice's text) and amoCRM refuses it with a validation error."""
    ticket = new_ticket(stack, "Refused Deal", "refused@example.org")
    body = _custom(seed_body(ticket), 1, values=[{"value": "Enterprise"}])
    answer = httpx.post(request_url(stack, "ticket-deals"), json=body)
    assert answer.status_code == 202, answer.text
    event = finished(stack, "ticket-deals", answer.json()["event"])
    assert event["status"] == "dead"
    assert "custom_fields_values.1.values.0.enum_id" in event["last_error"]
    assert "This value should not be blank." in event["last_error"]
    assert links_of(stack, ticket) == []


def test_a_crm_outage_is_retried_and_still_makes_one_deal(stack):
    ticket = new_ticket(stack, "Retry Later", "retry.later@example.org")
    before = {lead["id"] for lead in leads(stack)}
    with stack.sandbox("amocrm") as amocrm:
        amocrm.post("/_sandbox/faults", json={"status": 503, "count": 2,
                                              "path": "/api/v4/leads", "method": "POST"}
                    ).raise_for_status()
    answer = httpx.post(request_url(stack, "ticket-deals"), json=seed_body(ticket))
    assert answer.status_code == 202, answer.text
    event = finished(stack, "ticket-deals", answer.json()["event"])
    assert event["status"] == "succeeded", event["last_error"]
    assert event["attempts"] >= 3
    assert len([lead for lead in leads(stack) if lead["id"] not in before]) == 1


def test_pontes_hooks_prints_the_url_and_a_body_that_works_once_its_placeholder_is_filled(
        stack):
    result = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "hooks", "--config", str(stack.config_path)],
        env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    url = request_url(stack, "ticket-deals")
    out = result.stdout
    section = out[out.index(f"POST {url}"):]
    text = section[section.index("{"):]
    body, _end = json.JSONDecoder().raw_decode(text.replace("\n    ", "\n"))
    assert body["ticketId"] == "{{ticket_id}}"
    assert body["fields"]["pipeline_id"] == PIPELINE_ID
    required = {f["field_id"] for f in body["fields"]["custom_fields_values"]}
    assert PRODUCT_FIELD in required  # amoCRM requires it in the Negotiation status
    ticket = new_ticket(stack, "Pasted Example", "pasted@example.org")
    answer = httpx.post(url, json={**body, "ticketId": ticket})
    assert answer.status_code == 202, answer.text
    event = finished(stack, "ticket-deals", answer.json()["event"])
    assert event["status"] == "succeeded", event["last_error"]


def test_the_same_request_makes_a_ploomes_deal_with_its_note(stack):
    """Ploomes keeps a note on a deal's client, so the client is in Ploomes already."""
    ticket = new_ticket(stack, "Maria Souza", "maria.ploomes@example.org")
    (maria,) = ploomes_insert(stack, "Contacts", [{"Name": "Maria Souza", "TypeId": 2,
                                                   "Email": "maria.ploomes@example.org"}])
    body = {"ticketId": ticket, "fields": {
        "name": "Upgrade", "price": 2500, "pipeline_id": PLOOMES_SALES,
        "status_id": PLOOMES_FIRST_STAGE,
        "custom_fields_values": [{"field_id": PLOOMES_CHANNEL_FIELD,
                                  "values": [{"value": "support"}]}]},
        "comment": "Asked for the Pro plan"}
    url = request_url(stack, "ticket-deals-ploomes")
    with stack.sandbox("ploomes") as ploomes:
        deals_before = {d["Id"] for d in ploomes.get("/_sandbox/ploomes/records/Deals").json()}

    first = httpx.post(url, json=body)
    again = httpx.post(url, json=body)
    wrong = httpx.post(url, json={**body, "ticketId": "x1",
                                  "fields": {**body["fields"], "pipeline_id": PIPELINE_ID}})

    assert first.status_code == 202 and again.json()["status"] == "duplicate"
    assert wrong.status_code == 422
    assert [p["field"] for p in wrong.json()["fields"]] == ["fields.pipeline_id"]
    event = finished(stack, "ticket-deals-ploomes", first.json()["event"])
    assert event["status"] == "succeeded", event["last_error"]
    with stack.sandbox("ploomes") as ploomes:
        deals = [d for d in ploomes.get("/_sandbox/ploomes/records/Deals").json()
                 if d["Id"] not in deals_before]
        records = ploomes.get("/_sandbox/ploomes/records/InteractionRecords").json()
    (deal,) = deals
    assert (deal["Title"], deal["Amount"], deal["PipelineId"], deal["StageId"],
            deal["ContactId"]) == ("Upgrade", 2500, PLOOMES_SALES, PLOOMES_FIRST_STAGE, maria)
    assert "support" in [p.get("StringValue") for p in deal.get("OtherProperties") or []
                         if p.get("FieldKey") == PLOOMES_CHANNEL_FIELD]
    assert [r for r in records if r.get("DealId") == deal["Id"]
            and "Asked for the Pro plan" in r["Content"]]


def test_a_usedesk_rule_that_runs_on_every_change_makes_one_deal(stack):
    """The Usedesk sandbox's own rule posts the request, its placeholder filled, each time
    the ticket changes: the first makes the deal, the second is answered as a repeat."""
    ticket = new_ticket(stack, "Rule Runner", "rule.runner@example.org")
    token = stack.runtime.connections["usedesk"].settings.api_token.get_secret_value()
    before = {lead["id"] for lead in leads(stack)}
    with stack.sandbox("usedesk") as usedesk:
        usedesk.post("/_sandbox/rules", json={
            "name": "deal", "on": "ticket_changed", "url": request_url(stack, "ticket-deals"),
            "data": seed_body("{{ticket_id}}"), "headers": []}).raise_for_status()
        sent = len(usedesk.get("/_sandbox/deliveries").json())
        try:
            for change in ({"priority": "urgent"}, {"tag": "upgrade"}):
                usedesk.post("/update/ticket", json={"api_token": token, "ticket_id": ticket,
                                                     **change}).raise_for_status()
            posted = usedesk.get("/_sandbox/deliveries").json()[sent:]
        finally:
            usedesk.delete("/_sandbox/rules").raise_for_status()
    assert [(d["status"], json.loads(d["answer"])["status"]) for d in posted] == [
        (202, "accepted"), (200, "duplicate")]
    event = finished(stack, "ticket-deals", json.loads(posted[0]["answer"])["event"])
    assert event["status"] == "succeeded", event["last_error"]
    assert len([lead for lead in leads(stack) if lead["id"] not in before]) == 1
    (link,) = links_of(stack, ticket)
    assert link["refs"]["usedesk"] == ticket


def test_on_postgresql_a_request_runs_through_the_job_queue_once(tmp_path):
    """With a PostgreSQL store the stored request is a Procrastinate job (skipped unless
    ``PONTES_TEST_POSTGRES_URL`` is set)."""
    admin_url = require_postgres(postgres_admin_url())
    with fresh_postgres_database(admin_url, "pontes_deal_requests") as store, \
            Stack.running(tmp_path, connections={"usedesk": ("usedesk", {}),
                                                 "amocrm": ("amocrm", {})},
                          integrations={"ticket-deals": INTEGRATIONS["ticket-deals"]},
                          store=store, server_env=FAST_RETRIES) as stack:
        url = request_url(stack, "ticket-deals")
        body = seed_body("153341111")
        first, again = httpx.post(url, json=body), httpx.post(url, json=body)
        assert (first.status_code, again.json()["status"]) == (202, "duplicate")
        event = finished(stack, "ticket-deals", first.json()["event"])
        assert event["status"] == "succeeded", event["last_error"]
        assert len(leads(stack)) == 1
