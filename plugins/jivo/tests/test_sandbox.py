"""The sandbox plays Jivo: it posts bodies over loopback and judges the answers as Jivo does."""

from __future__ import annotations

import pytest
from pontes.testing import webhook_request
from pontes.testing.receiver import Reply
from pontes_jivo.replies import agent_panel_reply
from pontes_jivo.sandbox.samples import SAMPLES, WIDGET_ID
from pontes_jivo.triggers import parse_webhook

pytestmark = pytest.mark.anyio


async def send(client, **spec):
    response = await client.post("/_sandbox/send", json=spec)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_sandbox_is_registered(pontes_registry):
    sandbox = pontes_registry.sandboxes["jivo"]
    settings = pontes_registry.connectors["jivo"].settings.model_validate(
        sandbox.settings("http://127.0.0.1:9"))
    assert settings.widget_id == WIDGET_ID


async def test_samples_are_listed(jivo_sandbox):
    samples = (await jivo_sandbox.get("/_sandbox/samples")).json()
    assert [s["name"] for s in samples] == list(SAMPLES)
    assert {s["event"] for s in samples} == {"chat_finished", "offline_message"}


async def test_a_finished_chat_reaches_the_receiver_and_ok_is_accepted(jivo_sandbox, receiver):
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url("ok"))
    assert outcome["ok"] is True and outcome["failure"] is None
    assert outcome["attempts"] == [{"status": 200, "answer": '{"result":"ok"}', "error": None}]
    [delivery] = receiver.deliveries
    assert delivery.content_type == "application/json"
    body = delivery.json()
    assert body == outcome["payload"]
    assert body["event_name"] == "chat_finished" and body["chat_id"] == 7601
    assert body["widget_id"] == WIDGET_ID
    assert body["agents"][0]["id"] == "12"
    assert body["chat"]["messages"][1]["agent_id"] == 12
    assert "agent_id" not in body["chat"]["messages"][0]
    assert "user_token" not in body
    deliveries = (await jivo_sandbox.get("/_sandbox/deliveries")).json()
    assert [d["status"] for d in deliveries] == [200]
    assert (await jivo_sandbox.get("/_sandbox/outcomes")).json() == [outcome]


async def test_every_sample_goes_through_the_plugin(jivo_sandbox, receiver, sandbox_connection):
    response = await jivo_sandbox.post("/_sandbox/send-all", json={"url": receiver.url("pontes")})
    outcomes = response.json()
    assert [o["ok"] for o in outcomes] == [True] * len(SAMPLES)
    assert [e.type for e in receiver.events] == [
        "chat.finished", "chat.finished", "chat.finished", "chat.offline_message",
        "chat.finished"]
    connection = sandbox_connection("jivo", base_url=str(jivo_sandbox.base_url))
    [trigger] = connection.webhook_triggers()
    chats = {name: await trigger.load(connection, event)
             for name, event in zip(SAMPLES, receiver.events, strict=True)}

    first, second = chats["ana-first"], chats["ana-second"]
    assert first.visitor.phones == second.visitor.phones == ["+5511987654321"]
    assert first.visitor.emails == second.visitor.emails == ["ana.souza@example.com.br"]
    ana = [e for e in receiver.events if e.payload["visitor"].get("number") == "2198"]
    assert ana[0].entity_key == ana[1].entity_key
    assert ana[0].idempotency_key != ana[1].idempotency_key

    anonymous = chats["anonymous"]
    assert anonymous.visitor.emails == [] and anonymous.visitor.phones == []
    assert anonymous.visitor.name is None

    offline = chats["bruno-offline"]
    assert offline.offline is True and offline.visitor.phones == []
    assert offline.messages[0].text.startswith("Gostaria de um orçamento")

    marcos = chats["marcos-company"]
    assert marcos.visitor.phones == ["+551134567890"]
    assert marcos.organization == "Pereira Transportes"
    assert marcos.tags == ["Vendas", "Frota"]
    assert marcos.utm["term"] == "rastreamento"
    assert marcos.geo.city == "Campinas"


