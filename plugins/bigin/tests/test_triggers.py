"""The watch channel end to end against the sandbox: a channel registered through the
plugin, a change made in Bigin, the notification Bigin posts, its token checked, the
record loaded; and channels renewed before they expire."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pontes.plugin import InvalidPayload
from pontes.testing import free_port, webhook_request

from pontes_bigin.actions.watch import renew_watches
from pontes_bigin.channels import watch_token_of
from pontes_bigin.connector import BiginSettings
from pontes_bigin.sandbox import sandbox_settings
from pontes_bigin.triggers import load_record, parse_notification, renew

API = "/bigin/v2"


@pytest.fixture
def anyio_backend():
    return "asyncio"


def hook_url() -> str:
    return f"http://127.0.0.1:{free_port()}/hooks/bigin/secret"


@pytest.mark.anyio
async def test_a_deal_changed_in_bigin_arrives_with_the_token_and_loads(sandbox_url,
                                                                         sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    target = hook_url()
    await connection.call("webhook.register", event="deal.changed", url=target)
    deal = await connection.call("deal.create", {"title": "Watched", "pipeline": "Renewals"})
    await connection.call("deal.update", id=deal.refs[connection.name],
                          changes={"stage": "Negotiation/Review"})

    [delivery] = httpx.get(f"{url}/_sandbox/deliveries").json()
    body = delivery["body"]
    assert delivery["url"] == target
    assert (body["module"], body["operation"], body["ids"]) == (
        "Pipelines", "update", [deal.refs[connection.name]])
    assert body["affected_fields"] == [{deal.refs[connection.name]: ["Stage"]}]
    [event] = parse_notification(webhook_request(body, connection=connection.name,
                                                 settings=connection.settings))
    loaded = await load_record(connection, event)
    assert event.type == "deal.changed"
    assert loaded.stage == "Negotiation/Review" and loaded.title == "Watched"


@pytest.mark.anyio
async def test_contact_changes_come_as_contact_changed_and_a_delivery_repeats_its_key(
        sandbox_url, sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    await connection.call("webhook.register", event="contact.changed", url=hook_url())
    await connection.call("contact.create", {"name": "Ana Souza"})
    [delivery] = httpx.get(f"{url}/_sandbox/deliveries").json()
    request = webhook_request(delivery["body"], settings=connection.settings)
    first, again = parse_notification(request), parse_notification(request)
    assert [e.type for e in first] == ["contact.changed"]
    assert first[0].idempotency_key == again[0].idempotency_key


def test_a_notification_without_the_connections_token_is_refused():
    settings = BiginSettings.model_validate(sandbox_settings("http://127.0.0.1:9"))
    body = {"server_time": 1, "module": "Contacts", "ids": ["5436046000000930004"],
            "operation": "insert", "channel_id": "1", "token": "someone-elses"}
    with pytest.raises(InvalidPayload, match="token"):
        parse_notification(webhook_request(body, settings=settings))
    accepted = parse_notification(webhook_request(
        {**body, "token": watch_token_of(settings)}, settings=settings))
    assert [e.record_id for e in accepted] == ["5436046000000930004"]


@pytest.mark.parametrize("body", [
    [], {"module": "Contacts"}, {"module": "Contacts", "operation": "insert", "ids": ["abc"]}])
def test_a_body_that_is_not_a_notification_is_refused(body):
    with pytest.raises(InvalidPayload):
        parse_notification(webhook_request(body))


def test_deletions_and_other_modules_are_acknowledged_and_ignored():
    base = {"server_time": 1, "ids": ["5436046000000930004"], "channel_id": "1"}
    assert parse_notification(webhook_request({**base, "module": "Contacts",
                                               "operation": "delete"})) == []
    assert parse_notification(webhook_request({**base, "module": "Tasks",
                                               "operation": "insert"})) == []


@pytest.mark.anyio
async def test_registering_twice_keeps_one_channel_and_the_token_is_bigins_limit(
        sandbox_url, sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    target = hook_url()
    first = await connection.call("webhook.register", event="company.changed", url=target)
    again = await connection.call("webhook.register", event="company.changed", url=target)
    [channel] = httpx.get(f"{url}/_sandbox/watch").json()
    assert first.id == again.id == channel["channel_id"]
    assert channel["events"] == ["Accounts.create", "Accounts.edit"]
    assert 0 < len(channel["token"]) <= 50


@pytest.mark.anyio
async def test_channels_near_their_expiry_are_renewed_and_others_left(sandbox_url,
                                                                      sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    await connection.call("webhook.register", event="deal.created", url=hook_url())
    assert await renew_watches(connection) == []

    httpx.post(f"{url}/_sandbox/watch/expire", json={"seconds": 600})
    result = await renew(connection, None)
    [channel] = httpx.get(f"{url}/_sandbox/watch").json()
    expiry = datetime.fromisoformat(channel["channel_expiry"])
    assert result.events == [] and result.cursor
    assert expiry - datetime.now(UTC) > timedelta(hours=23)


@pytest.mark.anyio
async def test_an_expired_channel_notifies_nothing_and_is_not_listed(sandbox_url,
                                                                     sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    await connection.call("webhook.register", event="contact.changed", url=hook_url())
    httpx.post(f"{url}/_sandbox/watch/expire", json={"seconds": -1})
    await connection.call("contact.create", {"name": "Too Late"})
    assert httpx.get(f"{url}/_sandbox/deliveries").json() == []
    assert await connection.call("webhook.list", {}) == []


@pytest.mark.parametrize(("module", "event_type"), [("Companies", "company.changed"),
                                                    ("Deals", "deal.created")])
def test_the_ui_names_of_modules_are_read_as_the_apis(module, event_type):
    body = {"server_time": 1, "module": module, "ids": ["5436046000000930004"],
            "operation": "insert", "channel_id": "1"}
    [event] = parse_notification(webhook_request(body))
    assert event.type == event_type
    assert event.payload["module"] in ("Accounts", "Pipelines")
