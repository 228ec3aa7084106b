"""The ``chat`` mapper: Jivo body -> Chat -> Jivo body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pontes.plugin import Address, Chat, Company, Contact, Direction, Message, UserRef
from pontes.testing import webhook_request
from pontes.testing.round_trip import canonical_emails, canonical_phones, records_with, words
from pontes_jivo.mappers import chat_from_canonical, chat_to_canonical
from pontes_jivo.triggers import parse_webhook
from pontes_jivo.utm import UTM_KEYS

START = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)


def sample_chat(**changes) -> Chat:
    chat = Chat(
        refs={"jivo": "7601"},
        visitor=Contact(name="Ana Souza", emails=["ana@example.com.br"],
                        phones=["+5511987654321"], refs={"jivo": "2198"},
                        company=Company(name="Souza ME", refs={"jivo": "5"}),
                        owner=UserRef(remote_id="3", name="Carla", email="carla@example.com")),
        agent=UserRef(remote_id="12", name="Carla Mendes", email="carla@example.com"),
        messages=[
            Message(author="Ana Souza", direction=Direction.inbound, text="Oi",
                    sent_at=START),
            Message(author="Carla Mendes", direction=Direction.outbound, text="Olá!",
                    sent_at=START + timedelta(seconds=30)),
        ],
        started_at=START,
        finished_at=START + timedelta(seconds=30),
        page_url="https://loja.example.com.br/planos",
        page_title="Planos",
        utm={"source": "google", "medium": "cpc", "campaign": "inverno"},
        geo=Address(city="São Paulo", state="São Paulo", country="BR"),
        tags=["Vendas", "Frota"],
        description="Cliente antigo",
        organization="Souza ME",
    )
    return chat.model_copy(update=changes)


COMPARED = {"visitor", "agent", "messages", "started_at", "finished_at", "page_url",
            "page_title", "utm", "geo", "tags", "description", "organization", "offline",
            "refs"}


def comparable(chat: Chat) -> dict:
    data = chat.model_dump(include=COMPARED)
    if data["visitor"]:
        data["visitor"].pop("id")
        if data["visitor"]["company"]:
            data["visitor"]["company"].pop("id")
    return data


def test_the_mapper_is_registered(pontes_registry):
    mapper = pontes_registry.mapper("jivo", "chat")
    assert mapper is not None and mapper.model is Chat


def test_round_trip_keeps_the_chat(pontes_registry):
    mapper = pontes_registry.mapper("jivo", "chat")
    chat = sample_chat()
    body = mapper.from_canonical(chat, "jivo")
    again = mapper.to_canonical(body, "jivo")
    assert comparable(again) == comparable(chat)
    assert again.remote_data == body


def test_from_canonical_writes_jivo_shapes_and_id_types(pontes_registry):
    body = pontes_registry.mapper("jivo", "chat").from_canonical(sample_chat(), "jivo")
    assert body["event_name"] == "chat_finished"
    assert body["chat_id"] == 7601
    assert isinstance(body["widget_id"], str)
    assert body["visitor"]["number"] == "2198"
    assert body["agents"] == [{"id": "12", "name": "Carla Mendes", "email": "carla@example.com"}]
    assert body["chat"]["messages"][1] == {"message": "Olá!", "timestamp": 1717416030,
                                           "type": "agent", "agent_id": 12}
    assert "agent_id" not in body["chat"]["messages"][0]
    assert body["session"]["utm"] == "source=google|medium=cpc|campaign=inverno"
    assert body["session"]["utm_json"] == {"source": "google", "medium": "cpc",
                                           "campaign": "inverno"}
    assert body["organization"] == {"id": "5", "name": "Souza ME"}
    assert body["tags"] == [{"title": "Vendas"}, {"title": "Frota"}]
    event = parse_webhook(webhook_request(body, connection="jivo"))[0]
    assert event.type == "chat.finished"


def test_an_offline_chat_becomes_an_offline_message(pontes_registry):
    mapper = pontes_registry.mapper("jivo", "chat")
    chat = sample_chat(offline=True, agent=None, finished_at=None, started_at=None,
                       messages=[Message(author="Ana Souza", direction=Direction.inbound,
                                         text="Me liguem amanhã")])
    body = mapper.from_canonical(chat, "jivo")
    assert body["event_name"] == "offline_message"
    assert body["message"] == "Me liguem amanhã"
    assert "chat" not in body and "agents" not in body
    assert comparable(mapper.to_canonical(body, "jivo")) == comparable(chat)


def test_a_chat_from_jivo_keeps_its_channel(pontes_registry, examples):
    mapper = pontes_registry.mapper("jivo", "chat")
    chat = mapper.to_canonical(examples["chat_finished"], "jivo")
    assert mapper.from_canonical(chat, "jivo")["widget_id"] == "51234"


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
               min_size=1, max_size=30).map(str.strip).filter(bool)
utm_values = st.dictionaries(st.sampled_from(["source", "medium", "campaign", "content", "term"]),
                             text, max_size=5)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.tuples(st.booleans(), text, st.integers(0, 10**6)), max_size=8),
       utm=utm_values, tags=st.lists(text, max_size=3, unique=True))
def test_round_trip_of_generated_chats(lines, utm, tags):
    messages = [
        Message(author="Carla Mendes" if from_agent else "Ana Souza",
                direction=Direction.outbound if from_agent else Direction.inbound,
                text=body, sent_at=START + timedelta(seconds=offset))
        for from_agent, body, offset in lines
    ]
    times = [m.sent_at for m in messages]
    chat = sample_chat(messages=messages, utm=utm, tags=tags,
                       started_at=min(times) if times else None,
                       finished_at=max(times) if times else None)
    again = chat_to_canonical(chat_from_canonical(chat, "jivo"), "jivo")
    assert comparable(again) == comparable(chat)


@pytest.mark.parametrize("name", ["chat_finished", "offline_message"])
def test_documented_bodies_survive_a_round_trip(pontes_registry, examples, name):
    mapper = pontes_registry.mapper("jivo", "chat")
    chat = mapper.to_canonical(examples[name], "jivo")
    again = mapper.to_canonical(mapper.from_canonical(chat, "jivo"), "jivo")
    expected = comparable(chat)
    if name == "chat_finished":
        # Jivo's agents[] lists everyone; the canonical chat names one agent, so the second
        # agent's lines come back under the chat's agent.
        for line in expected["messages"]:
            if line["direction"] == "outbound":
                line["author"] = chat.agent.name
    assert comparable(again) == expected


ROUND_TRIP_FIELDS = [
    ("refs", st.just({"jivo": "7601"})),
    "visitor.name",
    ("visitor.emails", st.lists(canonical_emails(), max_size=1)),
    ("visitor.phones", st.lists(canonical_phones(), max_size=1)),
    ("visitor.refs", st.integers(1, 10**9).map(lambda n: {"jivo": str(n)})),
    "agent.remote_id", "agent.name", "agent.email",
    "page_url", "page_title",
    ("utm", st.dictionaries(st.sampled_from(UTM_KEYS), words(), max_size=5)),
    ("geo", st.builds(Address, city=words(), state=words(),
                      country=st.sampled_from(["BR", "PT", "US"]))),
    "tags", "description",
]
"""What a Jivo body holds of a chat: one e-mail and one phone, the documented UTM marks,
city/region/country of the geo IP."""


@settings(max_examples=80, deadline=None)
@given(records_with(Chat, ROUND_TRIP_FIELDS))
def test_round_trip_of_the_fields_jivo_holds(chat):
    again = chat_to_canonical(chat_from_canonical(chat, "jivo"), "jivo")
    assert comparable(again) == comparable(chat)


def test_ids_that_would_not_read_back_stay_text():
    chat = sample_chat(refs={"jivo": "007601"},
                       agent=UserRef(remote_id="012", name="Carla Mendes"))
    body = chat_from_canonical(chat, "jivo")
    assert body["chat_id"] == "007601"
    assert body["chat"]["messages"][1]["agent_id"] == "012"
    again = chat_to_canonical(body, "jivo")
    assert again.messages[1].author == "Carla Mendes"
