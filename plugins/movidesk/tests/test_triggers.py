"""The webhook trigger (parse and load) and the lastUpdate poller."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from pontes.connector import PollingTrigger, WebhookTrigger
from pontes.plugin import InvalidPayload, PermanentFailure, TicketStatus, WebhookRequest
from pontes_movidesk.triggers import parse_webhook, poll_tickets

from .conftest import FAST, Sandbox

pytestmark = pytest.mark.anyio


def delivery(body, connection: str = "movidesk") -> WebhookRequest:
    raw = json.dumps(body).encode()
    return WebhookRequest(connection=connection, headers={"content-type": "application/json"},
                          query={}, body=raw, data=body, content_type="application/json")


@pytest.mark.parametrize("body, ticket_id", [
    ({"Id": 717525}, 717525),
    ({"id": 42, "subject": "x"}, 42),
    ({"ID": "7"}, 7),
    ({"TicketId": 15}, 15),
    ({"Ticket": {"Id": 3, "Subject": "nested"}}, 3),
    ({"Id": 1001, "Subject": "Erro", "BaseStatus": "Resolved", "Status": "Resolvido",
      "LastUpdate": "2025-03-12T16:00:01.2330000", "Clients": [{"Id": "cli-maria"}]}, 1001),
])
async def test_parse_takes_the_ticket_id_in_any_casing(body, ticket_id):
    [event] = parse_webhook(delivery(body, "helpdesk"))
    assert event.type == "ticket.changed" and event.connection == "helpdesk"
    assert event.record_id == str(ticket_id)
    assert event.entity_key == f"ticket:{ticket_id}"
    assert event.idempotency_key.startswith(f"ticket:{ticket_id}")
    assert event.payload == body


@pytest.mark.parametrize("body, reason", [
    ({"Subject": "sem id"}, "no ticket id"),
    ({}, "no ticket id"),
    ({"Id": "abc"}, "not a ticket number"),
    ({"Id": None}, "not a ticket number"),
    ({"Id": -5}, "not a ticket number"),
    ({"Id": True}, "not a ticket number"),
    ([{"Id": 1}], "JSON object"),
    ("1001", "JSON object"),
])
async def test_parse_rejects_bodies_without_a_ticket_id(body, reason):
    with pytest.raises(InvalidPayload, match=reason):
        parse_webhook(delivery(body))


async def test_a_repeated_delivery_is_one_event_and_a_new_change_another():
    first = parse_webhook(delivery({"Id": 9, "Status": "Resolvido"}))[0]
    again = parse_webhook(delivery({"Status": "Resolvido", "Id": 9}))[0]
    other = parse_webhook(delivery({"Id": 9, "Status": "Fechado"}))[0]
    assert first.idempotency_key == again.idempotency_key
    assert first.idempotency_key != other.idempotency_key
    assert first.entity_key == other.entity_key


async def test_the_key_follows_last_update_so_a_poll_of_the_same_change_matches():
    plain = parse_webhook(delivery({"Id": 9, "LastUpdate": "2025-03-12T16:00:01.2330000"}))[0]
    zulu = parse_webhook(delivery({"id": 9, "lastUpdate": "2025-03-12T16:00:01.233Z",
                                   "status": "Resolvido"}))[0]
    assert plain.idempotency_key == zulu.idempotency_key == "ticket:9@2025-03-12T16:00:01.233000+00:00"
    assert plain.occurred_at == datetime(2025, 3, 12, 16, 0, 1, 233000, tzinfo=UTC)


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
async def test_a_last_update_out_of_range_in_utc_makes_the_body_invalid(stamp):
    with pytest.raises(InvalidPayload, match="'lastUpdate' is out of range once in UTC"):
        parse_webhook(delivery({"Id": 9, "lastUpdate": stamp}))


async def test_an_unreadable_last_update_reads_as_no_date():
    [event] = parse_webhook(delivery({"Id": 9, "lastUpdate": "yesterday"}))
    assert event.record_id == "9"
    assert event.idempotency_key.startswith("ticket:9#")  # a digest of the body


async def test_triggers_are_registered(pontes_registry):
    triggers = {t.name: t for t in pontes_registry.triggers["movidesk"]}
    assert {name: type(t) for name, t in triggers.items()} == {
        "ticket_webhook": WebhookTrigger, "ticket_poll": PollingTrigger,
        "person_poll": PollingTrigger, "signal_poll": PollingTrigger,
        "rating_poll": PollingTrigger}
    assert triggers["ticket_webhook"].events == (
        "ticket.changed", "ticket.created", "ticket.replied", "ticket.commented")
    assert triggers["ticket_poll"].events == ("ticket.changed",)
    assert triggers["signal_poll"].events == (
        "ticket.replied", "ticket.commented", "ticket.overdue")
    assert triggers["person_poll"].events == ("contact.changed", "company.changed")


async def test_load_reads_the_ticket_from_movidesk(conn, pontes_registry):
    [webhook] = pontes_registry.webhook_triggers("movidesk")
    [event] = webhook.parse(delivery({"Id": 1003, "Status": "stale hint"}, conn.name))
    ticket = await webhook.load(conn, event)
    assert ticket.ref(conn.name) == "1003"
    assert ticket.vendor_status == "Resolvido" and ticket.status is TicketStatus.solved


async def test_a_ticket_movidesk_does_not_have_is_a_permanent_failure(conn, sandbox,
                                                                     pontes_registry):
    [webhook] = pontes_registry.webhook_triggers("movidesk")
    [event] = webhook.parse(delivery({"Id": 9}, conn.name))
    with pytest.raises(PermanentFailure, match="Movidesk has no ticket 9") as failure:
        await webhook.load(conn, event)
    assert not failure.value.retriable
    answered = [(r["path"], r["status"]) for r in sandbox.control("GET", "/requests")]
    assert answered == [("/public/v1/tickets", 404), ("/public/v1/tickets/past", 404)]


async def test_an_agent_resolving_a_ticket_reaches_the_trigger(conn, sandbox, receiver, pontes_registry):
    sandbox.control("POST", "/automations", {"url": receiver.url(),
                                             "status_changed_to": "Resolvido"})
    sandbox.control("POST", "/tickets/1001/status", {"status": "Resolvido", "agent_id": "agent-ana"})
    sandbox.control("GET", "/deliveries")
    [body] = receiver.bodies()
    [webhook] = pontes_registry.webhook_triggers("movidesk")
    [event] = webhook.parse(delivery(body, conn.name))
    ticket = await webhook.load(conn, event)
    assert ticket.status is TicketStatus.solved and ticket.resolved_at is not None
    assert event.idempotency_key == f"ticket:1001@{ticket.updated_at.isoformat(timespec='microseconds')}"


# --- polling --------------------------------------------------------------------------


async def test_first_poll_looks_back_and_orders_by_last_update(connect, sandbox):
    conn = connect(sandbox, poll_lookback_hours=48)
    result = await poll_tickets(conn, None)
    assert [e.record_id for e in result.events] == ["1003", "1002", "1001"]
    assert [e.entity_key for e in result.events] == ["ticket:1003", "ticket:1002", "ticket:1001"]
    newest = max(e.occurred_at for e in result.events)
    assert result.cursor == newest.isoformat(timespec="microseconds")
    query = parse_qs([r["query"] for r in sandbox.control("GET", "/requests")][-1])
    assert query["$filter"][0].startswith("lastUpdate ge ")
    assert query["$orderby"] == ["lastUpdate asc"]
    assert "lastUpdate" in query["$select"][0].split(",")


async def test_poll_with_cursor_finds_only_later_changes(connect, sandbox):
    conn = connect(sandbox, poll_lookback_hours=48, poll_overlap_seconds=0)
    first = await poll_tickets(conn, None)
    quiet = await poll_tickets(conn, first.cursor)
    assert [e.record_id for e in quiet.events] == ["1001"]
    assert quiet.events[0].idempotency_key == first.events[-1].idempotency_key
    assert quiet.cursor == first.cursor

    sandbox.control("POST", "/clock", {"advance_seconds": 1})
    sandbox.call("PATCH", "/tickets", id=1002, json={"urgency": "Alta"})
    changed = await poll_tickets(conn, quiet.cursor)
    assert [e.record_id for e in changed.events] == ["1001", "1002"]
    assert changed.cursor > quiet.cursor
    [event_1002] = [e for e in changed.events if e.record_id == "1002"]
    assert event_1002.idempotency_key not in {e.idempotency_key for e in first.events}


async def test_poll_overlap_repeats_recent_changes_with_the_same_keys(connect, sandbox):
    conn = connect(sandbox, poll_lookback_hours=48, poll_overlap_seconds=6 * 3600)
    first = await poll_tickets(conn, None)
    second = await poll_tickets(conn, first.cursor)
    assert [e.idempotency_key for e in second.events] == \
        [e.idempotency_key for e in first.events if e.record_id in ("1001", "1002")]


async def test_poll_pages_through_many_changes(connect, sandbox):
    now = datetime.now(UTC)
    tickets = [{"id": 3000 + n, "subject": f"Lote {n}", "createdBy": {"id": "cli-carla"},
                "lastUpdate": (now - timedelta(minutes=n)).isoformat()} for n in range(7)]
    sandbox.control("POST", "/seed", {"tickets": tickets})
    conn = connect(sandbox, poll_lookback_hours=2, page_size=3)
    result = await poll_tickets(conn, None)
    assert [e.record_id for e in result.events] == [str(3000 + n) for n in range(6, -1, -1)]
    polls = [r for r in sandbox.control("GET", "/requests") if r["method"] == "GET"]
    assert len(polls) == 4


async def test_poll_goes_on_after_a_page_shorter_than_asked_for(connect):
    short = Sandbox(requests_per_minute=FAST, max_page_size=2)
    try:
        now = datetime.now(UTC)
        short.control("POST", "/seed", {"tickets": [
            {"id": 3000 + n, "subject": f"Lote {n}", "createdBy": {"id": "cli-carla"},
             "lastUpdate": (now - timedelta(minutes=n)).isoformat()} for n in range(5)]})
        result = await poll_tickets(connect(short, poll_lookback_hours=2, page_size=3), None)
        assert [e.record_id for e in result.events] == [str(3000 + n) for n in range(4, -1, -1)]
        assert [q["$top"] for q in _list_queries(short)] == [["3"]] * 4
    finally:
        short.stop()


def _list_queries(sandbox) -> list[dict[str, list[str]]]:
    queries = [parse_qs(r["query"]) for r in sandbox.control("GET", "/requests")
               if r["method"] == "GET"]
    return [q for q in queries if "$select" in q]


async def test_polling_trigger_loads_tickets(conn, pontes_registry):
    [poller] = [t for t in pontes_registry.polling_triggers("movidesk")
                if t.name == "ticket_poll"]
    result = await poller.poll(conn, None)
    ticket = await poller.load(conn, result.events[-1])
    assert ticket.ref(conn.name) == result.events[-1].record_id
