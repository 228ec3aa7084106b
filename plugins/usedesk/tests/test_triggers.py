"""The API channel's deliveries and the dynamic block, as pontes reads them: the secret,
JSON and form bodies, numbers as strings, one key per happening, the ticket card."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx
import pytest
from pontes.plugin import ClientContext, Contact, Deal, DealStatus, InvalidPayload
from pontes.testing import connect, webhook_request

from pontes_usedesk.connector import UsedeskSettings
from pontes_usedesk.sandbox.app import SANDBOX_API_TOKEN
from pontes_usedesk.triggers.api_channel import load_ticket, parse_webhook
from pontes_usedesk.triggers.ticket_card import load_card, parse_ticket_card, reply_with_context

EXAMPLES = Path(__file__).parent / "examples"
SECRET = SANDBOX_API_TOKEN
"""The token the examples carry as ``secret``: the sandbox's, so that a connection to the
sandbox accepts them."""
FORM = "application/x-www-form-urlencoded"


def example(name: str):
    return json.loads((EXAMPLES / name).read_text())


def settings(**values) -> UsedeskSettings:
    return UsedeskSettings.model_validate({"api_token": SECRET, **values})


def delivery(body, content_type="application/json", **values):
    return webhook_request(body, content_type, connection="usedesk",
                           settings=settings(**values))


def test_the_secret_must_be_the_channels_token():
    body = example("ticket.json")
    [event] = parse_webhook(delivery(body))
    assert "secret" not in event.payload and SECRET not in json.dumps(event.payload)
    with pytest.raises(InvalidPayload, match="not the token"):
        parse_webhook(delivery({**body, "secret": "guessed"}))
    with pytest.raises(InvalidPayload, match="no secret"):
        parse_webhook(delivery({k: v for k, v in body.items() if k != "secret"}))


def test_another_channel_token_can_be_the_webhooks():
    body = {**example("ticket.json"), "secret": "other-channel"}
    assert parse_webhook(delivery(body, webhook_channel_token="other-channel"))
    with pytest.raises(InvalidPayload):
        parse_webhook(delivery(example("ticket.json"), webhook_channel_token="other-channel"))


def test_numbers_as_strings_and_as_numbers_make_the_same_event():
    as_strings = example("ticket.json")
    as_numbers = copy.deepcopy(as_strings)
    as_numbers["ticket"].update(id=153341111, status_id=1, client_id=242630)
    [one], [other] = parse_webhook(delivery(as_strings)), parse_webhook(delivery(as_numbers))
    assert (one.idempotency_key, one.entity_key, one.record_id) == (
        other.idempotency_key, other.entity_key, other.record_id) == (
        "usedesk:ticket:153341111:created", "usedesk:ticket:153341111", "153341111")
    assert one.occurred_at.isoformat() == "2024-06-03T10:15:00+00:00"


def test_a_form_body_is_read_like_json():
    form = (EXAMPLES / "ticket.form").read_text().strip()
    [from_form] = parse_webhook(delivery(form, FORM))
    assert from_form.idempotency_key == "usedesk:ticket:153341111:created"
    assert from_form.payload["ticket"]["custom_fields"] == [{"id": "54", "name": "Order #"}]
    with pytest.raises(InvalidPayload, match="no secret"):
        parse_webhook(delivery(form.replace(f"secret={SECRET}&", ""), FORM))


@pytest.mark.parametrize(("name", "event_type", "key"), [
    ("comment.json", "ticket.commented", "usedesk:comment:402118002"),
    ("trigger.json", "ticket.changed", "usedesk:trigger:7100001"),
    ("csi.json", "ticket.rated", "usedesk:csi:5001"),
])
def test_each_kind_is_one_event_of_its_ticket(name, event_type, key):
    [event] = parse_webhook(delivery(example(name)))
    assert (event.type, event.idempotency_key, event.entity_key, event.record_id) == (
        event_type, key, "usedesk:ticket:153341111", "153341111")


def test_a_chat_message_is_acknowledged_and_not_read():
    assert parse_webhook(delivery(example("chat.json"))) == []


@pytest.mark.parametrize(("body", "reason"), [
    ({"secret": SECRET, "ticket": {"id": "abc"}}, "ticket.id must be a positive whole number"),
    ({"secret": SECRET, "comment": {"id": 1}}, "comment.ticket_id"),
    ({"secret": SECRET, "ticket": "153341111"}, "'ticket' must be an object"),
    ({"secret": SECRET, "something": 1}, "not an API channel delivery"),
    ([1, 2], "neither a JSON object nor a form"),
])
def test_a_body_pontes_cannot_read_is_refused_with_the_reason(body, reason):
    with pytest.raises(InvalidPayload, match=reason):
        parse_webhook(delivery(body))


def test_a_change_without_its_own_id_gets_a_key_from_its_content():
    body = example("trigger.json")
    del body["trigger"]["id"]
    [one] = parse_webhook(delivery(body))
    body["trigger"]["data"][0]["value"] = 3
    [other] = parse_webhook(delivery(body))
    assert one.idempotency_key != other.idempotency_key
    assert one.idempotency_key.startswith("usedesk:trigger:153341111:")


# --- the dynamic block --------------------------------------------------------------------

@pytest.fixture
async def connection(pontes_registry):
    """A connection with these tests' settings (the card is read without calling Usedesk)."""
    made = connect(pontes_registry, "usedesk", settings(), "usedesk")
    yield made
    await made.aclose()


