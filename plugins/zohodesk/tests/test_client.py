"""The plugin's client and actions against the sandbox over loopback: paging, the
``orgId``, errors, the credits budget, faults, replies to all and forwards, comments,
SLA flags, and finding what a cut-off create made."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from pontes.plugin import (
    AuthError,
    RateLimitedError,
    TicketStatus,
    VendorUnavailable,
    VendorValidationError,
)

from pontes_zohodesk.sandbox.state import SUPPORT_ADDRESS

pytestmark = pytest.mark.anyio


async def test_a_contacts_tickets_are_read_across_pages_newest_first(desk, desk_connection):
    contact = desk.contact()
    for n in range(130):
        desk.ticket(contact["id"], subject=f"T{n}")
    tickets = await desk_connection.call("ticket.list_for_client",
                                         {"contact_id": contact["id"]})
    assert len(tickets) == 130
    assert [t.number for t in tickets[:2]] == ["230", "229"]
    starts = [dict(parse_qsl(r["query"])).get("from")
              for r in desk.http.get("/_sandbox/requests").json()
              if r["path"].endswith("/tickets") and r["method"] == "GET"]
    assert starts == ["1", "101"]


async def test_an_empty_list_and_an_unknown_email_are_nothing(desk, desk_connection):
    contact = desk.contact()
    assert await desk_connection.call("ticket.list_for_client",
                                      {"contact_id": contact["id"]}) == []
    assert await desk_connection.call("contact.find_by_email",
                                      {"email": "nobody@example.com"}) is None


async def test_a_portal_the_token_does_not_reach_is_named(desk, registry):
    from pontes_zohodesk.sandbox import sandbox_settings

    settings = registry.connectors["zohodesk"].settings.model_validate(
        {**sandbox_settings(desk.url), "org_id": "777"})
    connection = registry.connect("desk-other-org", "zohodesk", settings)
    try:
        with pytest.raises(AuthError, match=r"org_id 777 .* reaches: 20090212 \(Acme Support\)"):
            await connection.connector.check(connection)
    finally:
        await connection.aclose()


async def test_a_refused_field_is_named_in_the_error(desk, desk_connection):
    contact = desk.contact()
    with pytest.raises(VendorValidationError, match="INVALID_DATA.*/accountId"):
        await desk_connection.call("contact.update", {
            "id": contact["id"],
            "changes": {"company": {"refs": {"desk": "900000000000999999"}}}})


@pytest.mark.parametrize("desk_options", [{"credits_per_day": 4}])
async def test_the_daily_credits_are_kept_by_the_budget_not_spent_into_429s(
        desk, desk_connection):
    for _ in range(4):
        await desk_connection.call("contact.find_by_email", {"email": "a@example.com"})
    with pytest.raises(RateLimitedError):
        await desk_connection.call("contact.find_by_email", {"email": "a@example.com"})
    statuses = [r["status"] for r in desk.http.get("/_sandbox/requests").json()
                if r["path"].startswith("/api/")]
    assert len(statuses) == 4 and 429 not in statuses


async def test_a_429_or_503_on_a_read_is_waited_out(desk, desk_connection):
    contact = desk.contact()
    desk.control("/faults", {"status": 429, "retry_after": 0, "count": 1,
                             "path": f"/api/v1/contacts/{contact['id']}"})
    desk.control("/faults", {"status": 503, "count": 1,
                             "path": f"/api/v1/contacts/{contact['id']}"})
    found = await desk_connection.call("contact.get", {"id": contact["id"]})
    assert found.last_name == "Ng"


async def test_a_create_whose_answer_is_lost_is_found_by_its_marker(desk, desk_connection):
    desk.contact()
    draft = {"id": "pontes-marker-1", "subject": "Lost answer", "description": "Help",
             "requester": {"emails": ["dana@example.com"]}}
    desk.control("/faults", {"drop": True, "commit_first": True, "path": "/api/v1/tickets",
                             "method": "POST"})
    with pytest.raises(VendorUnavailable):
        await desk_connection.call("ticket.create", draft)
    assert len(desk.state.tickets) == 1
    found = await desk_connection.call("ticket.find_created", draft)
    assert found is not None and found.refs["desk"] == next(iter(desk.state.tickets))
    other = {**draft, "id": "pontes-marker-2"}
    assert await desk_connection.call("ticket.find_created", other) is None


async def test_reply_all_answers_the_sender_and_copies_the_rest(desk, desk_connection):
    ticket = desk.ticket(desk.contact()["id"], description="<p>Broken</p>")
    desk.control(f"/tickets/{ticket['id']}/customer-reply", {
        "content": "Looping in my boss", "from": "dana@example.com",
        "cc": "boss@example.com, Dana@example.com"})
    await desk_connection.call("ticket.reply_all", {"id": ticket["id"], "text": "Thanks"})
    last = desk.state.threads[ticket["id"]][-1]
    assert last["to"] == "dana@example.com" and last["cc"] == "boss@example.com"
    assert last["fromEmailAddress"] == SUPPORT_ADDRESS and last["direction"] == "out"


async def test_forward_sends_the_ticket_on(desk, desk_connection):
    ticket = desk.ticket(desk.contact()["id"], description="<p>Broken</p>")
    answer = await desk_connection.call("ticket.forward", {
        "id": ticket["id"], "to": ["billing@acme.example"], "cc": ["ap@acme.example"],
        "text": "Over to you"})
    last = desk.state.threads[ticket["id"]][-1]
    assert last["isForward"] is True and last["to"] == "billing@acme.example"
    assert last["cc"] == "ap@acme.example"
    assert answer.messages[-1].direction == "outbound"


async def test_a_private_reply_is_an_internal_comment(desk, desk_connection):
    ticket = desk.ticket(desk.contact()["id"])
    answer = await desk_connection.call("ticket.reply", {"id": ticket["id"], "text": "note",
                                                         "public": False})
    assert desk.state.threads[ticket["id"]] == []
    [comment] = desk.state.comments[ticket["id"]]
    assert comment["isPublic"] is False
    assert answer.messages[-1].direction == "internal" and not answer.messages[-1].public


async def test_an_unknown_mention_id_is_refused_before_any_call(desk, desk_connection):
    ticket = desk.ticket(desk.contact()["id"])
    with pytest.raises(ValueError, match="mentions"):
        await desk_connection.call("ticket.comment", {"id": ticket["id"], "text": "hi",
                                                      "mentions": ["not-a-zuid"]})
    assert desk.state.comments[ticket["id"]] == []


async def test_sla_flags_and_statuses_read_canonically(desk, desk_connection):
    ticket = desk.ticket(desk.contact()["id"])
    desk.control("/clock", {"advance": 25 * 3600})
    late = await desk_connection.call("ticket.get", {"id": ticket["id"]})
    assert late.custom["isOverDue"] is True and late.custom["isEscalated"] is True
    assert late.vendor_status == "Escalated" and late.status == TicketStatus.open
    assert late.custom["url"].endswith(f"#Cases/dv/{ticket['id']}")
    held = await desk_connection.call("ticket.set_status", {"id": ticket["id"],
                                                            "status": "pending"})
    assert held.vendor_status == "On Hold" and held.status == TicketStatus.on_hold


async def test_a_phone_written_otherwise_finds_the_contact(desk, desk_connection):
    desk.contact(phone="+1 (415) 555-0123", email="dana@example.com")
    found = await desk_connection.call("contact.find_by_phone", {"phone": "+14155550123"})
    assert found is not None and found.emails == ["dana@example.com"]
    assert await desk_connection.call("contact.find_by_phone",
                                      {"phone": "+14155550124"}) is None


async def test_a_bad_id_is_refused_before_it_reaches_a_url(desk, desk_connection):
    with pytest.raises(ValueError, match="not a Zoho Desk id"):
        await desk_connection.call("ticket.get", {"id": "../organizations"})


async def test_an_update_of_the_first_name_alone_keeps_the_last_name(desk, desk_connection):
    contact = desk.contact()
    updated = await desk_connection.call("contact.update", {
        "id": contact["id"], "changes": {"first_name": "Danielle"}})
    assert (updated.first_name, updated.last_name) == ("Danielle", "Ng")
