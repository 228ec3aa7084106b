"""Movidesk's export streams: the tables of seed 002, and how they read the API (pages,
``$expand``, ``/tickets/past`` then ``/tickets``, keyset paging); the survey endpoints
and the indexed ticket lists of the sandbox; the generated dataset."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from pontes.config import parse_config
from pontes.errors import ConfigError
from pontes.export import compile_stream
from pontes.export.plan import DELETED_COLUMN
from pontes.runtime import Runtime
from pontes_movidesk.connector import kit
from pontes_movidesk.sandbox.dataset import Population, dataset, response_id
from pontes_movidesk.sandbox.timefmt import format_instant, parse_instant
from pontes_movidesk.streams import (
    read_persons,
    read_survey_questions,
    read_survey_responses,
    read_tickets,
)

from .conftest import Sandbox

NOW = datetime.now(UTC).replace(microsecond=0)
TICKETS = 260

SEED_002 = {
    "movidesk_persons": {
        "id": "text", "persontype": "text", "classification": "text", "bossname": "text",
        "cultureid": "text", "cpfcnpj": "text", "role": "text", "observations": "text",
        "profiletype": "text", "timezoneid": "text", "codereferenceadditional": "text",
        "createdby": "text", "createddate": "timestamp", "bossid": "text", "isactive": "boolean",
        "username": "text", "changedby": "text", "authenticateon": "text",
        "accessprofile": "text", "changeddate": "timestamp", "businessname": "text",
        "corporatename": "text",
    },
    "movidesk_persons__relationships": {
        "persons_id": "text", "allowallservices": "boolean", "includeinparents": "text",
        "isgetmethod": "boolean", "name": "text", "slaagreement": "text",
        "loadchildorganizations": "boolean", "forcechildrentohavesomeagreement": "boolean",
        "relationship_id": "text",
    },
    "movidesk_persons__contacts": {
        "persons_id": "text", "contact": "text", "isdefault": "boolean", "contacttype": "text",
    },
    "movidesk_persons__emails": {
        "emailtype": "text", "email": "text", "isdefault": "boolean", "persons_id": "text",
    },
    "movidesk_tickets": {
        "id": "text", "protocol": "text", "origin": "text", "cc": "text",
        "slasolutionchangedbyuser": "boolean", "systemstatus": "text", "isdeleted": "boolean",
        "chattalktime": "float", "slasolutiondate": "timestamp", "movideskticketnumber": "text",
        "redmineissueid": "text", "closedin": "timestamp", "slasolutiontime": "float",
        "type": "text", "chatwidget": "text", "slaagreement": "text",
        "linkedtointegratedticketnumber": "text", "createddate": "timestamp",
        "actioncount": "float", "servicefirstlevel": "text", "servicefull": "text",
        "tags": "text", "sequence": "text", "slaresponsetime": "float", "jiraissuekey": "text",
        "servicethirdlevel": "text", "resolvedin": "timestamp", "lastactiondate": "timestamp",
        "chatwaitingtime": "float", "subject": "text", "category": "text",
        "slaresponsedate": "timestamp", "slaagreementrule": "text", "reopenedin": "timestamp",
        "servicefirstlevelid": "text", "lifetimeworkingtime": "float",
        "slasolutiondateispaused": "boolean", "stoppedtime": "float", "basestatus": "text",
        "status": "text", "lastupdate": "timestamp", "justification": "text",
        "slarealresponsedate": "timestamp", "originemailaccount": "text", "chatgroup": "text",
        "ownerteam": "text", "contactform": "text", "stoppedtimeworkingtime": "float",
        "resolvedinfirstcall": "boolean", "servicesecondlevel": "text", "urgency": "text",
    },
    "movidesk_tickets__clients": {
        "ticket_id": "text", "persontype": "text", "reference": "text", "bairro": "text",
        "complement": "text", "address": "text", "number": "text", "phone": "text", "cep": "text",
        "client_id": "text", "isdeleted": "text", "city": "text", "pathpicture": "text",
        "profiletype": "text", "businessname": "text", "email": "text",
    },
    "movidesk_tickets__owners": {
        "ticket_id": "text", "persontype": "text", "reference": "text", "bairro": "text",
        "complement": "text", "address": "text", "number": "text", "phone": "text", "cep": "text",
        "owner_id": "text", "city": "text", "pathpicture": "text", "profiletype": "text",
        "businessname": "text", "email": "text",
    },
    "movidesk_tickets__actions": {
        "ticket_id": "text", "id": "text", "origin": "text", "status": "text",
        "justification": "text", "description": "text", "actions__createddate": "timestamp",
        "htmldescription": "text", "tags": "text", "type": "text", "isdeleted": "boolean",
    },
    "movidesk_tickets__satisfactionsurveyresponses": {
        "ticket_id": "text", "satisfactionsurveyresponses__id": "text",
        "positivenegativeresponse": "float", "responsedate": "timestamp",
        "netpromoterscoreresponse": "float", "smileyfacesresponse": "float", "comments": "text",
        "satisfactionsurveymodel": "text",
    },
    "movidesk_customFieldValues": {
        "ticket_id": "text", "lastupdate": "timestamp", "line": "float",
        "customfieldruleid": "text", "customfieldid": "text", "value": "text",
    },
    "movidesk_customFieldValues__items": {
        "ticket_id": "text", "customfieldid": "text", "personid": "text",
        "storagefileguid": "text", "clientid": "text", "filename": "text", "team": "text",
        "customfielditem": "text",
    },
    "movidesk_survey_questions": {
        "id": "text", "type": "float", "isactive": "boolean",
    },
    "movidesk_survey_questions__languages": {
        "question_id": "text", "cultureid": "text", "description": "text",
    },
    "movidesk_survey_responses": {
        "id": "text", "questionid": "text", "responsedate": "timestamp", "value": "float",
        "commentary": "text", "ticketid": "float", "type": "float", "clientid": "text",
    },
}
"""Seed 002's tables: name -> column -> type (display names mapped as docs/export.md says)."""