@pytest.mark.anyio
async def test_a_block_request_is_the_ticket_card(connection):
    body = example("block.json")
    [event] = parse_ticket_card(delivery(body, block_secret="s3cr3t"))
    assert event.type == "ticket.card_opened" and "secret_key" not in event.payload
    card = await load_card(connection, event)
    assert card.ticket.ref("usedesk") == "153341111" and card.ticket.subject == "Order question"
    assert (card.client.name, card.client.emails, card.client.phones) == (
        "Ivan Petrov", ["ivan@example.org"], ["+79990001122"])
    assert card.client.ref("usedesk") == "242630"
    assert (card.channel.type, card.channel.address, card.channel.id) == (
        "email", "support@shop.example.org", "64326")
    assert card.language == "pt" and card.automatic is True
    assert card.parameters == {"language": "pt", "amo_base_host": "https://acme.amocrm.com/"}


@pytest.mark.anyio
async def test_the_same_card_opened_again_is_one_event_a_refresh_another(connection):
    body = example("block.json")
    [first] = parse_ticket_card(delivery(body))
    [again] = parse_ticket_card(delivery(copy.deepcopy(body)))
    [refresh] = parse_ticket_card(delivery({**body, "is_auto_load": "0"}))
    assert first.idempotency_key == again.idempotency_key != refresh.idempotency_key
    assert (await load_card(connection, refresh)).automatic is False


def test_the_block_secret_is_checked_when_one_is_set():
    body = example("block.json")
    with pytest.raises(InvalidPayload, match="not the connection's block_secret"):
        parse_ticket_card(delivery({**body, "secret_key": "other"}, block_secret="s3cr3t"))
    with pytest.raises(InvalidPayload, match="carries no secret_key"):
        parse_ticket_card(delivery({k: v for k, v in body.items() if k != "secret_key"},
                                   block_secret="s3cr3t"))
    assert parse_ticket_card(delivery(body))


def test_a_block_request_and_an_api_delivery_are_told_apart():
    with pytest.raises(InvalidPayload, match="not a dynamic block"):
        parse_ticket_card(delivery(example("ticket.json")))
    with pytest.raises(InvalidPayload, match="not an API channel delivery"):
        parse_webhook(delivery(example("block.json")))
    with pytest.raises(InvalidPayload, match="ticket_id"):
        parse_ticket_card(delivery({"subject": "no ticket"}))


def test_the_blocks_answer_shows_what_the_crm_knows_escaped():
    [event] = parse_ticket_card(delivery(example("block.json")))
    context = ClientContext(
        contact=Contact(name="Ivan <Petrov>", emails=["ivan@example.org"]),
        deals=[Deal(title="Plan & Pro", stage="Proposal", amount="1500", currency="RUB"),
               Deal(title="Old", status=DealStatus.won)],
        url="https://acme.example-crm.com/contacts/77?a=1&b=2")
    html = reply_with_context(event, context)["html"]
    assert "<strong>Ivan &lt;Petrov&gt;</strong>" in html
    assert "Plan &amp; Pro" in html and "Proposal · 1500.00 RUB" in html and "won" in html
    assert 'href="https://acme.example-crm.com/contacts/77?a=1&amp;b=2"' in html
    assert "No contact found" in reply_with_context(event, ClientContext())["html"]


def test_a_panel_is_answered_as_a_frame_of_its_page():
    [event] = parse_ticket_card(delivery(example("block.json")))
    context = ClientContext(contact=Contact(name="Ivan"), deals=[Deal(title="Hidden")],
                            panel_url='https://pontes.example/panels/b?ctx=a"b&c=1')
    html = reply_with_context(event, context)["html"]
    assert html.startswith('<iframe class="pontes-panel" '
                           'src="https://pontes.example/panels/b?ctx=a&quot;b&amp;c=1"')
    assert "Hidden" not in html and "<script" not in html


# --- what the sandbox posts is what the triggers read -------------------------------------

@pytest.mark.anyio
@pytest.mark.parametrize("as_json", [True, False])
async def test_the_sandboxs_webhooks_become_events_whose_ticket_loads(
        sandbox_url, sandbox_connection, receiver, as_json):
    url = sandbox_url("usedesk")
    httpx.post(f"{url}/_sandbox/channel", json={"url": receiver.url("hook"), "json": as_json})
    connection = sandbox_connection("usedesk", base_url=url)
    ticket = await connection.call("ticket.create", {
        "subject": "Broken lamp", "description": "It flickers",
        "requester": {"name": "Olga", "emails": ["olga@example.org"]}})
    await connection.call("ticket.reply", id=ticket.ref(connection.name), text="Sorry!")
    await connection.call("ticket.set_status", id=ticket.ref(connection.name), status="solved")
    httpx.get(f"{url}/_sandbox/deliveries")
    events = []
    for received in receiver.to("hook"):
        request = webhook_request(received.body, received.content_type,
                                  connection=connection.name, settings=connection.settings)
        events += parse_webhook(request)
    assert [e.type for e in events] == ["ticket.created", "ticket.commented", "ticket.changed"]
    loaded = await load_ticket(connection, events[-1])
    assert (loaded.subject, loaded.status.value) == ("Broken lamp", "solved")
    assert loaded.requester.emails == ["olga@example.org"]
