"""The account webhook: the sandbox fires forms on changes, the trigger reads them."""

import asyncio

import httpx
import pytest
from pontes.plugin import Deal, InvalidPayload
from pontes.testing import free_port, webhook_request

from pontes_amocrm.triggers import load_record, parse_webhook

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def deliveries(url, count):
    for _ in range(50):
        found = httpx.get(f"{url}/_sandbox/deliveries").json()
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return httpx.get(f"{url}/_sandbox/deliveries").json()


@pytest.mark.anyio
async def test_a_won_lead_is_posted_as_a_form_with_legacy_names(sandbox_url, sandbox_connection):
    url = sandbox_url("amocrm")
    connection = sandbox_connection("amocrm", base_url=url)
    await connection.call("webhook.register", {"event": "deal.changed",
                                               "url": f"http://127.0.0.1:{free_port()}/"})
    deal = await connection.call("deal.create", Deal(title="Upsell", amount=10,
                                                     custom={"66339": "jivo"}))
    await connection.call("deal.finish", {"id": deal.refs[connection.name], "status": "won"})

    sent = await deliveries(url, 2)
    assert all(d["form"] for d in sent)
    status = next(d["body"] for d in sent if "leads[status][0][id]" in d["body"])
    assert status["leads[status][0][status_id]"] == "142"
    assert status["leads[status][0][old_status_id]"] == "58840350"
    assert status["leads[status][0][custom_fields][0][values][0][value]"] == "jivo"
    assert all(isinstance(v, str) for v in status.values())
    assert "leads[status][0][date_create]" in status and "account[subdomain]" in status

    [event] = parse_webhook(webhook_request(status, FORM, connection=connection.name))
    assert event.type == "deal.changed"
    loaded = await load_record(connection, event)
    assert loaded.status == "won" and loaded.refs == deal.refs


def test_a_repeated_delivery_has_the_same_key_and_a_new_change_another():
    body = {"leads[update][0][id]": "5", "leads[update][0][last_modified]": "100",
            "account[id]": "1"}
    first = parse_webhook(webhook_request(body, FORM))
    again = parse_webhook(webhook_request(body, FORM))
    later = parse_webhook(webhook_request({**body, "leads[update][0][last_modified]": "101"}, FORM))
    assert first[0].idempotency_key == again[0].idempotency_key
    assert later[0].idempotency_key != first[0].idempotency_key
    assert first[0].entity_key == later[0].entity_key


@pytest.mark.parametrize("body", [{}, {"foo": "bar"}, {"leads[add][0][name]": "no id"}])
def test_unreadable_deliveries_say_why(body):
    with pytest.raises(InvalidPayload):
        parse_webhook(webhook_request(body, FORM))


@pytest.mark.anyio
async def test_one_url_registered_for_two_events_keeps_the_changes_of_both(
        sandbox_url, sandbox_connection):
    url = sandbox_url("amocrm")
    connection = sandbox_connection("amocrm", base_url=url)
    hook = f"http://127.0.0.1:{free_port()}/"
    await connection.call("webhook.register", {"event": "contact.changed", "url": hook})
    await connection.call("webhook.register", {"event": "company.changed", "url": hook})
    await connection.call("webhook.register", {"event": "contact.changed", "url": hook})

    registered = await connection.client.get_json("/api/v4/webhooks")
    [webhook] = registered["_embedded"]["webhooks"]
    assert webhook["destination"] == hook
    assert sorted(webhook["settings"]) == ["add_company", "add_contact", "update_company",
                                           "update_contact"]