@pytest.fixture(scope="module")
def account():
    """A sandbox holding a generated account of 260 tickets (served for this module)."""
    served = Sandbox(seed=dataset(TICKETS, seed=11, now=NOW))
    yield served
    served.stop()


@pytest.fixture
def desk(account):
    """The module's account, reset to its generated data (and an empty request log)."""
    account.control("POST", "/reset")
    return account


def stored_tickets(desk) -> list[dict]:
    return desk.control("GET", "/state")["tickets"]


def calls(desk, path: str) -> list[dict[str, list[str]]]:
    """The query strings of the API calls made to ``path`` (``/tickets``...)."""
    return [parse_qs(r["query"]) for r in desk.control("GET", "/requests")
            if r["path"] == "/public/v1" + path]


def is_past(ticket: dict) -> bool:
    return parse_instant(ticket["lastUpdate"]) < datetime.now(UTC) - timedelta(days=90)


def is_recent(ticket: dict) -> bool:
    return parse_instant(ticket["lastUpdate"]) > datetime.now(UTC) - timedelta(days=60)


def pages(rows: int, size: int) -> int:
    """How many full or partial pages ``rows`` rows fill."""
    return -(-rows // size)


async def collect(reader, conn, cursor=None) -> list[dict]:
    return [row async for row in reader(conn, cursor)]


# --- declarations ---------------------------------------------------------------------


def test_the_streams_declare_every_table_and_column_of_seed_002_with_its_type():
    tables = {table.table: table.column_types()
              for plan in map(compile_stream, kit.streams()) for table in plan.root.tables()}
    assert tables == SEED_002


def test_keys_cursors_and_the_custom_field_table():
    plans = {plan.name: plan for plan in map(compile_stream, kit.streams())}
    assert set(plans) == {"persons", "tickets", "survey_questions", "survey_responses"}
    assert all(plan.primary_key == ("id",) for plan in plans.values())
    tickets = plans["tickets"]
    assert (tickets.cursor_field, tickets.cursor_type, tickets.stream.lag) == \
        ("lastupdate", "timestamp", 600.0)
    assert [p.cursor_field for n, p in plans.items() if n != "tickets"] == [None] * 3
    custom = tickets.root.detached[0]
    assert (custom.table, custom.merge_key) == ("movidesk_customFieldValues", ("ticket_id",))
    assert DELETED_COLUMN not in custom.column_types()


# --- reading tickets ------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_full_read_takes_past_pages_then_recent_ones_in_change_order(desk, connect):
    rows = await collect(read_tickets, connect(desk, export_action_html=False))

    stored = stored_tickets(desk)
    assert sorted(r["id"] for r in rows) == sorted(t["id"] for t in stored)
    moments = [parse_instant(r["lastUpdate"]) for r in rows]
    assert moments == sorted(moments)
    past, recent = calls(desk, "/tickets/past"), calls(desk, "/tickets")
    past_count = sum(is_past(t) for t in stored)
    assert 0 < past_count < len(stored)
    assert len(past) == pages(past_count, 100) + 1
    assert len(recent) == pages(len(stored) - past_count, 100) + 1
    for query in past + recent:
        assert query["$top"] == ["100"] and query["$orderby"] == ["lastUpdate asc,id asc"]
        assert set(query["$expand"][0].split(",")) == {
            "clients", "owner", "actions", "customFieldValues($expand=items)"}
        assert "$skip" not in query
    assert calls(desk, "/tickets/htmldescription") == []
    assert "$filter" not in past[0]
    first = rows[0]
    assert first["actions"] and first["clients"] and "customFieldValues" in first


@pytest.mark.anyio
async def test_a_recent_cursor_reads_only_the_changes_of_tickets(desk, connect):
    cursor = NOW - timedelta(days=20)
    rows = await collect(read_tickets, connect(desk, export_action_html=False), cursor)

    expected = [t["id"] for t in stored_tickets(desk) if parse_instant(t["lastUpdate"]) >= cursor]
    assert sorted(r["id"] for r in rows) == sorted(expected)
    assert calls(desk, "/tickets/past") == []
    assert calls(desk, "/tickets")[0]["$filter"] == \
        [f"lastUpdate ge {cursor.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"]


@pytest.mark.anyio
async def test_paging_survives_more_tickets_changed_at_one_instant_than_a_page(desk, connect):
    instant = format_instant(NOW - timedelta(hours=1))
    desk.control("POST", "/seed", {"tickets": [
        {"id": 50_000 + n, "subject": f"Importado {n}", "createdBy": {"id": "cli-000001"},
         "clients": [{"id": "cli-000001"}], "createdDate": instant, "lastUpdate": instant}
        for n in range(230)]})

    rows = await collect(read_tickets, connect(desk, export_action_html=False),
                         NOW - timedelta(hours=2))

    imported = [r["id"] for r in rows if r["id"] >= 50_000]
    assert sorted(imported) == list(range(50_000, 50_230))
    assert len(rows) == len({r["id"] for r in rows})
    later = calls(desk, "/tickets")[1]["$filter"][0]
    assert later.startswith(f"lastUpdate ge {instant}Z and (lastUpdate gt {instant}Z or id gt ")


@pytest.mark.anyio
async def test_listings_go_on_after_a_page_shorter_than_asked_for(connect):
    short = Sandbox(seed=dataset(TICKETS, seed=11, now=NOW), max_page_size=40)
    try:
        conn = connect(short, export_action_html=False)
        tickets = await collect(read_tickets, conn)
        persons = await collect(read_persons, conn)
        state = short.control("GET", "/state")
        assert sorted(r["id"] for r in tickets) == sorted(t["id"] for t in state["tickets"])
        assert len(persons) == len(state["persons"]) > 40
        assert {q["$top"][0] for q in calls(short, "/tickets") + calls(short, "/persons")} == \
            {"100"}
    finally:
        short.stop()


def test_a_page_size_over_movidesks_ceiling_is_refused_naming_the_key():
    config = parse_config({"store": "sqlite://", "connections": {"helpdesk": {
        "plugin": "movidesk", "token": "t", "page_size": 1000}}})
    with pytest.raises(ConfigError, match=r"connections\.helpdesk\.page_size.*100"):
        Runtime.build(config, key=b"k" * 32)


@pytest.mark.anyio
async def test_satisfaction_answers_come_from_the_survey_responses(desk, connect):
    unanswered = next(t for t in stored_tickets(desk)
                      if not t["satisfactionSurveyResponses"] and is_recent(t))
    desk.control("POST", "/seed", {"survey_responses": [
        {"id": "zz01", "questionId": "q3Np", "clientId": "cli-000001", "type": 3,
         "ticketId": unanswered["id"], "responseDate": "2025-03-10T13:35:38.0174433",
         "commentary": "Rápido", "value": 9},
        {"id": "zz02", "questionId": "q4Yn", "clientId": "cli-000001", "type": 4,
         "ticketId": unanswered["id"], "responseDate": "2025-03-10T13:36:00.0000000",
         "commentary": None, "value": 2}]})

    rows = await collect(read_tickets, connect(desk, export_action_html=False),
                         parse_instant(unanswered["lastUpdate"]))

    [row] = [r for r in rows if r["id"] == unanswered["id"]]
    assert row["satisfactionSurveyResponses"] == [
        {"id": "zz01", "responseDate": "2025-03-10T13:35:38.0174433", "comments": "Rápido",
         "satisfactionSurveyModel": 3, "netPromoterScoreResponse": 9},
        {"id": "zz02", "responseDate": "2025-03-10T13:36:00.0000000", "comments": None,
         "satisfactionSurveyModel": 1, "positiveNegativeResponse": 2}]
    responses = list(dataset(TICKETS, seed=11, now=NOW)["survey_responses"])
    assert len(calls(desk, "/survey/responses")) == pages(len(responses) + 2, 100)


@pytest.mark.anyio
async def test_each_actions_html_comes_from_its_own_endpoint(desk, connect):
    cursor = NOW - timedelta(days=3)
    rows = await collect(read_tickets, connect(desk), cursor)

    stored = {t["id"]: t for t in stored_tickets(desk)}
    actions = [(row["id"], a) for row in rows for a in row["actions"]]
    assert len(rows) > 3 and len(actions) > len(rows)
    for ticket_id, action in actions:
        [kept] = [a for a in stored[ticket_id]["actions"] if a["id"] == action["id"]]
        assert action["htmlDescription"] == kept["htmlDescription"]
        assert action["htmlDescription"].startswith("<p>")
    asked = [(q["id"], q["actionId"]) for q in calls(desk, "/tickets/htmldescription")]
    assert sorted(asked) == sorted(([str(t)], [str(a["id"])]) for t, a in actions)


# --- reading persons and surveys ------------------------------------------------------


@pytest.mark.anyio
async def test_persons_are_read_whole_in_pages_keyed_on_the_last_id(desk, connect):
    rows = await collect(read_persons, connect(desk, page_size=30))

    stored = desk.control("GET", "/state")["persons"]
    assert [r["id"] for r in rows] == sorted((p["id"] for p in stored), key=str.casefold)
    queries = calls(desk, "/persons")
    assert len(stored) > 60 and len(queries) == pages(len(stored), 30) + 1
    assert queries[1]["$filter"] == [f"id gt '{rows[29]['id']}'"]
    assert set(queries[0]["$expand"][0].split(",")) == {"relationships", "contacts", "emails"}
    assert any(r["relationships"] for r in rows) and any(r["contacts"] for r in rows)


@pytest.mark.anyio
async def test_survey_questions_and_responses_are_read_through_their_envelope(desk, connect):
    conn = connect(desk, page_size=30)
    questions = await collect(read_survey_questions, conn)
    responses = await collect(read_survey_responses, conn)

    assert [q["id"] for q in questions] == ["q1Sa", "q2Fc", "q3Np", "q4Yn"]
    assert all(len(q["languages"]) == 2 for q in questions)
    expected = list(dataset(TICKETS, seed=11, now=NOW)["survey_responses"])
    assert sorted(r["id"] for r in responses) == sorted(r["id"] for r in expected)
    pages = calls(desk, "/survey/responses")
    assert len(expected) > 30 and len(pages) == len(expected) // 30 + 1
    assert pages[0]["limit"] == ["30"]
    assert pages[1]["startingAfter"] == [sorted(r["id"] for r in expected)[29]]


def test_the_survey_endpoints_answer_pages_with_has_more(desk):
    first = desk.call("GET", "/survey/responses", limit=2).json()
    assert set(first) == {"hasMore", "items"} and first["hasMore"] is True
    assert len(first["items"]) == 2
    item = first["items"][0]
    assert set(item) == {"id", "questionId", "clientId", "type", "ticketId", "responseDate",
                         "commentary", "value"}
    assert isinstance(item["ticketId"], int) and len(item["responseDate"].split(".")[1]) == 7
    after = desk.call("GET", "/survey/responses", limit=2,
                      startingAfter=first["items"][1]["id"]).json()
    assert after["items"][0]["id"] > first["items"][1]["id"]
    assert desk.call("GET", "/survey/responses", limit=500).status_code == 400
    assert desk.call("GET", "/survey/questions", token="wrong").status_code == 401


def test_indexed_ticket_lists_answer_as_a_full_scan_does(desk):
    expand = {"$select": "id,lastUpdate,subject"}
    for path in ("/tickets", "/tickets/past"):
        for fast, slow in (
            ({"$orderby": "lastUpdate asc", "$skip": 7, "$top": 40,
              "$filter": f"lastUpdate ge {format_instant(NOW - timedelta(days=400))}Z "
                         "and subject ne 'nada'"},
             {"$orderby": "lastUpdate asc,subject asc", "$skip": 7, "$top": 40,
              "$filter": f"lastUpdate ge {format_instant(NOW - timedelta(days=400))}Z "
                         "and subject ne 'nada'"}),
            ({"$orderby": "lastUpdate asc", "$skip": 13, "$top": 25},
             {"$orderby": "lastUpdate asc,subject asc", "$skip": 13, "$top": 25}),
            ({"$orderby": "lastUpdate asc,id asc", "$skip": 5, "$top": 25,
              "$filter": f"lastUpdate gt {format_instant(NOW - timedelta(days=300))}Z"},
             {"$orderby": "lastUpdate asc,subject asc", "$skip": 5, "$top": 25,
              "$filter": f"lastUpdate gt {format_instant(NOW - timedelta(days=300))}Z"}),
            ({"$filter": "id gt 100", "$top": 30, "$skip": 4},
             {"$filter": "id gt 100", "$top": 30, "$skip": 4, "$orderby": "id asc,subject asc"}),
        ):
            quick = desk.call("GET", path, **expand, **fast).json()
            scanned = desk.call("GET", path, **expand, **slow).json()
            assert quick == scanned and quick


# --- the generated dataset ------------------------------------------------------------


def _materialise(data: dict) -> str:
    return json.dumps({key: list(value) for key, value in data.items()}, default=str)


def test_the_dataset_is_the_same_for_the_same_seed_and_differs_for_another():
    assert _materialise(dataset(40, seed=3, now=NOW)) == _materialise(dataset(40, seed=3, now=NOW))
    assert _materialise(dataset(40, seed=3, now=NOW)) != _materialise(dataset(40, seed=4, now=NOW))


def test_the_dataset_has_the_shape_of_a_support_desk():
    data = dataset(400, seed=5, now=NOW)
    persons, tickets = list(data["persons"]), list(data["tickets"])
    size = Population.for_tickets(400)
    kinds = [p["personType"] for p in persons]
    assert kinds.count(2) == size.companies and kinds.count(4) == size.departments
    assert len(persons) == size.agents + size.companies + size.departments + size.clients
    assert [t["id"] for t in tickets] == list(range(1, 401))
    assert all(t["createdDate"] <= t["lastUpdate"] <= NOW for t in tickets)
    assert sum(t["lastUpdate"] >= NOW - timedelta(days=90) for t in tickets) > 20
    assert sum(len(t["actions"]) for t in tickets) > 2 * len(tickets)
    numbers = [v["value"] for t in tickets for v in t["customFieldValues"]
               if v["customFieldId"] == 5003]
    assert numbers and all("," in n and "." not in n.split(",")[1] for n in numbers)
    answered = {t["id"]: t["satisfactionSurveyResponses"][0]["id"]
                for t in tickets if t["satisfactionSurveyResponses"]}
    responses = list(data["survey_responses"])
    assert {r["ticketId"]: r["id"] for r in responses} == answered
    assert response_id(1) != response_id(2)
