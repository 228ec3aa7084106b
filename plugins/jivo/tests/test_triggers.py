"""Parsing Jivo Webhooks API deliveries into events."""

from __future__ import annotations

import json

import pytest
from pontes.plugin import InvalidPayload
from pontes.testing import webhook_request
from pontes_jivo.connector import kit
from pontes_jivo.sandbox.events import flip_ids
from pontes_jivo.triggers import ACK, EVENT_TYPES, parse_webhook

EXPECTED_TYPES = {
    "chat_finished": "chat.finished",
    "chat_accepted": "chat.accepted",
    "chat_updated": "chat.updated",
    "offline_message": "chat.offline_message",
    "client_updated": "chat.client_updated",
    "call_event": "call.event",
}

EXPECTED_RECORD = {
    "chat_finished": "7607", "chat_accepted": "7636", "chat_updated": "7507",
    "offline_message": "2026", "client_updated": "2198", "call_event": "4398",
}


def parse_one(body, **kwargs):
    events = parse_webhook(webhook_request(body, connection="jivo", **kwargs))
    assert len(events) == 1
    return events[0]


def test_every_documented_event_is_covered(examples):
    assert set(examples) == set(EXPECTED_TYPES) == set(EVENT_TYPES)
    [trigger] = kit.triggers()
    assert set(trigger.events) == set(EXPECTED_TYPES.values())
    assert ACK.status == 200 and ACK.body == {"result": "ok"}


@pytest.mark.parametrize("id_types", ["examples", "flipped"])
@pytest.mark.parametrize("name", sorted(EXPECTED_TYPES))
def test_parses_each_event_with_either_id_types(examples, name, id_types):
    body = examples[name] if id_types == "examples" else flip_ids(examples[name])
    event = parse_one(body)
    assert event.type == EXPECTED_TYPES[name]
    assert event.connection == "jivo"
    assert event.record_id == EXPECTED_RECORD[name]
    assert event.payload == body
    assert event.idempotency_key.startswith(f"jivo:51234:{name}:")
    assert event.entity_key == "jivo:51234:client:2198"


@pytest.mark.parametrize("name", sorted(EXPECTED_TYPES))
def test_id_types_do_not_change_the_keys(examples, name):
    """A chat_finished with chat_id 7607 and one with "7607" are one event."""
    as_documented = parse_one(examples[name])
    flipped = parse_one(flip_ids(examples[name]))
    assert flipped.entity_key == as_documented.entity_key
    if name not in ("chat_updated", "client_updated"):
        assert flipped.idempotency_key == as_documented.idempotency_key


def test_the_same_delivery_twice_is_one_event(examples):
    for body in examples.values():
        first = parse_one(body)
        again = parse_one(json.loads(json.dumps(body, indent=4)))
        assert first.idempotency_key == again.idempotency_key
        assert first.id != again.id


def test_key_order_and_whitespace_do_not_matter(examples):
    body = examples["chat_updated"]
    reordered = dict(reversed(list(body.items())))
    assert parse_one(reordered).idempotency_key == parse_one(body).idempotency_key


def test_distinct_happenings_get_distinct_keys(examples):
    finished = parse_one(examples["chat_finished"])
    other_chat = parse_one({**examples["chat_finished"], "chat_id": 7608})
    assert finished.idempotency_key == "jivo:51234:chat_finished:7607"
    assert other_chat.idempotency_key != finished.idempotency_key

    accepted = parse_one(examples["chat_accepted"])
    transferred = parse_one({**examples["chat_accepted"],
                             "agent": {**examples["chat_accepted"]["agent"], "id": "2017"}})
    assert accepted.idempotency_key == "jivo:51234:chat_accepted:7636:2016"
    assert transferred.idempotency_key != accepted.idempotency_key

    updated = parse_one(examples["chat_updated"])
    changed = examples["chat_updated"]
    changed["visitor"]["phone"] = "+55 21 90000-0000"
    assert parse_one(changed).idempotency_key != updated.idempotency_key

    offline = parse_one(examples["offline_message"])
    assert offline.idempotency_key == "jivo:51234:offline_message:1665399500726"

    call = examples["call_event"]
    ended = parse_one(call)
    started = parse_one({**call, "call": {"type": "callback", "phone": "+5521998765432",
                                          "status": "start"}})
    assert ended.idempotency_key == "jivo:51234:call_event:4398:callback:end"
    assert started.idempotency_key == "jivo:51234:call_event:4398:callback:start"


