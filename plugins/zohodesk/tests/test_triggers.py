"""Zoho Desk's webhooks and ratings as events: webhooks registered through the plugin's
actions, changes made in the sandbox, the deliveries it sends parsed by the trigger and
their records loaded; the customer-happiness poll; deliveries that cannot be read."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pontes.plugin import InvalidPayload
from pontes.testing.webhooks import webhook_request

from pontes_zohodesk.actions.webhooks import SUBSCRIPTIONS
from pontes_zohodesk.sandbox.state import AGENT_ZUID, SUPPORT_ADDRESS
from pontes_zohodesk.triggers import parse_webhook, poll_happiness

pytestmark = pytest.mark.anyio


def events_of(bodies: list) -> list:
    return [event for body in bodies for event in parse_webhook(webhook_request(
        body, connection="desk"))]


async def test_every_change_reaches_the_trigger_as_its_events(desk, desk_connection, receiver):
    for event in SUBSCRIPTIONS:
        await desk_connection.call("webhook.register", {"event": event,
                                                        "url": receiver.url()})
    assert len(await desk_connection.call("webhook.list", {})) == len(SUBSCRIPTIONS)

    contact = desk.contact()
    desk.api("PATCH", f"/contacts/{contact['id']}", {"phone": "+14155550100"})
    account = desk.api("POST", "/accounts", {"accountName": "Acme"}).json()
    ticket = desk.ticket(contact["id"], description="<p>Broken</p>")
    desk.api("POST", f"/tickets/{ticket['id']}/sendReply", {
        "channel": "EMAIL", "fromEmailAddress": SUPPORT_ADDRESS, "to": "dana@example.com",
        "content": "On it"})
    desk.api("POST", f"/tickets/{ticket['id']}/comments",
             {"content": f"zsu[@user:{AGENT_ZUID}]zsu can you check?"})
    desk.control("/clock", {"advance": 25 * 3600})
    desk.deliveries()

    events = events_of(receiver.bodies())
    kinds = {event.type for event in events}
    assert kinds == {"contact.changed", "company.changed", "ticket.created", "ticket.changed",
                     "ticket.replied", "ticket.commented", "ticket.mentioned",
                     "ticket.overdue", "ticket.escalated"}
    keys = {event.idempotency_key for event in events}
    assert len(keys) < len(events), "one change sent to two webhooks is one event"
    about = {e.type: e.record_id for e in events}
    assert about["ticket.replied"] == about["ticket.overdue"] == ticket["id"]
    assert about["company.changed"] == account["id"]

    trigger = next(t for t in desk_connection.triggers if t.name == "webhook")
    overdue = next(e for e in events if e.type == "ticket.overdue")
    loaded = await trigger.load(desk_connection, overdue)
    assert loaded.custom["isOverDue"] is True and loaded.requester.last_name == "Ng"
    changed = next(e for e in events if e.type == "contact.changed")
    assert (await trigger.load(desk_connection, changed)).phones == ["+14155550100"]


async def test_removed_webhooks_stop_delivering(desk, desk_connection, receiver):
    info = await desk_connection.call("webhook.register", {"event": "contact.changed",
                                                           "url": receiver.url()})
    await desk_connection.call("webhook.remove", {"id": info.id})
    await desk_connection.call("webhook.remove", {"id": info.id})
    desk.contact()
    desk.deliveries()
    assert receiver.bodies() == []


def test_an_update_without_a_flag_turning_true_is_only_a_change():
    body = [{"eventType": "Ticket_Update", "orgId": "1", "eventTime": "1",
             "payload": {"id": "5", "isOverDue": True, "isEscalated": True,
                         "status": "Escalated", "modifiedTime": "2025-03-04T11:02:40.000Z"},
             "prevState": {"id": "5", "isOverDue": True, "isEscalated": True,
                           "status": "Escalated"}}]
    assert [e.type for e in events_of([body])] == ["ticket.changed"]


@pytest.mark.parametrize(("body", "reason"), [
    ({"eventType": "Ticket_Add"}, "JSON array"),
    ([{"eventType": "Ticket_Add"}], "payload"),
    ([{"eventType": "Ticket_Add", "payload": {"id": "../x"}}], "record id"),
    ([{"eventType": "Ticket_Thread_Add", "payload": {"id": "7"}}], "record id"),
    ([{"eventType": "Ticket_Comment_Add", "payload": {"id": "7", "ticketId": ["5"],
                                                      "content": [["zsu"]]}}], "record id"),
])
def test_deliveries_that_cannot_be_read_are_refused_with_the_reason(body, reason):
    with pytest.raises(InvalidPayload, match=reason):
        events_of([body])


async def test_new_ratings_are_polled_once_each(desk, desk_connection):
    ticket = desk.ticket(desk.contact()["id"])
    desk.control(f"/tickets/{ticket['id']}/rating", {"rating": "BAD"})
    first = await poll_happiness(desk_connection, None)
    assert first.events == [] and first.cursor

    desk.control(f"/tickets/{ticket['id']}/rating", {"rating": "GOOD", "feedback": "Quick"})
    second = await poll_happiness(desk_connection, first.cursor)
    [event] = second.events
    assert event.type == "ticket.rated" and event.record_id == ticket["id"]
    trigger = next(t for t in desk_connection.triggers if t.name == "happiness")
    rated = await trigger.load(desk_connection, event)
    assert rated.custom["rating"] == "GOOD" and rated.custom["rating_feedback"] == "Quick"

    third = await poll_happiness(desk_connection, second.cursor)
    assert third.events == [] and third.cursor == second.cursor


async def test_an_edited_comment_is_commented_and_mentions_only_whom_it_adds(
        desk, desk_connection, receiver):
    await desk_connection.call("webhook.register", {"event": "ticket.mentioned",
                                                    "url": receiver.url()})
    ticket = desk.ticket(desk.contact()["id"])
    comment = desk.api("POST", f"/tickets/{ticket['id']}/comments",
                       {"content": f"zsu[@user:{AGENT_ZUID}]zsu look"}).json()
    path = f"/tickets/{ticket['id']}/comments/{comment['id']}"
    desk.api("PATCH", path, {"content": f"zsu[@user:{AGENT_ZUID}]zsu look again"})
    desk.api("PATCH", path, {"content": f"zsu[@user:{AGENT_ZUID}]zsu zsu[@user:42]zsu"})
    assert desk.api("PATCH", path, {"isPublic": True}).status_code == 422
    desk.deliveries()
    kinds = [[e.type for e in events_of([body])] for body in receiver.bodies()]
    assert kinds == [["ticket.commented", "ticket.mentioned"], ["ticket.commented"],
                     ["ticket.commented", "ticket.mentioned"]]



JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8)


@st.composite
def mangled_deliveries(draw) -> list:
    """A delivery shaped like Zoho Desk's with any field of an item given any JSON value."""
    event = draw(st.sampled_from(["Ticket_Add", "Ticket_Update", "Ticket_Thread_Add",
                                  "Ticket_Comment_Add", "Ticket_Comment_Update",
                                  "Contact_Update", "Account_Add", "Task_Add"]))
    payload = {"id": "900000000000100033", "ticketId": "900000000000100033",
               "content": "zsu[@user:1]zsu", "status": "Escalated", "isOverDue": True,
               "isEscalated": True, "modifiedTime": "2025-03-04T11:02:40.000Z"}
    item = {"eventType": event, "orgId": "1", "eventTime": "1", "payload": payload,
            "prevState": dict(payload)}
    for key in draw(st.lists(st.sampled_from(sorted(payload)), max_size=3)):
        payload[key] = draw(JSON_VALUES)
    for key in draw(st.lists(st.sampled_from(sorted(item)), max_size=2)):
        item[key] = draw(JSON_VALUES)
    return [item]


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(mangled_deliveries(), JSON_VALUES))
def test_any_delivery_parses_or_is_refused_with_a_reason(body):
    try:
        events = events_of([body])
    except InvalidPayload:
        return
    assert all(e.record_id.isdigit() and e.idempotency_key for e in events)
