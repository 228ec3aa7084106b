"""Retries: which failures are retried, the backoff between attempts, and ``Retry-After``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pontes.errors import RateLimitedError, VendorUnavailable
from pontes.http import RetryPolicy, retry_after_seconds
from pontes.http import retry as retry_module
from pontes.testing import free_port

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_retries_retriable_statuses_until_success(vendor, waits, client_for, status):
    vendor.then(status, {"message": "busy"}).then(status, {"message": "busy"})
    async with client_for(vendor.base_url, waits) as client:
        assert await client.get_json("/tickets") == {"ok": True}
    assert len(vendor.received) == 3
    assert len(waits) == 2


async def test_backoff_doubles_and_is_capped(vendor, waits, client_for, monkeypatch):
    monkeypatch.setattr(retry_module.random, "uniform", lambda low, high: high)
    for _ in range(4):
        vendor.then(500, {"message": "oops"})
    async with client_for(vendor.base_url, waits, attempts=5, base=1.0, cap=3.0) as client:
        await client.get_json("/tickets")
    assert waits == [2.0, 3.0, 3.0, 3.0]


async def test_backoff_is_jittered_within_the_bound(vendor, waits, client_for):
    for _ in range(3):
        vendor.then(503, {"message": "oops"})
    async with client_for(vendor.base_url, waits, attempts=4, base=0.5, cap=1.5) as client:
        await client.get_json("/tickets")
    bounds = [1.0, 1.5, 1.5]
    assert all(0 <= wait <= bound for wait, bound in zip(waits, bounds, strict=True))


async def test_gives_up_after_the_last_attempt(vendor, waits, client_for):
    for _ in range(5):
        vendor.then(503, {"message": "down for maintenance"})
    async with client_for(vendor.base_url, waits, attempts=3) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.get_json("/tickets")
    assert caught.value.status == 503
    assert caught.value.message == "down for maintenance"
    assert len(vendor.received) == 3
    assert len(waits) == 2


async def test_retry_after_in_seconds_is_honoured_exactly(vendor, waits, client_for):
    vendor.then(429, {"message": "slow down"}, headers={"Retry-After": "7"})
    async with client_for(vendor.base_url, waits) as client:
        assert await client.get_json("/tickets") == {"ok": True}
    assert waits == [7.0]


async def test_retry_after_on_a_5xx_is_honoured(vendor, waits, client_for):
    vendor.then(503, {"message": "maintenance"}, headers={"Retry-After": "3"})
    async with client_for(vendor.base_url, waits) as client:
        await client.get_json("/tickets")
    assert waits == [3.0]


async def test_retry_after_as_an_http_date_is_honoured(vendor, waits, client_for):
    when = datetime.now(UTC) + timedelta(seconds=30)
    vendor.then(429, {"message": "slow down"}, headers={"Retry-After": format_datetime(when, usegmt=True)})
    async with client_for(vendor.base_url, waits, max_inline_wait=60) as client:
        await client.get_json("/tickets")
    assert len(waits) == 1
    assert 25 <= waits[0] <= 31


async def test_retry_after_beyond_the_inline_limit_is_raised_at_once(vendor, waits, client_for):
    vendor.then(429, {"message": "Too many failed requests"}, headers={"Retry-After": "60"})
    async with client_for(vendor.base_url, waits, max_inline_wait=20) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.get_json("/tickets")
    assert caught.value.retry_after == 60
    assert caught.value.retriable
    assert caught.value.message == "Too many failed requests"
    assert len(vendor.received) == 1
    assert waits == []


async def test_connection_errors_are_retried_then_raised(waits, client_for):
    closed = f"http://127.0.0.1:{free_port()}"
    async with client_for(closed, waits, attempts=3) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.get_json("/tickets")
    assert caught.value.status is None
    assert "connection failed" in caught.value.message
    assert len(waits) == 2


async def test_a_timeout_is_vendor_unavailable(vendor, waits, client_for):
    async with client_for(vendor.base_url, waits, attempts=2, timeout=0.2) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.get_json("/slow")
    assert "timed out" in caught.value.message
    assert caught.value.retriable
    assert len(waits) == 1
    assert len(vendor.received) == 2


@pytest.mark.parametrize(
    ("policy", "named"),
    [({"attempts": 0}, "attempts"), ({"cap": -1}, "cap"), ({"max_inline_wait": -5}, "max_inline_wait")],
)
def test_a_retry_policy_refuses_impossible_values(policy, named):
    with pytest.raises(ValueError, match=f"RetryPolicy.{named}"):
        RetryPolicy(**policy)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12", 12.0), ("0.5", 0.5), ("-3", 0.0), ("inf", None), ("nan", None), ("soon", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_values(header, expected):
    response = httpx.Response(429, headers={"Retry-After": header})
    assert retry_after_seconds(response) == expected
