"""A client's and a company's tickets, and canonical status changes, against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from pontes.plugin import Contact, PermanentFailure, Ticket, TicketStatus

pytestmark = pytest.mark.anyio


def last_query(sandbox) -> dict[str, list[str]]:
    return parse_qs([r["query"] for r in sandbox.control("GET", "/requests")][-1])


async def test_a_clients_tickets_come_newest_first_through_the_lambda_filter(conn, sandbox):
    sandbox.control("POST", "/seed", {"tickets": [
        {"id": 2001, "subject": "Older", "clients": [{"id": "cli-carla"}],
         "createdDate": (datetime.now(UTC) - timedelta(days=30)).isoformat()},
        {"id": 2002, "subject": "Someone else's", "clients": [{"id": "cli-joao"}]}]})
    tickets = await conn.call("ticket.list_for_client", contact_id="cli-carla")
    assert [t.number for t in tickets] == ["1003", "2001"]
    assert tickets[0].requester.ref(conn.name) == "cli-carla" and tickets[0].messages == []
    query = last_query(sandbox)
    assert query["$filter"] == ["clients/any(c: c/id eq 'cli-carla')"]
    assert query["$orderby"] == ["createdDate desc, id desc"]


async def test_a_companys_tickets_are_its_own_and_its_peoples(conn, sandbox):
    sandbox.control("POST", "/seed", {"tickets": [
        {"id": 2003, "subject": "Opened for the company", "clients": [{"id": "org-acme"}]}]})
    tickets = await conn.call("ticket.list_for_company", company_id="org-acme")
    assert {t.number for t in tickets} == {"1001", "2003"}
    open_ones = await conn.call("ticket.list_for_company", company_id="org-acme",
                                only_open=True)
    assert {t.number for t in open_ones} == {"1001", "2003"}
    sandbox.call("PATCH", "/tickets", id=2003, json={"status": "Resolvido"})
    open_ones = await conn.call("ticket.list_for_company", company_id="org-acme",
                                only_open=True)
    assert [t.number for t in open_ones] == ["1001"]


async def test_a_quote_in_an_id_is_escaped(conn, sandbox):
    assert await conn.call("ticket.list_for_client", contact_id="o'brien") == []
    assert last_query(sandbox)["$filter"] == ["clients/any(c: c/id eq 'o''brien')"]


async def test_set_status_writes_the_accounts_status_and_its_justification(conn, sandbox):
    canceled = await conn.call("ticket.set_status", id="1002", status=TicketStatus.canceled)
    assert canceled.status is TicketStatus.canceled and canceled.vendor_status == "Cancelado"
    assert sandbox.stored_ticket(1002)["justification"] == "Desistência do cliente"
    solved = await conn.call("ticket.set_status", id="1002", status=TicketStatus.solved)
    assert solved.status is TicketStatus.solved and solved.resolved_at is not None


async def test_set_status_names_a_status_the_connection_has_no_name_for(connect, sandbox):
    conn = connect(sandbox, status_names={"solved": "Resolvido"})
    with pytest.raises(PermanentFailure, match="no Movidesk status is named for 'open'"):
        await conn.call("ticket.set_status", id="1002", status=TicketStatus.open)


async def test_a_status_the_account_lacks_is_refused_by_movidesk(connect, sandbox):
    conn = connect(sandbox, status_names={**{s.value: "Novo" for s in TicketStatus},
                                          "solved": "Concluído"})
    with pytest.raises(Exception, match="Concluído"):
        await conn.call("ticket.set_status", id="1002", status=TicketStatus.solved)


async def test_a_dotted_path_in_a_filter_is_refused_as_movidesk_refuses_it(sandbox):
    answer = sandbox.call("GET", "/tickets", **{"$select": "id",
                                                "$filter": "owner.id eq 'agent-ana'"})
    assert answer.status_code == 400 and "owner.id" in answer.text
    answer = sandbox.call("GET", "/tickets", **{"$select": "id",
                                                "$filter": "owner/id eq 'agent-ana'"})
    assert answer.status_code == 200 and 1001 in [row["id"] for row in answer.json()]


async def test_a_reply_is_written_as_the_agent_named(conn, sandbox):
    replied = await conn.call("ticket.reply", id="1002", text="Ana aqui.", agent="agent-ana")
    assert replied.messages[-1].author == "Ana Lima"
    assert sandbox.stored_ticket(1002)["actions"][-1]["createdBy"]["id"] == "agent-ana"


async def test_a_ticket_is_opened_for_the_client_with_the_requesters_e_mail(conn, sandbox):
    made = await conn.call("ticket.create", Ticket(
        subject="Segunda via", requester=Contact(emails=["carla.dias@example.com.br"])))
    assert made.requester.ref(conn.name) == "cli-carla"
    assert [c["id"] for c in sandbox.stored_ticket(int(made.number))["clients"]] == \
        ["cli-carla"]
