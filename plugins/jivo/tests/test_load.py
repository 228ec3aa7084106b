"""Loading events as canonical chats: the body is the record."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from pontes.plugin import Address, Chat, Direction, InvalidPayload, PermanentFailure
from pontes.testing import webhook_request
from pontes_jivo.sandbox.events import flip_ids
from pontes_jivo.triggers import parse_webhook


async def load(connection, body) -> Chat:
    event = parse_webhook(webhook_request(body, connection=connection.name))[0]
    return await registered_load(connection, event)


async def registered_load(connection, event) -> Chat:
    [trigger] = connection.webhook_triggers()
    return await trigger.load(connection, event)


@pytest.mark.anyio
async def test_a_finished_chat_fills_every_field(jivo_connection, examples):
    body = examples["chat_finished"]
    original = copy.deepcopy(body)
    chat = await load(jivo_connection("site-chat"), body)

    assert chat.refs == {"site-chat": "7607"}
    assert chat.remote_data == original
    visitor = chat.visitor
    assert visitor.name == "Joao Silva"
    assert visitor.emails == ["joao.silva@example.com"]
    assert visitor.phones == ["+5521998765432"]
    assert visitor.refs == {"site-chat": "2198"}
    assert chat.description == "Wants an annual plan"
    assert chat.agent.remote_id == "1" and chat.agent.name == "Paula Ramos"
    assert chat.agent.email == "paula@shop.example.com"
    assert [(m.direction, m.author, m.text) for m in chat.messages] == [
        (Direction.inbound, "Joao Silva", "Hello, is there an annual plan?"),
        (Direction.outbound, "Paula Ramos", "Yes, 15% off."),
        (Direction.outbound, "Rui Costa", "Rui here, sending the quote."),
        (Direction.inbound, "Joao Silva", "Thanks!"),
    ]
    assert chat.messages[0].sent_at == datetime.fromtimestamp(1665396476, UTC)
    assert chat.started_at == datetime.fromtimestamp(1665396476, UTC)
    assert chat.finished_at == datetime.fromtimestamp(1665396501, UTC)
    assert chat.page_url == "https://shop.example.com/pricing"
    assert chat.page_title == "Pricing"
    assert chat.utm == {"source": "google", "medium": "cpc", "content": "banner",
                        "campaign": "winter_sale", "term": "crm software"}
    assert chat.geo == Address(city="Sao Paulo", state="Sao Paulo", country="BR")
    assert chat.tags == []
    assert chat.organization is None
    assert chat.offline is False
    assert "Joao Silva: Hello, is there an annual plan?" in chat.transcript()


@pytest.mark.anyio
async def test_flipped_id_types_load_the_same_chat(jivo_connection, examples):
    connection = jivo_connection()
    for name, body in examples.items():
        documented = await load(connection, body)
        flipped = await load(connection, flip_ids(body))
        ignore = {"id": True, "remote_data": True,
                  "visitor": {"id": True, "company": {"id": True}}}
        assert flipped.model_dump(exclude=ignore) == documented.model_dump(exclude=ignore), name


@pytest.mark.anyio
async def test_phones_written_differently_become_one_number(jivo_connection, examples):
    connection = jivo_connection()
    forms = ["(21) 99876-5432", "+55 21 99876 5432", "21998765432", "+55 (21) 99876-5432",
             " 021 99876 5432 "]
    phones = set()
    for form in forms:
        body = copy.deepcopy(examples["chat_finished"])
        body["visitor"]["phone"] = form
        chat = await load(connection, body)
        phones.update(chat.visitor.phones)
    assert phones == {"+5521998765432"}


@pytest.mark.anyio
async def test_the_connection_region_reads_local_numbers(jivo_connection, examples):
    body = examples["chat_finished"]
    body["visitor"]["phone"] = "(408) 498-7855"
    us = await load(jivo_connection(phone_region="us"), copy.deepcopy(body))
    assert us.visitor.phones == ["+14084987855"]


@pytest.mark.anyio
async def test_unparseable_phones_are_kept_as_typed(jivo_connection, examples):
    body = examples["chat_finished"]
    body["visitor"]["phone"] = "call me at home"
    chat = await load(jivo_connection(), body)
    assert chat.visitor.phones == ["call me at home"]


@pytest.mark.anyio
async def test_a_visitor_without_contacts_has_none(jivo_connection, examples):
    body = examples["chat_finished"]
    body["visitor"] = {"description": "", "number": "4410", "chats_count": 1,
                       "email": "", "phone": None}
    chat = await load(jivo_connection(), body)
    assert chat.visitor.name is None
    assert chat.visitor.emails == [] and chat.visitor.phones == []
    assert chat.visitor.refs == {"jivo": "4410"}
    assert chat.description is None
    assert chat.messages[0].author is None


@pytest.mark.anyio
async def test_accepted_chat_has_company_owner_tags_and_agent(jivo_connection, examples):
    chat = await load(jivo_connection(), examples["chat_accepted"])
    assert chat.agent.remote_id == "2016" and chat.agent.name == "Paula Ramos"
    assert chat.organization == "Silva Logistics"
    assert chat.visitor.company.name == "Silva Logistics"
    assert chat.visitor.company.refs == {"jivo": "1"}
    assert chat.visitor.owner.remote_id == "1"
    assert chat.visitor.owner.email == "agent1@shop.example.com"
    assert chat.tags == ["Wholesale"]
    assert chat.messages == [] and chat.finished_at is None


@pytest.mark.anyio
async def test_an_offline_message_is_one_inbound_message(jivo_connection, examples):
    chat = await load(jivo_connection(), examples["offline_message"])
    assert chat.offline is True
    assert chat.refs == {"jivo": "2026"}
    assert [(m.direction, m.author, m.text) for m in chat.messages] == [
        (Direction.inbound, "Joao Silva", "Please call me back about the annual plan.")]
    assert chat.visitor.phones == ["+5521998765432"]


@pytest.mark.anyio
async def test_a_client_update_has_the_visitor_but_no_chat(jivo_connection, examples):
    chat = await load(jivo_connection(), examples["client_updated"])
    assert chat.refs == {}
    assert chat.visitor.refs == {"jivo": "2198"}
    assert chat.visitor.phones == ["+5521998765432"]
    assert chat.visitor.owner.name == "Agent Three"
    assert chat.offline is False


@pytest.mark.anyio
async def test_a_call_adds_the_called_number(jivo_connection, examples):
    body = examples["call_event"]
    body["call"]["phone"] = "+55 11 3456-7890"
    chat = await load(jivo_connection(), body)
    assert chat.visitor.phones == ["+5521998765432", "+551134567890"]
    assert chat.agent.remote_id == "2016"


@pytest.mark.anyio
async def test_utm_text_alone_is_parsed(jivo_connection, examples):
    body = examples["chat_finished"]
    body["session"]["utm"] = "utm_source=bing|medium=cpc%20ads|campaign=|term"
    del body["session"]["utm_json"]
    chat = await load(jivo_connection(), body)
    assert chat.utm == {"source": "bing", "medium": "cpc ads"}


@pytest.mark.anyio
async def test_events_of_another_channel_are_refused(jivo_connection, examples):
    body = examples["chat_finished"]
    accepted = await load(jivo_connection(widget_id="51234"), body)
    assert accepted.refs == {"jivo": "7607"}
    with pytest.raises(PermanentFailure, match="channel '9999'.*channel '51234'"):
        await load(jivo_connection(widget_id="9999"), body)


@pytest.mark.anyio
async def test_a_stored_body_that_is_no_longer_valid_fails_clearly(jivo_connection, examples):
    connection = jivo_connection()
    event = parse_webhook(webhook_request(examples["chat_finished"], connection="jivo"))[0]
    event.payload.pop("visitor")
    with pytest.raises(InvalidPayload, match="'visitor'"):
        await registered_load(connection, event)
