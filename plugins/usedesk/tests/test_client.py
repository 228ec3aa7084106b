"""The plugin's client and actions against the sandbox over loopback: the token, error
bodies, retries that never create twice, paging, phone search, secrets kept out."""

from __future__ import annotations

import httpx
import pytest
from pontes.plugin import (
    AuthError,
    Contact,
    Ticket,
    VendorUnavailable,
    VendorValidationError,
)
from pontes.testing import connect, sandbox_settings, serve_app
from pydantic import ValidationError

from pontes_usedesk.sandbox.app import SANDBOX_API_TOKEN as TOKEN
from pontes_usedesk.sandbox.app import build_app

pytestmark = pytest.mark.anyio


def log(url: str) -> list[dict]:
    return httpx.get(f"{url}/_sandbox/requests").json()


async def test_the_token_travels_in_the_body_and_never_in_a_url(sandbox_url, sandbox_connection):
    url = sandbox_url("usedesk")
    connection = sandbox_connection("usedesk", base_url=url)
    await connection.call("ticket.get", id="153341111")
    entries = log(url)
    assert [(e["method"], e["path"], e["query"]) for e in entries] == [("POST", "/ticket", "")]


async def test_an_error_body_with_status_200_is_a_failure_with_usedesks_words(
        sandbox_connection):
    connection = sandbox_connection("usedesk")
    with pytest.raises(VendorValidationError, match="Ticket not found"):
        await connection.call("ticket.get", id="1")
    with pytest.raises(VendorValidationError, match="subject field is required"):
        await connection.call("ticket.create", Ticket(description="no subject"))


async def test_a_refused_token_is_an_auth_error_with_http_statuses(pontes_registry):
    with serve_app(build_app(errors="http")) as url:
        settings = sandbox_settings(pontes_registry, "usedesk", url, api_token="wrong")
        connection = connect(pontes_registry, "usedesk", settings, "usedesk-http")
        try:
            with pytest.raises(AuthError, match="Invalid api token") as caught:
                await connection.call("contact.get", id="242630")
            assert "wrong" not in str(caught.value)
        finally:
            await connection.aclose()


async def test_a_read_that_fails_with_503_is_sent_again(sandbox_url, sandbox_connection):
    url = sandbox_url("usedesk")
    httpx.post(f"{url}/_sandbox/faults", json={"status": 503, "path": "/ticket",
                                               "retry_after": 0})
    connection = sandbox_connection("usedesk", base_url=url)
    ticket = await connection.call("ticket.get", id="153341111")
    assert ticket.subject == "Order question"
    assert [e["status"] for e in log(url)] == [503, 200]


async def test_a_create_whose_answer_is_lost_is_not_sent_twice(sandbox_url, sandbox_connection):
    url = sandbox_url("usedesk")
    httpx.post(f"{url}/_sandbox/faults", json={"status": 503, "path": "/create/ticket",
                                               "commit_first": True})
    connection = sandbox_connection("usedesk", base_url=url)
    draft = Ticket(subject="Only once", description="hello",
                   requester=Contact(name="Maria", emails=["maria@example.org"]))
    with pytest.raises(VendorUnavailable):
        await connection.call("ticket.create", draft)
    assert [e["path"] for e in log(url)].count("/create/ticket") == 1
    found = await connection.call("ticket.find_created", draft)
    assert found is not None and found.subject == "Only once"
    mine = await connection.call("ticket.list_for_client",
                                 contact_id=found.requester.ref(connection.name))
    assert [t.subject for t in mine] == ["Only once"]


async def test_lists_page_through_100_a_call(sandbox_url, sandbox_connection):
    url = sandbox_url("usedesk")
    connection = sandbox_connection("usedesk", base_url=url)
    for n in range(120):
        httpx.post(f"{url}/create/ticket", json={"api_token": TOKEN, "subject": f"T{n}",
                                                 "message": "m", "client_id": 242630,
                                                 "status": 1})
    tickets = await connection.call("usedesk.ticket.list", statuses=[1], most=500)
    mine = await connection.call("ticket.list_for_client", contact_id="242630",
                                 only_open=True)
    assert len(tickets) == len(mine) == 121
    assert len({t.number for t in tickets}) == 121
    offsets = [e for e in log(url) if e["path"] == "/tickets"]
    assert len(offsets) == 4, "two pages for each list: 100, then 21"


async def test_a_phone_is_found_however_it_was_typed(sandbox_url, sandbox_connection):
    url = sandbox_url("usedesk")
    httpx.post(f"{url}/create/client", json={"api_token": TOKEN, "name": "Pavel",
                                             "phone": "8 (916) 555-12-34"})
    connection = sandbox_connection("usedesk", base_url=url)
    found = await connection.call("contact.find_by_phone", phone="+79165551234")
    assert found is not None and found.name == "Pavel"
    assert found.phones == ["+79165551234"]
    assert await connection.call("contact.find_by_phone", phone="+79165550000") is None


async def test_a_contact_is_created_and_updated(sandbox_connection):
    connection = sandbox_connection("usedesk")
    created = await connection.call("contact.create", Contact(
        name="Lena", emails=["lena@example.org"], phones=["+79991234567"]))
    client_id = created.ref(connection.name)
    updated = await connection.call("contact.update", id=client_id, changes=Contact(
        emails=["lena.work@example.org"], phones=["+79997654321"]))
    assert updated.name == "Lena"
    assert updated.emails == ["lena@example.org", "lena.work@example.org"]
    assert updated.phones == ["+79991234567", "+79997654321"]


async def test_a_reply_and_a_note_keep_who_sees_them(sandbox_connection):
    connection = sandbox_connection("usedesk", agent_id=1)
    await connection.call("ticket.reply", id="153341111", text="Shipped <today>")
    ticket = await connection.call("ticket.reply", id="153341111", html="<i>check</i>",
                                   public=False)
    reply, note = ticket.messages[-2:]
    assert (reply.public, reply.html, reply.author) == (True, "Shipped &lt;today&gt;", "agent 1")
    assert (note.public, note.direction.value) == (False, "internal")


async def test_a_status_id_usedesk_lacks_is_refused_before_any_call(sandbox_url,
                                                                     sandbox_connection):
    url = sandbox_url("usedesk")
    connection = sandbox_connection("usedesk", base_url=url)
    with pytest.raises(ValidationError, match="not Usedesk status ids"):
        await connection.call("usedesk.ticket.list", statuses=[1, 11])
    assert log(url) == []
