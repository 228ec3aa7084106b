"""The Movidesk client: errors, rate limits, lock-out, retries, redaction, $select."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import anyio
import httpx
import pytest
from pontes.plugin import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    VendorUnavailable,
    VendorValidationError,
)
from pontes_movidesk.client import describe_error, get_ticket, list_rows
from pontes_movidesk.sandbox.app import SANDBOX_TOKEN

from .conftest import FAST, Sandbox

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("body, expected", [
    ({"Message": "An error has occurred."}, "An error has occurred."),
    ({"Message": "The request is invalid.",
      "ModelState": {"ticket.type": ["The type is required."], "ticket.subject": ["Too long."]}},
     "The request is invalid. (ticket.type: The type is required.; ticket.subject: Too long.)"),
    ({"Message": "An error has occurred.", "ExceptionMessage": "Timeout expired."},
     "An error has occurred. Timeout expired."),
    ({"message": "lower case"}, "lower case"),
    ("Too many failed requests", "Too many failed requests"),
])
async def test_describe_error_reads_asp_net_shapes(body, expected):
    assert describe_error(httpx.Response(400, json=body)) == expected


async def test_describe_error_falls_back_to_text():
    assert describe_error(httpx.Response(500, text="<html>Server   Error</html>")) == \
        "<html>Server Error</html>"


async def test_vendor_messages_become_typed_errors(conn, sandbox):
    with pytest.raises(VendorValidationError) as error:
        await conn.client.get_json("/tickets")
    assert "$select" in error.value.message and error.value.status == 400
    with pytest.raises(NotFoundError):
        await conn.client.get_json("/persons", params={"id": "nobody"})


async def test_wrong_token_is_an_auth_error_and_check_lets_it_through(connect, sandbox, pontes_registry):
    bad = connect(sandbox, token="wrong-token-123")
    with pytest.raises(AuthError) as error:
        await pontes_registry.connectors["movidesk"].check(bad)
    assert error.value.status == 401
    good = connect(sandbox)
    await pontes_registry.connectors["movidesk"].check(good)


async def test_throttling_beyond_the_limit_is_raised_not_slept_through(connect):
    slow = Sandbox(requests_per_minute=2)
    try:
        conn = connect(slow, requests_per_minute=1000)
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)

        conn.client.sleep = sleep
        await get_ticket(conn.client, 1001)
        await get_ticket(conn.client, 1001)
        with pytest.raises(RateLimitedError) as error:
            await get_ticket(conn.client, 1001)
        assert 20 < error.value.retry_after <= 60
        assert slept == []
    finally:
        slow.stop()


def _answers(sandbox, since: int = 0) -> list[tuple[str, int]]:
    """(path, status) of the vendor calls the sandbox answered, from the ``since``-th."""
    return [(r["path"].removeprefix("/public/v1"), r["status"])
            for r in sandbox.control("GET", "/requests")[since:]]


async def test_two_failures_in_a_row_are_followed_by_a_harmless_read(conn, sandbox):
    for _ in range(5):
        with pytest.raises(NotFoundError):
            await conn.client.get_json("/persons", params={"id": "nobody"})
    await get_ticket(conn.client, 1001)

    probe = ("/tickets", 200)
    assert _answers(sandbox) == [("/persons", 404), ("/persons", 404), probe,
                                 ("/persons", 404), ("/persons", 404), probe,
                                 ("/persons", 404), ("/tickets", 200)]
    assert sandbox.control("GET", "/lockouts") == {"lockouts": 0}
    probes = [parse_qs(r["query"]) for r in sandbox.control("GET", "/requests")[2::3]]
    assert [(q["$select"], q["$top"]) for q in probes[:2]] == [(["id"], ["1"])] * 2


async def test_a_harmless_read_that_fails_stops_the_call_it_cleared_the_way_for(conn, sandbox):
    for _ in range(2):
        with pytest.raises(NotFoundError):
            await conn.client.get_json("/persons", params={"id": "nobody"})
    sandbox.control("POST", "/faults", {"status": 500, "count": 1, "path": "/public/v1/tickets"})
    with pytest.raises(VendorUnavailable):
        await conn.call("contact.get", id="cli-maria")
    contact = await conn.call("contact.get", id="cli-maria")

    assert contact.ref(conn.name) == "cli-maria"
    assert _answers(sandbox) == [("/persons", 404), ("/persons", 404), ("/tickets", 500),
                                 ("/tickets", 200), ("/persons", 200)]


async def test_connections_of_one_account_in_a_runtime_share_the_count(connect, sandbox):
    first, second = connect(sandbox), connect(sandbox)
    for _ in range(2):
        with pytest.raises(NotFoundError):
            await first.client.get_json("/persons", params={"id": "nobody"})
    second.budgets = first.budgets
    await get_ticket(second.client, 1001)

    assert second.client.lockout is first.client.lockout
    assert _answers(sandbox)[2:] == [("/tickets", 200), ("/tickets", 200)]


async def test_failing_calls_at_once_never_lock_the_token_out(conn, sandbox):
    async def missing(number: int) -> None:
        with pytest.raises(NotFoundError):
            await get_ticket(conn.client, 900_000 + number)

    async with anyio.create_task_group() as calls:
        for number in range(12):
            calls.start_soon(missing, number)
    await get_ticket(conn.client, 1001)

    statuses = [status for _, status in _answers(sandbox)]
    assert statuses.count(404) == 24 and 429 not in statuses
    assert sandbox.control("GET", "/lockouts") == {"lockouts": 0}
    in_a_row = 0
    for status in statuses:
        in_a_row = in_a_row + 1 if status >= 400 else 0
        assert in_a_row < 3


async def test_a_lock_out_from_elsewhere_holds_every_call_of_the_connection(conn, sandbox):
    for _ in range(3):
        assert sandbox.call("GET", "/tickets", id=999999).status_code == 404
    before = len(sandbox.control("GET", "/requests"))

    with pytest.raises(RateLimitedError) as refused:
        await get_ticket(conn.client, 1001)
    with pytest.raises(RateLimitedError) as held:
        await conn.call("contact.get", id="cli-maria")

    assert refused.value.status == 429 and refused.value.retry_after == 60
    assert held.value.status is None and 55 < held.value.retry_after <= 60
    assert _answers(sandbox, before) == [("/tickets", 429)]


async def test_calls_held_by_a_short_lock_out_go_once_it_ends(connect):
    quick = Sandbox(requests_per_minute=FAST, minute=1.0)
    try:
        conn = connect(quick, rate_window_seconds=1.0)
        for _ in range(3):
            assert quick.call("GET", "/tickets", id=999999).status_code == 404
        with pytest.raises(RateLimitedError) as refused:
            await get_ticket(conn.client, 1001)
        assert refused.value.retry_after == 1

        ticket = await get_ticket(conn.client, 1001)

        assert ticket["id"] == 1001
        assert _answers(quick, 3) == [("/tickets", 429), ("/tickets", 200)]
        assert quick.control("GET", "/lockouts") == {"lockouts": 1}
    finally:
        quick.stop()


async def test_a_failed_call_is_not_repeated_inline(conn, sandbox):
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    conn.client.sleep = sleep
    sandbox.control("POST", "/faults", {"status": 503, "count": 1, "retry_after": 1})
    with pytest.raises(VendorUnavailable) as error:
        await get_ticket(conn.client, 1001)
    assert error.value.retry_after == 1 and slept == []
    assert _answers(sandbox) == [("/tickets", 503)]
    ticket = await get_ticket(conn.client, 1001)
    assert ticket["id"] == 1001


async def test_the_token_never_reaches_errors_or_logs(connect, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    conn = connect(sandbox)
    sandbox.control("POST", "/faults", {"status": 400, "count": 1,
                                        "body": {"Message": f"token {SANDBOX_TOKEN} is invalid"}})
    with pytest.raises(VendorValidationError) as echoed:
        await get_ticket(conn.client, 1001)
    with pytest.raises(NotFoundError) as missing:
        await conn.client.get_json("/persons", params={"id": "nobody"})
    bad = connect(sandbox, token="another-secret-token")
    with pytest.raises(AuthError) as refused:
        await bad.client.get_json("/tickets", params={"id": 1001})
    await get_ticket(conn.client, 1001)

    texts = [str(e.value) for e in (echoed, missing, refused)]
    texts += [e.value.url or "" for e in (echoed, missing, refused)]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(conn.settings), str(conn.settings.model_dump())]
    assert any("token=***" in t for t in texts)
    assert any("HTTP Request" in record.getMessage() for record in caplog.records)
    for text in texts:
        assert SANDBOX_TOKEN not in text
        assert "another-secret-token" not in text


async def test_every_list_call_sends_select(conn, sandbox):
    await list_rows(conn.client, "/tickets", select=("id", "subject"), filter="id gt 1001",
                    orderby="id desc", top=5, expand=("clients",))
    await conn.call("contact.find_by_email", email="maria.souza@acme.example.com.br")
    await conn.call("company.find_by_name", name="Acme Indústria")
    await conn.call("ticket.get", id="1001")
    queries = [parse_qs(r["query"]) for r in sandbox.control("GET", "/requests")
               if r["method"] == "GET"]
    lists = [q for q in queries if "id" not in q]
    assert len(lists) == 3
    for query in lists:
        assert query["$select"][0]
        assert query["token"] == ["***"]
