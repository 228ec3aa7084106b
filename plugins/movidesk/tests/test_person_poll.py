"""The persons poller: client people and companies whose ``changedDate`` moved become
``contact.changed`` / ``company.changed`` events, loaded again from Movidesk."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from pontes.plugin import Company, Contact
from pontes_movidesk.triggers import load_person, poll_persons

pytestmark = pytest.mark.anyio


async def test_first_poll_lists_client_people_and_companies_but_not_agents(connect, sandbox):
    sandbox.control("POST", "/seed", {"persons": [
        {"id": "agent-new", "personType": 1, "profileType": 1, "accessProfile": "Agentes",
         "businessName": "Agente Novo"}]})
    result = await poll_persons(connect(sandbox, poll_lookback_hours=48), None)
    by_id = {e.record_id: e.type for e in result.events}
    assert by_id["cli-maria"] == "contact.changed"
    assert by_id["org-acme"] == "company.changed"
    assert "agent-new" not in by_id
    query = parse_qs([r["query"] for r in sandbox.control("GET", "/requests")][-1])
    assert query["$filter"][0].startswith("changedDate ge ")
    assert query["$orderby"] == ["changedDate asc"]
    times = [e.occurred_at for e in result.events]
    assert times == sorted(times)
    assert result.cursor >= max(times).isoformat(timespec="microseconds")


async def test_an_edit_is_a_new_event_and_an_unchanged_person_repeats_its_key(connect, sandbox):
    conn = connect(sandbox, poll_lookback_hours=48, poll_overlap_seconds=0)
    first = await poll_persons(conn, None)
    quiet = await poll_persons(conn, first.cursor)
    assert [e.idempotency_key for e in quiet.events] == [first.events[-1].idempotency_key]

    sandbox.control("POST", "/clock", {"advance_seconds": 1})
    sandbox.call("PATCH", "/persons", id="cli-maria",
                 json={"businessName": "Maria Souza Lima"}).raise_for_status()
    changed = await poll_persons(conn, quiet.cursor)
    [edit] = [e for e in changed.events if e.record_id == "cli-maria"]
    assert edit.idempotency_key not in {e.idempotency_key for e in first.events}
    assert changed.cursor > quiet.cursor
    contact = await load_person(conn, edit)
    assert isinstance(contact, Contact) and contact.name == "Maria Souza Lima"


async def test_a_company_event_loads_the_company(connect, sandbox):
    conn = connect(sandbox, poll_lookback_hours=48)
    result = await poll_persons(conn, None)
    [event] = [e for e in result.events if e.record_id == "org-acme"]
    company = await load_person(conn, event)
    assert isinstance(company, Company) and company.name == "Acme Indústria"