@pytest.mark.parametrize("event", ["chat_finished", "chat_accepted", "chat_updated",
                                   "offline_message", "client_updated", "call_event"])
@pytest.mark.parametrize("ids", ["examples", "flipped"])
async def test_every_event_in_either_id_types_is_accepted(jivo_sandbox, receiver, event, ids):
    outcome = await send(jivo_sandbox, event=event, url=receiver.url("pontes"), ids=ids)
    assert outcome["ok"] is True, outcome["failure"]
    [parsed] = receiver.events
    assert parsed.payload["event_name"] == event
    assert parsed.entity_key == f"jivo:{WIDGET_ID}:client:2198" or event == "offline_message"


async def test_id_types_follow_the_documented_examples(jivo_sandbox, receiver):
    client = (await send(jivo_sandbox, event="client_updated", url=receiver.url()))["payload"]
    assert client["visitor"]["number"] == 2198 and client["client_id"] == "2198"
    accepted = (await send(jivo_sandbox, event="chat_accepted", url=receiver.url()))["payload"]
    assert accepted["visitor"]["number"] == "2198" and accepted["agent"]["id"] == "12"
    assert accepted["visitor"]["social"] == {} and accepted["analytics"] == {}
    flipped = (await send(jivo_sandbox, event="chat_accepted", url=receiver.url(),
                          ids="flipped"))["payload"]
    assert flipped["chat_id"] == "7601" and flipped["widget_id"] == int(WIDGET_ID)
    assert flipped["agent"]["id"] == 12


async def test_a_refused_delivery_is_a_failure(jivo_sandbox, receiver):
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url("pontes"),
                         overrides={"event_name": "chat_started"})
    assert outcome["ok"] is False
    assert outcome["failure"].startswith("HTTP 400:")
    assert "unknown Jivo event_name 'chat_started'" in outcome["failure"]
    assert receiver.events == []


async def test_an_event_pontes_does_not_read_is_acknowledged_without_events(jivo_sandbox,
                                                                            receiver):
    outcome = await send(jivo_sandbox, event="client_attribute_updated",
                         url=receiver.url("pontes"))
    assert outcome["ok"] is True and outcome["failure"] is None
    assert receiver.events == []


@pytest.mark.parametrize(("reply", "failure"), [
    (Reply(body={"result": "error"}), "result is 'error', not 'ok'"),
    (Reply(body={"status": "ok"}), "result is None, not 'ok'"),
    (Reply(body=["ok"]), "the answer is JSON but not an object"),
    (Reply(text="database down"), "error text instead of JSON: database down"),
    (Reply(text="database down", status=500), "HTTP 500: database down"),
    (Reply(body={"result": "ok"}, status=503), "HTTP 503"),
])
async def test_answers_other_than_ok_are_failures(jivo_sandbox, receiver, reply, failure):
    receiver.replies["bad"] = [reply]
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url("bad"))
    assert outcome["ok"] is False
    assert outcome["failure"].startswith(failure)
    assert len(outcome["attempts"]) == 1


async def test_an_unreachable_receiver_is_a_failure(jivo_sandbox):
    outcome = await send(jivo_sandbox, event="chat_finished", url="http://127.0.0.1:9/hook")
    assert outcome["ok"] is False
    assert outcome["failure"].startswith("no answer: ConnectError")


async def test_a_slow_receiver_times_out(jivo_sandbox, receiver):
    config = await jivo_sandbox.post("/_sandbox/config", json={"reply_timeout": 0.2})
    assert config.json() == {"reply_timeout": 0.2, "retries": 0}
    receiver.replies["slow"] = [Reply(delay=1.5)]
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url("slow"))
    assert outcome["ok"] is False
    assert outcome["failure"].startswith("no answer: ReadTimeout")


