"""The Tickets tab's signals: told by an automation's body, and by the signal poll."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from pontes.plugin import WebhookRequest
from pontes_movidesk.connector import webhook_setup
from pontes_movidesk.signal_poll import poll_signals
from pontes_movidesk.triggers import parse_webhook

pytestmark = pytest.mark.anyio

CLIENT = {"id": "cli-carla"}


def delivery(body, connection: str = "movidesk") -> WebhookRequest:
    raw = json.dumps(body).encode()
    return WebhookRequest(connection=connection, headers={"content-type": "application/json"},
                          query={}, body=raw, data=body, content_type="application/json")


def kinds(events) -> list[tuple[str, str]]:
    return [(e.type, e.idempotency_key) for e in events]


def new_ticket(sandbox, subject: str) -> int:
    answer = sandbox.call("POST", "/tickets", json={
        "type": 2, "subject": subject, "createdBy": CLIENT, "clients": [CLIENT],
        "actions": [{"type": 2, "description": "Não consigo acessar."}]})
    return int(answer.json()["id"])


async def test_the_delivery_of_a_creation_is_a_new_ticket_keyed_as_its_version(sandbox,
                                                                              receiver):
    sandbox.control("POST", "/automations", {"url": receiver.url()})
    ticket_id = new_ticket(sandbox, "Acesso bloqueado")
    sandbox.control("GET", "/deliveries")
    [body] = receiver.bodies()
    changed, created = parse_webhook(delivery(body))
    assert changed.type == "ticket.changed" and created.type == "ticket.created"
    assert created.record_id == str(ticket_id)
    assert created.idempotency_key == changed.idempotency_key
    version = datetime.fromisoformat(body["LastUpdate"]).replace(tzinfo=UTC)
    assert created.idempotency_key == \
        f"ticket:{ticket_id}@{version.isoformat(timespec='microseconds')}"


async def test_delivered_actions_are_replies_and_comments(sandbox, receiver):
    ticket_id = new_ticket(sandbox, "Boleto")
    sandbox.control("POST", "/clock", {"advance_seconds": 120})
    sandbox.control("POST", "/automations", {"url": receiver.url()})
    sandbox.call("PATCH", "/tickets", id=ticket_id,
                 json={"actions": [{"type": 2, "description": "Segue a segunda via."}]})
    sandbox.call("PATCH", "/tickets", id=ticket_id,
                 json={"actions": [{"type": 1, "description": "Cliente ligou."}]})
    sandbox.control("GET", "/deliveries")
    first, second = receiver.bodies()
    assert parse_webhook(delivery(first))[0].type == "ticket.changed"
    assert kinds(parse_webhook(delivery(first)))[1:] == [
        ("ticket.replied", f"ticket:{ticket_id}:action:2")]
    assert sorted(kinds(parse_webhook(delivery(second)))[1:]) == [
        ("ticket.commented", f"ticket:{ticket_id}:action:3"),
        ("ticket.replied", f"ticket:{ticket_id}:action:2")]


async def test_a_delivery_about_an_older_change_tells_no_signal(sandbox, receiver):
    sandbox.control("POST", "/automations", {"url": receiver.url(),
                                             "status_changed_to": "Resolvido"})
    sandbox.control("POST", "/tickets/1001/status", {"status": "Resolvido"})
    sandbox.control("GET", "/deliveries")
    [body] = receiver.bodies()
    assert [e.type for e in parse_webhook(delivery(body))] == ["ticket.changed"]


async def test_a_delivery_naming_only_the_ticket_tells_no_signal():
    assert [e.type for e in parse_webhook(delivery({"Id": 7}))] == ["ticket.changed"]


async def test_the_poll_tells_new_actions_once_each_and_leaves_new_tickets_out(connect,
                                                                               sandbox):
    conn = connect(sandbox, poll_lookback_hours=0, poll_overlap_seconds=3600)
    first = await poll_signals(conn, None)
    ticket_id = new_ticket(sandbox, "Nota fiscal")
    sandbox.call("PATCH", "/tickets", id=1002,
                 json={"actions": [{"type": 1, "description": "Ver com o financeiro."}]})
    sandbox.call("PATCH", "/tickets", id=ticket_id,
                 json={"actions": [{"type": 2, "description": "Qual o número da nota?"}]})
    found = await poll_signals(conn, first.cursor)
    assert sorted(kinds(found.events)) == [
        ("ticket.commented", "ticket:1002:action:2"),
        ("ticket.replied", f"ticket:{ticket_id}:action:2")]
    again = await poll_signals(conn, found.cursor)
    assert sorted(kinds(again.events)) == sorted(kinds(found.events))


async def test_the_poll_tells_an_open_ticket_past_its_solution_time(connect, sandbox):
    conn = connect(sandbox, poll_lookback_hours=1, poll_overlap_seconds=0)
    due = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for ticket_id in (1001, 1003):
        sandbox.call("PATCH", "/tickets", id=ticket_id, json={"slaSolutionDate": due})
    found = await poll_signals(conn, None)
    [overdue] = [e for e in found.events if e.type == "ticket.overdue"]
    assert overdue.record_id == "1001" and overdue.entity_key == "ticket:1001"
    assert overdue.idempotency_key.startswith("ticket:1001:overdue@")


def test_the_setup_steps_ask_for_a_trigger_on_every_change_for_the_tabs_signals():
    tab = webhook_setup(("ticket.created", "ticket.replied", "ticket.commented"), "https://x")
    assert "whenever a ticket is created or changed" in tab and "Alterado para" not in tab
    history = webhook_setup(("ticket.changed", "ticket.created"), "https://x")
    assert '"Ticket: Status" "Alterado para" "Resolvido"' in history


async def test_a_poll_that_could_not_read_every_change_resumes_after_the_last_it_read(
        connect, sandbox):
    for number in range(3):
        new_ticket(sandbox, f"Chamado {number}")
    conn = connect(sandbox, poll_lookback_hours=48, poll_overlap_seconds=0, page_size=1)
    capped = await poll_signals(conn, None)
    queries = [parse_qs(r["query"]) for r in sandbox.control("GET", "/requests")]
    assert [q["$orderby"] for q in queries if "$orderby" in q].count(["lastUpdate asc"]) == 5
    stored = sorted(t["lastUpdate"] for t in sandbox.control("GET", "/state")["tickets"]
                    if t["id"] != 1004)
    assert capped.cursor.startswith(stored[4][:19])
    whole = await poll_signals(connect(sandbox, poll_lookback_hours=48,
                                       poll_overlap_seconds=0), None)
    assert whole.cursor > capped.cursor
