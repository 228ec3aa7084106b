"""Webhooks over time: the sandbox turning off a webhook whose deliveries fail, the
plugin turning it on again, and deliveries checked against the connection's
``ValidationKey``."""

from __future__ import annotations

import pytest
from pontes.plugin import InvalidPayload
from pontes.testing import free_port, webhook_request
from pontes_ploomes.connector import PloomesSettings
from pontes_ploomes.triggers import parse_webhook

from .test_sandbox import values

THIN = {"ResourceId": 50000777, "Entity": "Deals", "Action": "Update", "UserId": 10000001}


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}/hooks/ploomes"


def webhooks(api) -> list[dict]:
    return values(api.get("/Webhooks"))


def change_the_deal(api, times: int) -> list[dict]:
    """Change the seeded deal ``times`` times; the deliveries the sandbox made, once done."""
    for n in range(times):
        api.patch("/Deals(50000777)", json={"Amount": 100 + n}).raise_for_status()
    return api.get("/_sandbox/deliveries").json()


def subscribe(api, url: str, action: int = 2) -> dict:
    [hook] = values(api.post("/Webhooks", json={"EntityId": 2, "ActionId": action,
                                                "CallbackUrl": url, "ValidationKey": "k"}))
    return hook


# --- the sandbox turns failing webhooks off ---------------------------------------------


def test_failing_deliveries_turn_a_webhook_off_at_the_configured_count(api):
    api.post("/_sandbox/ploomes/config", json={"deactivate_after_failures": 2}).raise_for_status()
    hook = subscribe(api, dead_url())
    assert len(change_the_deal(api, 1)) == 1
    assert webhooks(api)[0]["Active"] is True
    deliveries = change_the_deal(api, 1)
    assert [d["status"] for d in deliveries] == [None, None]
    assert all(d["error"].startswith("ConnectError") for d in deliveries)
    assert webhooks(api)[0] == {**hook, "Active": False}
    assert len(change_the_deal(api, 3)) == 2, "an inactive webhook is not called"


def test_a_success_starts_the_count_again(api, receiver):
    api.post("/_sandbox/ploomes/config", json={"deactivate_after_failures": 2}).raise_for_status()
    hook = subscribe(api, dead_url())
    change_the_deal(api, 1)
    api.patch(f"/Webhooks({hook['Id']})", json={"CallbackUrl": receiver.url()}).raise_for_status()
    change_the_deal(api, 1)
    receiver.wait_for(1)
    api.patch(f"/Webhooks({hook['Id']})", json={"CallbackUrl": hook["CallbackUrl"]})
    change_the_deal(api, 1)
    assert webhooks(api)[0]["Active"] is True
    change_the_deal(api, 1)
    assert webhooks(api)[0]["Active"] is False


def test_by_default_no_webhook_is_turned_off(api):
    assert api.get("/_sandbox/ploomes/config").json()["deactivate_after_failures"] is None
    subscribe(api, dead_url())
    assert len(change_the_deal(api, 4)) == 4
    assert webhooks(api)[0]["Active"] is True


def test_turning_off_is_reset_with_the_sandbox(api):
    api.post("/_sandbox/ploomes/config", json={"deactivate_after_failures": 1}).raise_for_status()
    api.post("/_sandbox/reset").raise_for_status()
    subscribe(api, dead_url())
    change_the_deal(api, 2)
    assert webhooks(api)[0]["Active"] is True


@pytest.mark.parametrize("config", [
    {"deactivate_after_failures": 0}, {"deactivate_after_failures": "3"},
    {"deactivate_after_failures": True}, {"colour": 1}, [1],
])
def test_a_bad_config_is_refused_naming_the_key(api, config):
    answer = api.post("/_sandbox/ploomes/config", json=config)
    assert answer.status_code == 400
    assert "config" in answer.json()["error"] or "deactivate_after_failures" in answer.json()["error"]


def test_active_takes_booleans_and_one_or_zero(api):
    hook = subscribe(api, dead_url())
    assert values(api.patch(f"/Webhooks({hook['Id']})", json={"Active": 0}))[0]["Active"] is False
    assert values(api.patch(f"/Webhooks({hook['Id']})", json={"Active": 1}))[0]["Active"] is True
    refused = api.patch(f"/Webhooks({hook['Id']})", json={"Active": "no"})
    assert refused.status_code == 400 and "Active" in refused.json()["error"]["message"]


# --- the plugin turns them on again -----------------------------------------------------


@pytest.mark.anyio
async def test_register_turns_an_inactive_webhook_on_again(connection, api):
    url = dead_url()
    api.post("/_sandbox/ploomes/config", json={"deactivate_after_failures": 1}).raise_for_status()
    first = await connection.call("webhook.register", event="deal.changed", url=url)
    change_the_deal(api, 1)
    [update] = [w for w in webhooks(api) if w["ActionId"] == 2]
    assert update["Active"] is False
    assert await connection.call("webhook.list") == [], "a webhook off is not registered"

    again = await connection.call("webhook.register", event="deal.changed", url=url)
    assert again == first
    assert len(webhooks(api)) == 4 and all(w["Active"] is True for w in webhooks(api))
    patches = [r["path"] for r in api.get("/_sandbox/requests").json()
               if r["method"] == "PATCH" and r["path"].startswith("/Webhooks")]
    assert patches == [f"/Webhooks({update['Id']})"]
    assert [w.event for w in await connection.call("webhook.list")] == ["deal.changed"]