def test_a_body_without_ids_is_keyed_by_its_digest(examples):
    body = examples["offline_message"]
    del body["offline_message_id"], body["chat_id"]
    body["visitor"].pop("number")
    event = parse_one(body)
    assert event.idempotency_key.startswith("jivo:51234:offline_message:")
    digest = event.idempotency_key.rsplit(":", 1)[1]
    assert len(digest) == 20
    assert event.entity_key == f"jivo:51234:body:{digest}"
    other = parse_one({**body, "message": "something else"})
    assert other.idempotency_key != event.idempotency_key


def test_without_a_client_number_the_entity_is_the_chat(examples):
    body = examples["chat_finished"]
    body["visitor"].pop("number")
    assert parse_one(body).entity_key == "jivo:51234:chat:7607"


def test_json_sent_with_another_content_type_is_still_read(examples):
    body = json.dumps(examples["chat_finished"]).encode()
    event = parse_one(body, content_type="text/plain")
    assert event.type == "chat.finished"


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty"),
    (b"<html>hi</html>", "not JSON"),
    ([1, 2], "JSON object"),
    ({"chat_id": 1, "visitor": {}}, "no 'event_name'"),
    ({"event_name": "chat_started", "widget_id": "1"}, "unknown Jivo event_name 'chat_started'"),
    ({"event_name": ["chat_finished"], "widget_id": "1"}, "'event_name' must be text, got list"),
    ({"event_type": "crm_deal", "event_name": "created_deal", "deal_id": 3},
     "CRM webhooks \\(event_type='crm_deal'\\)"),
])
def test_bodies_that_are_not_jivo_events_are_refused(body, reason):
    content_type = "text/html" if isinstance(body, bytes) else "application/json"
    with pytest.raises(InvalidPayload, match=reason):
        parse_webhook(webhook_request(body, content_type, connection="jivo"))


@pytest.mark.parametrize("name", ["client_attribute_updated", "chat_assigned"])
def test_jivo_events_pontes_does_not_read_give_no_event(name):
    body = {"event_name": name, "widget_id": "1", "client_id": 5, "attributes": {}}
    assert parse_webhook(webhook_request(body, connection="jivo")) == []


def test_crm_webhook_event_names_are_not_mistaken_for_chat_events():
    body = {"event_name": "updated_client", "client_id": 1}
    with pytest.raises(InvalidPayload, match="unknown Jivo event_name 'updated_client'"):
        parse_webhook(webhook_request(body))


@pytest.mark.parametrize(("name", "drop", "missing"), [
    ("chat_finished", "chat_id", "'chat_id'"),
    ("chat_finished", "chat", "'chat'"),
    ("chat_finished", "widget_id", "'widget_id'"),
    ("chat_accepted", "visitor", "'visitor'"),
    ("chat_updated", "chat_id", "'chat_id'"),
    ("offline_message", "message", "'message'"),
    ("client_updated", "visitor", "'visitor'"),
    ("call_event", "call", "'call'"),
])
def test_events_missing_required_parts_are_refused(examples, name, drop, missing):
    body = examples[name]
    del body[drop]
    with pytest.raises(InvalidPayload, match=f"{name} without {missing}"):
        parse_webhook(webhook_request(body))


def test_a_call_without_status_is_refused(examples):
    body = examples["call_event"]
    del body["call"]["status"]
    with pytest.raises(InvalidPayload, match="call.status"):
        parse_webhook(webhook_request(body))


@pytest.mark.parametrize(("change", "field"), [
    ({"visitor": "Joao"}, "visitor"),
    ({"chat": {"messages": "hello"}}, "chat.messages"),
    ({"chat_id": {"id": 1}}, "chat_id"),
    ({"agents": [{"id": True}]}, "agents.0.id"),
])
def test_wrong_types_are_refused_naming_the_field(examples, change, field):
    body = {**examples["chat_finished"], **change}
    with pytest.raises(InvalidPayload, match=f"field '{field}"):
        parse_webhook(webhook_request(body))


def test_a_blank_widget_id_counts_as_missing(examples):
    with pytest.raises(InvalidPayload, match="'widget_id'"):
        parse_webhook(webhook_request({**examples["chat_updated"], "widget_id": "  "}))


def test_reply_with_context_lists_open_deals_for_the_agent():
    from pontes.plugin import ClientContext, Deal, Event
    from pontes_jivo.triggers import reply_with_context

    context = ClientContext(deals=[Deal(title="Plano Pro", stage="Proposta")],
                            url="https://crm.example/contacts/7")
    event = Event(type="chat.accepted", connection="jivo", idempotency_key="k", entity_key="e")
    body = reply_with_context(event, context)
    assert body == {"result": "ok", "crm_link": "https://crm.example/contacts/7",
                    "custom_data": [{"title": "Plano Pro", "content": "Proposta"}]}
    [trigger] = kit.triggers()
    assert trigger.reply is reply_with_context
