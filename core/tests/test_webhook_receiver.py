"""The kit's webhook receiver: what sandboxes post to is recorded, in order, and each test
starts with none of it."""

from __future__ import annotations

import httpx
import pytest


def test_bodies_posted_anywhere_under_it_are_recorded_in_order(webhook_receiver):
    httpx.post(webhook_receiver.url, json={"n": 1}).raise_for_status()
    httpx.post(webhook_receiver.url + "/deals", json={"n": 2}).raise_for_status()

    assert webhook_receiver.wait_for(2) == [{"n": 1}, {"n": 2}]


def test_each_test_starts_with_nothing_received(webhook_receiver):
    assert webhook_receiver.bodies == []


def test_waiting_for_more_than_arrives_says_how_many_did(webhook_receiver):
    httpx.post(webhook_receiver.url, json={"n": 1}).raise_for_status()

    with pytest.raises(AssertionError, match="expected 2 webhook deliveries, got 1"):
        webhook_receiver.wait_for(2, timeout=0.2)