@pytest.mark.anyio
async def test_turning_on_again_is_sent_again_after_a_lost_answer(connection, api):
    url = dead_url()
    hook = subscribe(api, url, action=1)
    api.patch(f"/Webhooks({hook['Id']})", json={"Active": False}).raise_for_status()
    api.post("/_sandbox/faults", json={"status": 503, "path": "/Webhooks(", "method": "PATCH",
                                       "commit_first": True}).raise_for_status()
    registered = await connection.call("webhook.register", event="deal.created", url=url)
    assert registered.id == str(hook["Id"]) and webhooks(api)[0]["Active"] is True
    statuses = [r["status"] for r in api.get("/_sandbox/requests").json()
                if r["method"] == "PATCH" and r["path"].startswith("/Webhooks")]
    assert statuses == [200, 503, 200]


@pytest.mark.anyio
async def test_a_registration_with_a_webhook_missing_is_not_listed(connection, api):
    url = dead_url()
    registered = await connection.call("webhook.register", event="deal.changed", url=url)
    lose = [w for w in webhooks(api) if w["ActionId"] == 6][0]
    api.delete(f"/Webhooks({lose['Id']})").raise_for_status()
    assert await connection.call("webhook.list") == []
    repaired = await connection.call("webhook.register", event="deal.changed", url=url)
    assert repaired.id.split(",")[:2] == registered.id.split(",")[:2]
    assert sorted(w["ActionId"] for w in webhooks(api)) == [2, 5, 6, 7]


@pytest.mark.anyio
async def test_register_gives_an_existing_webhook_the_configured_key(make_connection, api):
    url = dead_url()
    subscribe(api, url, action=1)
    connection = make_connection(webhook_validation_key="chave-nova")
    await connection.call("webhook.register", event="deal.created", url=url)
    assert [(w["ValidationKey"], w["Active"]) for w in webhooks(api)] == [("chave-nova", True)]
    unkeyed = make_connection()
    await unkeyed.call("webhook.register", event="deal.created", url=url)
    assert [w["ValidationKey"] for w in webhooks(api)] == ["chave-nova"]


# --- deliveries carry the ValidationKey -------------------------------------------------


@pytest.fixture
def keyed():
    """Settings of a connection that sets ``webhook_validation_key``."""
    return PloomesSettings(user_key="k", webhook_validation_key="chave-123")


def test_a_delivery_with_the_key_is_read_without_it(keyed):
    [event] = parse_webhook(webhook_request({**THIN, "ValidationKey": "chave-123"},
                                            settings=keyed))
    assert event.record_id == "50000777" and "ValidationKey" not in event.payload
    [by_header] = parse_webhook(webhook_request(THIN, headers={"validationkey": "chave-123"},
                                                settings=keyed))
    assert by_header.record_id == "50000777"


@pytest.mark.parametrize(("body", "headers", "reason"), [
    ({**THIN, "ValidationKey": "chave-124"}, {}, "is not the connection's webhook_validation_key"),
    ({**THIN, "ValidationKey": 123}, {}, "is not the connection's webhook_validation_key"),
    (THIN, {"ValidationKey": "outra"}, "is not the connection's webhook_validation_key"),
    (THIN, {}, "carries no ValidationKey"),
    ({**THIN, "ValidationKey": None}, {}, "carries no ValidationKey"),
])
def test_a_delivery_without_the_key_is_refused(keyed, body, headers, reason):
    with pytest.raises(InvalidPayload, match=reason) as refused:
        parse_webhook(webhook_request(body, headers=headers, settings=keyed))
    assert "chave-123" not in str(refused.value) and "webhook_validation_key" in str(refused.value)


def test_without_a_configured_key_deliveries_are_not_checked():
    settings = PloomesSettings(user_key="k")
    assert parse_webhook(webhook_request(THIN, settings=settings))
    assert parse_webhook(webhook_request({**THIN, "ValidationKey": "any"}, settings=settings))


@pytest.mark.anyio
async def test_thin_deliveries_from_the_sandbox_carry_the_registered_key(make_connection, api,
                                                                          receiver):
    connection = make_connection(webhook_validation_key="chave-123")
    api.post("/_sandbox/ploomes/config", json={"webhook_shape": "thin"}).raise_for_status()
    await connection.call("webhook.register", event="deal.changed", url=receiver.url())
    change_the_deal(api, 1)
    [body] = receiver.wait_for(1)
    [event] = parse_webhook(webhook_request(body, settings=connection.settings))
    assert event.type == "deal.changed" and event.record_id == "50000777"
    other = make_connection(webhook_validation_key="chave-999")
    with pytest.raises(InvalidPayload):
        parse_webhook(webhook_request(body, settings=other.settings))