async def test_retries_repeat_the_same_body_and_the_plugin_sees_one_event(
        jivo_sandbox, receiver):
    receiver.replies["flaky"] = [Reply(text="busy", status=502), Reply({"result": "ok"})]
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url("flaky"),
                         retries=2)
    assert outcome["ok"] is True
    assert [a["status"] for a in outcome["attempts"]] == [502, 200]
    first, second = receiver.bodies("flaky")
    assert first == second
    keys = {parse_webhook(webhook_request(body))[0].idempotency_key for body in (first, second)}
    assert keys == {f"jivo:{WIDGET_ID}:chat_finished:7601"}


async def test_no_retry_unless_asked(jivo_sandbox, receiver):
    receiver.replies["down"] = [Reply(text="busy", status=502)]
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url("down"))
    assert len(outcome["attempts"]) == 1 and len(receiver.bodies("down")) == 1
    await jivo_sandbox.post("/_sandbox/config", json={"retries": 1})
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url("down"))
    assert len(outcome["attempts"]) == 2


async def test_the_agent_panel_and_contact_info_of_an_ok_answer(jivo_sandbox, receiver):
    from pontes.plugin import Contact, Deal

    panel = agent_panel_reply(
        deals=[Deal(title="Plano Pro", stage="Proposta")],
        crm_link="https://crm.example.com/contacts/9",
        contact_info=Contact(name="Anônimo Identificado", phones=["+55 21 97777-0000"]),
    )
    receiver.replies["panel"] = [Reply(body=panel)]
    outcome = await send(jivo_sandbox, event="chat_accepted", url=receiver.url("panel"),
                         sample="anonymous")
    assert outcome["ok"] is True and outcome["problems"] == []
    assert outcome["agent_panel"]["crm_link"] == "https://crm.example.com/contacts/9"
    assert outcome["agent_panel"]["custom_data"] == [{"title": "Plano Pro",
                                                      "content": "Proposta"}]

    chat = (await jivo_sandbox.get("/_sandbox/chats/7660")).json()
    assert chat["visitor"]["name"] == "Anônimo Identificado"
    assert chat["visitor"]["phone"] == "+5521977770000"
    assert chat["agent_panel"] == outcome["agent_panel"]
    assert chat["log"] and "phone=+5521977770000" in chat["log"][0]

    finished = await send(jivo_sandbox, event="chat_finished", url=receiver.url("ok"),
                          sample="anonymous")
    assert finished["payload"]["visitor"]["name"] == "Anônimo Identificado"
    assert finished["payload"]["visitor"]["phone"] == "+5521977770000"


async def test_a_panel_answer_without_ok_shows_nothing(jivo_sandbox, receiver):
    receiver.replies["nope"] = [Reply(body={"result": "fail", "crm_link": "https://crm/1",
                                            "contact_info": {"name": "X", "phone": "1"}})]
    outcome = await send(jivo_sandbox, event="chat_updated", url=receiver.url("nope"))
    assert outcome["ok"] is False
    assert outcome["failure"] == "result is 'fail', not 'ok'; the agent is shown nothing"
    assert outcome["agent_panel"] is None
    chat = (await jivo_sandbox.get("/_sandbox/chats/7601")).json()
    assert chat["agent_panel"] is None and chat["log"] == []
    assert chat["visitor"]["name"] == "Ana Souza"


async def test_malformed_panel_parts_are_dropped_and_reported(jivo_sandbox, receiver):
    receiver.replies["odd"] = [Reply(body={
        "result": "ok", "custom_data": [{"title": "no content"}, {"content": "kept"}],
        "crm_link": "crm/1", "enable_assign": "yes", "contact_info": {"phone": "1"}})]
    outcome = await send(jivo_sandbox, event="chat_accepted", url=receiver.url("odd"))
    assert outcome["ok"] is True
    assert outcome["agent_panel"] == {"custom_data": [{"content": "kept"}]}
    assert len(outcome["problems"]) == 4


