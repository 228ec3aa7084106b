"""The kit's webhook receiver: what sandboxes post to is recorded, in order, each test
starts with none of it, and each path answers as the test says."""

from __future__ import annotations

import httpx
import pytest
from pontes.connector import WebhookAck, WebhookTrigger
from pontes.errors import InvalidPayload
from pontes.models import Event
from pontes.testing.receiver import Reply


def test_bodies_posted_anywhere_under_it_are_recorded_in_order(webhook_receiver):
    httpx.post(webhook_receiver.url(), json={"n": 1}).raise_for_status()
    httpx.post(webhook_receiver.url("deals"), json={"n": 2}).raise_for_status()

    assert webhook_receiver.wait_for(2) == [{"n": 1}, {"n": 2}]
    assert webhook_receiver.bodies("deals") == [{"n": 2}]
    [delivery] = webhook_receiver.to("hook")
    assert delivery.content_type == "application/json" and delivery.json() == {"n": 1}


def test_each_test_starts_with_nothing_received(webhook_receiver):
    assert webhook_receiver.bodies() == []
    assert webhook_receiver.replies == {} and webhook_receiver.triggers == {}


def test_waiting_for_more_than_arrives_says_how_many_did(webhook_receiver):
    httpx.post(webhook_receiver.url(), json={"n": 1}).raise_for_status()

    with pytest.raises(AssertionError, match="expected 2 webhook deliveries, got 1"):
        webhook_receiver.wait_for(2, timeout=0.2)


def test_each_delivery_takes_the_next_reply_and_the_last_repeats(webhook_receiver):
    webhook_receiver.replies["flaky"] = [Reply(text="busy", status=502),
                                         Reply(body={"done": 1})]
    answers = [httpx.post(webhook_receiver.url("flaky"), json={}) for _ in range(3)]

    assert [(a.status_code, a.text) for a in answers] == [
        (502, "busy"), (200, '{"done":1}'), (200, '{"done":1}')]
    assert httpx.post(webhook_receiver.url("other"), json={}).json() == {"ok": True}


def test_a_path_with_a_trigger_answers_as_pontes_does(webhook_receiver):
    def parse(request):
        if "id" not in request.data:
            raise InvalidPayload("no id in the delivery")
        return [Event(type="thing.changed", connection=request.connection,
                      idempotency_key=str(request.data["id"]), entity_key="thing",
                      payload=request.data)]

    webhook_receiver.triggers["pontes"] = WebhookTrigger(
        connector="acme", name="hook", events=("thing.changed",), parse=parse,
        load=None, ack=WebhookAck(202, {"result": "ok"}))

    accepted = httpx.post(webhook_receiver.url("pontes"), json={"id": 7})
    refused = httpx.post(webhook_receiver.url("pontes"), json={"name": "no id"})

    assert (accepted.status_code, accepted.json()) == (202, {"result": "ok"})
    assert (refused.status_code, refused.json()) == (400, {"error": "no id in the delivery"})
    assert [(e.connection, e.idempotency_key) for e in webhook_receiver.events] == [("acme", "7")]
