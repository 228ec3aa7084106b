"""Bodies and clients that once crashed or held the server, against the demo installation.

Every webhook body is stored, whatever it is: bodies no trigger can read, and bodies a
trigger crashes on, are stored as rejected and answered 400 with the reason (never 5xx,
which vendors retry forever); deliveries with no event a recipe uses are acknowledged and
stored as ignored. Slow clients are cut off, and the actions endpoint answers bad input
with a 4xx.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from pontes_demo import steps
from pontes_demo.installation import demo_stack
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow

SLOW_CLIENT_SECONDS = 1
HELPDESK = ("support-history", "helpdesk")
CRM = ("deal-ticket", "crm")
CHAT = ("chat-leads", "chat")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator:
    env = {"PONTES_RUN_EVENTS": "false", "PONTES_POLL": "false",
           "PONTES_HEADER_TIMEOUT": str(SLOW_CLIENT_SECONDS),
           "PONTES_BODY_TIMEOUT": str(SLOW_CLIENT_SECONDS)}
    with demo_stack(tmp_path_factory.mktemp("hostile"), server_env=env) as running:
        yield running


def post(stack, hook: tuple[str, str], body: bytes | str) -> httpx.Response:
    raw = body.encode() if isinstance(body, str) else body
    return httpx.post(stack.hook_url(*hook), content=raw, timeout=60,
                      headers={"content-type": "application/json"})


def newest_event(stack, integration: str) -> dict:
    """The newest event of ``integration``, with its body (the tests post one at a time)."""
    return stack.event(stack.events(integration)[-1]["id"])


def nested(depth: int) -> str:
    return '{"Id": 5, "deep": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [256, 300, 100_000])
def test_deeply_nested_json_is_stored_as_rejected_with_a_400(stack, depth):
    answer = post(stack, HELPDESK, nested(depth))

    assert answer.status_code == 400
    assert answer.json()["error"] == "JSON nested deeper than 64 levels"
    event = newest_event(stack, HELPDESK[0])
    assert event["status"] == "rejected" and event["last_error"] == answer.json()["error"]
    assert event["body"] == nested(depth)  # the raw body is kept, byte for byte


@pytest.mark.parametrize(("hook", "body", "reason"), [
    (HELPDESK, '{"Id": "²"}', "ticket_webhook: Movidesk webhook field 'id' is not a ticket "
                              "number: '²'"),
    (HELPDESK, '{"Id": "⑨"}', "ticket_webhook: Movidesk webhook field 'id' is not a ticket "
                              "number: '⑨'"),
    (HELPDESK, '{"Id": "' + "9" * 4301 + '"}', "ticket_webhook: Movidesk webhook field 'id' "
                                               "is not a ticket number: '9999"),
    (HELPDESK, '{"Id": ' + "9" * 4301 + "}", "a number has 4301 digits; at most 4300 are "
                                             "accepted"),
    (HELPDESK, '{"Id": 7, "lastUpdate": "0001-01-01T00:00:00+05:00"}',
     "ticket_webhook: Movidesk webhook field 'lastUpdate' is out of range once in UTC"),
    (HELPDESK, '{"Id": 7, "lastUpdate": "9999-12-31T23:59:59-05:00"}',
     "ticket_webhook: Movidesk webhook field 'lastUpdate' is out of range once in UTC"),
    (HELPDESK, '{"Id": 7, "subject": "\\ud800"}',
     "JSON text holds a lone surrogate (\\ud800), which is not Unicode"),
    (CRM, '{"Entity": "Deals", "Action": "²", "ResourceId": 5}',
     "webhook: Ploomes webhook 'Action' '²' is not a known action"),
    (CRM, '{"Entity": "Deals", "Action": "Update", "ResourceId": "⑨"}',
     "webhook: Ploomes webhook names no record"),
    (CRM, '{"Entity": "Deals", "Action": "Win", "New": {"Id": 5, "LastUpdateDate": '
          '"9999-12-31T23:59:59-05:00"}}',
     "webhook: Ploomes webhook 'LastUpdateDate' is out of range once in UTC"),
    (CRM, '{"Entity": "Deals", "Action": "Update", "ResourceId": NaN}',
     "NaN is not a JSON number"),
    (CHAT, '{"event_name": []}', "webhooks: 'event_name' must be text, got list"),
])
def test_bodies_that_crashed_triggers_are_stored_as_rejected_with_a_400(stack, hook, body,
                                                                        reason):
    answer = post(stack, hook, body)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith(reason)
    event = newest_event(stack, hook[0])
    assert event["status"] == "rejected" and event["last_error"] == answer.json()["error"]
    assert event["body"] == body


def ignored_total(stack, integration: str) -> float:
    text = httpx.get(f"{stack.server_url}/metrics").text
    return next((s.value for family in text_string_to_metric_families(text)
                 for s in family.samples
                 if s.name == "pontes_events_ignored_total"
                 and s.labels["integration"] == integration), 0.0)


@pytest.mark.parametrize(("event", "reason"), [
    ("client_updated", "chat.client_updated is not used by recipe 'chat_to_crm'"),
    ("client_attribute_updated", "webhooks: the delivery carries no event pontes reads"),
])
def test_jivo_events_no_recipe_uses_are_acknowledged_and_stored_as_ignored(stack, event,
                                                                          reason):
    counted = ignored_total(stack, CHAT[0])

    outcome = steps.jivo_send(stack, CHAT[0], event)

    assert outcome["ok"], outcome  # Jivo got its {"result": "ok"}
    assert [a["status"] for a in outcome["attempts"]] == [200]
    stored = newest_event(stack, CHAT[0])
    assert stored["status"] == "ignored" and stored["last_error"] == reason
    assert json.loads(stored["body"]) == outcome["payload"]
    assert stored["attempt_log"] == []  # ignored events never run
    assert ignored_total(stack, CHAT[0]) == counted + 1


def raw_connection(stack) -> socket.socket:
    address = urlsplit(stack.server_url)
    connection = socket.create_connection((address.hostname, address.port))
    connection.settimeout(20 * SLOW_CLIENT_SECONDS)  # only a guard: the server closes first
    return connection


def read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(4096):
        received += chunk
    return received


def test_a_client_too_slow_with_its_headers_gets_408_and_the_connection_closes(stack):
    with raw_connection(stack) as connection:
        connection.sendall(b"POST /hooks/x/y HTTP/1.1\r\nHost: pontes\r\nContent-Ty")

        answer = read_all(connection)

    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert answer.endswith(b"the request headers did not arrive in time\n")


def test_a_client_that_sends_nothing_is_cut_off_too(stack):
    with raw_connection(stack) as connection:
        assert read_all(connection).startswith(b"HTTP/1.1 408 ")


def test_a_client_too_slow_with_its_body_gets_408_and_the_refusal_is_stored(stack):
    path = urlsplit(stack.hook_url(*HELPDESK)).path
    with raw_connection(stack) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: pontes\r\n"
                           "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                           '{"Id": 1'.encode())

        answer = read_all(connection)

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ") and b"connection: close" in head.lower()
    reason = f"body did not arrive within {SLOW_CLIENT_SECONDS} s"
    assert json.loads(body) == {"error": reason}
    event = newest_event(stack, HELPDESK[0])
    assert event["status"] == "rejected" and event["last_error"] == reason


@pytest.fixture(scope="module")
def ploomes_action(stack):
    token = stack.admin("GET", "/connections/ploomes/action-token")["token"]

    def call(action: str, body: bytes) -> httpx.Response:
        return httpx.post(f"{stack.server_url}/actions/ploomes/{action}", content=body,
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)

    return call


def test_an_action_body_nested_5000_deep_is_a_400(ploomes_action):
    answer = ploomes_action("deal.get", b'{"id": ' + b"[" * 5000 + b"]" * 5000 + b"}")

    assert answer.status_code == 400
    assert answer.json() == {"error": "JSON nested deeper than 64 levels"}


@pytest.mark.parametrize("action", ["deal.get", "contact.get", "deal.finish"])
def test_an_action_given_an_id_that_is_no_id_is_a_422(ploomes_action, action):
    answer = ploomes_action(action, json.dumps({"id": "1) or (1 eq 1"}).encode())

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "the action refused the input"
    assert "must be a Ploomes id (an integer), got '1) or (1 eq 1'" in answer.json()["message"]