async def test_extra_fields_on_other_events_are_ignored(jivo_sandbox, receiver):
    receiver.replies["extra"] = [Reply(body={"result": "ok", "crm_link": "https://crm/1"})]
    outcome = await send(jivo_sandbox, event="client_updated", url=receiver.url("extra"))
    assert outcome["ok"] is True and outcome["agent_panel"] is None
    assert outcome["problems"] == [
        "ignored: crm_link (Jivo reads only 'result' for client_updated)"]


@pytest.mark.parametrize(("status", "has_record", "has_reason"), [
    ("start", False, False), ("agent_connected", False, False), ("end", True, False),
    ("error", False, True)])
async def test_calls_follow_the_documented_rules(jivo_sandbox, receiver, status, has_record,
                                                 has_reason):
    outcome = await send(jivo_sandbox, event="call_event", url=receiver.url(),
                         overrides={"call": {"status": status,
                                             "record_url": "https://r/1.mp3",
                                             "reason": "busy"}})
    call = outcome["payload"]["call"]
    assert call["status"] == status and call["type"] == "callback"
    assert ("record_url" in call) is has_record
    assert ("reason" in call) is has_reason


async def test_overrides_are_merged_into_the_body(jivo_sandbox, receiver):
    outcome = await send(jivo_sandbox, event="chat_finished", url=receiver.url(),
                         overrides={"chat_id": 9001, "visitor": {"phone": "11 2222-3333"},
                                    "tags": []})
    body = outcome["payload"]
    assert body["chat_id"] == 9001 and outcome["chat_id"] == "9001"
    assert body["visitor"]["phone"] == "11 2222-3333"
    assert body["visitor"]["name"] == "Ana Souza"
    assert body["tags"] == []


@pytest.mark.parametrize(("spec", "field"), [
    ({"event": "chat_started", "url": "http://x"}, "event 'chat_started'"),
    ({"event": "chat_finished"}, "url None"),
    ({"event": "chat_finished", "url": "ftp://x"}, "url 'ftp://x'"),
    ({"event": "chat_finished", "url": "http://x", "sample": "zé"}, "sample 'zé'"),
    ({"event": "chat_finished", "url": "http://x", "ids": "mixed"}, "ids 'mixed'"),
    ({"event": "chat_finished", "url": "http://x", "retries": -1}, "retries -1"),
    ({"event": "chat_finished", "url": "http://x", "overrides": [1]}, "overrides"),
    ({"event": "call_event", "url": "http://x", "overrides": {"call": {"status": "ringing"}}},
     "overrides.call.status 'ringing'"),
    ({"event": "call_event", "url": "http://x", "overrides": {"call": {"type": "sip"}}},
     "overrides.call.type 'sip'"),
])
async def test_bad_control_requests_name_the_field(jivo_sandbox, spec, field):
    response = await jivo_sandbox.post("/_sandbox/send", json=spec)
    assert response.status_code == 400
    assert response.json()["error"].startswith(field)


async def test_bad_config_is_refused(jivo_sandbox):
    response = await jivo_sandbox.post("/_sandbox/config", json={"reply_timeout": 0})
    assert response.status_code == 400 and "reply_timeout" in response.json()["error"]
    response = await jivo_sandbox.post("/_sandbox/config", json={"retries": "2"})
    assert response.status_code == 400 and "retries" in response.json()["error"]


async def test_reset_forgets_chats_and_outcomes(jivo_sandbox, receiver):
    await send(jivo_sandbox, event="chat_finished", url=receiver.url())
    assert (await jivo_sandbox.get("/_sandbox/chats/7601")).status_code == 200
    await jivo_sandbox.post("/_sandbox/reset")
    assert (await jivo_sandbox.get("/_sandbox/outcomes")).json() == []
    assert (await jivo_sandbox.get("/_sandbox/deliveries")).json() == []
    assert (await jivo_sandbox.get("/_sandbox/chats/7601")).status_code == 404
