"""Satisfaction-survey answers as ``ticket.rated``, polled from the sandbox."""

from __future__ import annotations

import pytest
from pontes_movidesk.rating_poll import load_rated_ticket, poll_ratings, rating_of

pytestmark = pytest.mark.anyio


def answer(answer_id: str, **fields) -> dict:
    return {"id": answer_id, "questionId": "pZN7", "clientId": "cli-maria", "type": 2,
            "ticketId": 1001, "responseDate": "2026-12-01T13:35:38.0174433",
            "commentary": "", "value": 5, **fields}


@pytest.mark.parametrize("kind, value, rating", [
    (1, 1, "good"), (1, 2, "bad"), (2, 5, "good"), (2, 3, "okay"), (2, 1, "bad"),
    (3, 10, "good"), (3, 7, "okay"), (3, 6, "bad"), (4, 1, "good"), (4, 2, "bad"),
    (2, 9, None), (5, 1, None), (1, "1", None)])
def test_an_answer_reads_as_good_okay_or_bad_by_its_survey_type(kind, value, rating):
    assert rating_of({"type": kind, "value": value}) == rating


async def test_the_first_poll_notes_where_answers_end_and_later_ones_are_ratings(conn, sandbox):
    sandbox.control("POST", "/seed", {"survey_responses": [answer("a001"), answer("a002")]})
    first = await poll_ratings(conn, None)
    assert first.events == [] and first.cursor == "a002"
    sandbox.control("POST", "/seed", {"survey_responses": [
        answer("a003", value=1, commentary="Demorou demais."),
        answer("a004", type=3, value=10, ticketId=1002)]})
    later = await poll_ratings(conn, first.cursor)
    assert [(e.type, e.idempotency_key, e.record_id, e.entity_key) for e in later.events] == [
        ("ticket.rated", "survey-response:a003", "1001", "ticket:1001"),
        ("ticket.rated", "survey-response:a004", "1002", "ticket:1002")]
    assert later.cursor == "a004"
    rated = await load_rated_ticket(conn, later.events[0])
    assert rated.number == "1001"
    assert (rated.custom["rating"], rated.custom["rating_feedback"]) == ("bad", "Demorou demais.")
    assert (await poll_ratings(conn, later.cursor)).events == []


async def test_a_first_poll_that_cannot_reach_the_end_goes_on_noting(connect, sandbox,
                                                                      monkeypatch):
    monkeypatch.setattr("pontes_movidesk.rating_poll.PAGE_LIMIT", 1)
    monkeypatch.setattr("pontes_movidesk.rating_poll.MAX_PAGES_PER_POLL", 2)
    sandbox.control("POST", "/seed", {"survey_responses": [
        answer(f"b00{n}") for n in range(1, 6)]})
    conn = connect(sandbox)
    first = await poll_ratings(conn, None)
    assert first.events == [] and first.cursor.startswith("~")
    cursor = first.cursor
    while cursor.startswith("~"):
        step = await poll_ratings(conn, cursor)
        assert step.events == []
        cursor = step.cursor
    sandbox.control("POST", "/seed", {"survey_responses": [answer("b009")]})
    assert [e.idempotency_key for e in (await poll_ratings(conn, cursor)).events] == [
        "survey-response:b009"]
