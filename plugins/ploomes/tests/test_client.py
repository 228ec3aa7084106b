"""The HTTP side: paging past 300 rows, rate limits, auth failures, error messages and
keeping the User-Key out of errors and logs."""

from __future__ import annotations

import logging

import httpx
import pytest
from pontes.plugin import AuthError, RateLimitedError, RetryPolicy, VendorValidationError
from pontes_ploomes.client import Query, build_client, describe_error, fetch_all
from pontes_ploomes.connector import check
from pontes_ploomes.sandbox.seed import SANDBOX_USER_KEY

pytestmark = pytest.mark.anyio


def add_deals(api, count, **fields):
    rows = [{"Title": f"Deal {n}", **fields} for n in range(count)]
    api.post("/_sandbox/ploomes/records/Deals", json=rows).raise_for_status()


def reads_of(api, path):
    return [r["query"] for r in api.get("/_sandbox/requests").json()
            if r["method"] == "GET" and r["path"] == path]


async def test_fetch_all_pages_past_300_rows(connection, api):
    add_deals(api, 650)
    rows = await fetch_all(connection.client, "/Deals", Query(select=("Id",)))
    assert len(rows) == 651
    assert len({r["Id"] for r in rows}) == 651
    queries = reads_of(api, "/Deals")
    assert len(queries) == 3
    assert all("$top=300" in q for q in queries)
    assert "$skip=300" in queries[1] and "$skip=600" in queries[2]


async def test_fetch_all_with_a_limit_stops_early(connection, api):
    add_deals(api, 400)
    rows = await fetch_all(connection.client, "/Deals", Query(), limit=310)
    assert len(rows) == 310
    assert len(reads_of(api, "/Deals")) == 2


async def test_listing_a_clients_deals_past_300(connection, api):
    add_deals(api, 320, ContactId=40000101)
    deals = await connection.call("deal.list_for_client", company_id="40000101")
    assert len(deals) == 320


async def test_a_429_is_retried(connection, api):
    api.post("/_sandbox/faults", json={"status": 429, "count": 1, "path": "/Deals",
                                       "retry_after": 0}).raise_for_status()
    deal = await connection.call("deal.get", id="50000777")
    assert deal.title == "Upgrade Plano Ouro"
    assert [r["status"] for r in api.get("/_sandbox/requests").json()] == [429, 200]


async def test_the_sandbox_limit_answers_429_and_the_client_gives_up(api, make_connection):
    api.post("/_sandbox/ploomes/config", json={"requests_per_minute": 2}).raise_for_status()
    assert api.get("/Account").status_code == 200
    assert api.get("/Account").status_code == 200
    limited = api.get("/Account")
    assert limited.status_code == 429
    assert "Too many requests" in limited.json()["error"]["message"]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    connection = make_connection()
    client = build_client(connection.name, connection.settings, sleep=sleep,
                          retry=RetryPolicy(attempts=3, base=0.01, cap=0.05))
    try:
        with pytest.raises(RateLimitedError, match="Too many requests"):
            await client.get_json("/Account")
    finally:
        await client.aclose()
    assert len(waits) == 2


async def test_check_accepts_the_sandbox_key(connection, api):
    await check(connection)
    [query] = reads_of(api, "/Account")
    assert "$top=1" in query and "$select=Id" in query


async def test_a_wrong_key_is_an_auth_error_without_the_key(make_connection, caplog):
    caplog.set_level(logging.DEBUG)
    connection = make_connection(user_key="not-the-right-key-123")
    with pytest.raises(AuthError) as raised:
        await check(connection)
    assert raised.value.status == 401
    assert "Authorization has been denied" in str(raised.value)
    assert "not-the-right-key-123" not in str(raised.value)
    assert "not-the-right-key-123" not in caplog.text


async def test_the_key_is_redacted_even_when_the_vendor_echoes_it(connection, api, caplog):
    caplog.set_level(logging.DEBUG)
    api.post("/_sandbox/faults", json={
        "status": 400, "path": "/Deals",
        "body": {"error": {"code": "", "message": f"User-Key {SANDBOX_USER_KEY} cannot do this"}},
    }).raise_for_status()
    with pytest.raises(VendorValidationError) as raised:
        await connection.call("deal.get", id="50000777")
    assert "cannot do this" in str(raised.value)
    assert SANDBOX_USER_KEY not in str(raised.value)
    assert "***" in str(raised.value)
    assert caplog.records, "the client logs its calls"
    assert SANDBOX_USER_KEY not in caplog.text
    assert SANDBOX_USER_KEY not in repr(connection.settings)


def test_error_messages_join_odata_details():
    response = httpx.Response(400, json={"error": {
        "code": "", "message": "Invalid deal", "details": [{"message": "Title is required"}],
        "innererror": {"message": "validation failed"}}})
    assert describe_error(response) == "Invalid deal; Title is required; validation failed"
    assert describe_error(httpx.Response(500, json={"Message": "An error has occurred."})) == \
        "An error has occurred."
    assert describe_error(httpx.Response(502, text="<html>Bad gateway</html>")) == \
        "<html>Bad gateway</html>"
