"""Which failed calls the client sends again: never a POST (or PATCH) whose fate is unknown.

After a timeout, a dropped connection or a 5xx the vendor may have done the work, so a
call that is not safe to repeat goes up to the engine instead of being sent twice; a 429
and a connection that was never made prove the vendor did nothing, so every call is sent
again after them.
"""

from __future__ import annotations

import pytest
from pontes.errors import RateLimitedError, VendorUnavailable, VendorUnreachable
from pontes.http import may_resend, resend_safe
from pontes.testing import free_port, serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_write_answered_with_a_5xx_is_not_sent_again(vendor, waits, client_for,
                                                              method, status):
    vendor.then(status, {"message": "busy"})
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.request(method, "/tickets", json={"subject": "x"})
    assert caught.value.retriable and caught.value.status == status
    assert len(vendor.received) == 1
    assert waits == []


async def test_a_post_that_timed_out_is_not_sent_again(vendor, waits, client_for):
    vendor.slow_seconds = 1.0
    async with client_for(vendor.base_url, waits, timeout=0.2) as client:
        with pytest.raises(VendorUnavailable, match="timed out"):
            await client.post_json("/slow", json={"subject": "x"})
    assert len(vendor.received) == 1
    assert waits == []


async def test_a_post_whose_connection_dropped_is_not_sent_again(waits, client_for):
    received: list[str] = []

    async def drop(scope, receive, send) -> None:
        """Take the request, start an answer, then close the connection mid-body."""
        if scope["type"] != "http":
            return
        received.append(scope["method"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"100")]})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})

    with serve_app(drop) as base_url:
        async with client_for(base_url, waits) as client:
            with pytest.raises(VendorUnavailable, match="connection failed"):
                await client.post_json("/tickets", json={"subject": "x"})
    assert received == ["POST"]
    assert waits == []


async def test_a_post_refused_with_429_is_sent_again(vendor, waits, client_for):
    vendor.then(429, {"message": "slow down"}, headers={"Retry-After": "1"})
    async with client_for(vendor.base_url, waits) as client:
        assert await client.post_json("/tickets", json={"subject": "x"}) == {"ok": True}
    assert [r.method for r in vendor.received] == ["POST", "POST"]
    assert waits == [1.0]


async def test_a_post_that_never_reached_the_vendor_is_sent_again(waits, client_for):
    closed = f"http://127.0.0.1:{free_port()}"
    async with client_for(closed, waits, attempts=3) as client:
        with pytest.raises(VendorUnreachable, match="connection failed"):
            await client.post_json("/tickets", json={"subject": "x"})
    assert len(waits) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_a_write_declared_retry_safe_is_sent_again_after_a_5xx(vendor, waits, client_for,
                                                                      method):
    vendor.then(503, {"message": "busy"})
    async with client_for(vendor.base_url, waits) as client:
        call = client.post_json if method == "POST" else client.patch_json
        assert await call("/tickets", json={"status": "Resolvido"}, retry_safe=True) == \
            {"ok": True}
    assert [r.method for r in vendor.received] == [method, method]
    assert len(waits) == 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_idempotent_methods_are_sent_again_after_a_timeout(vendor, waits, client_for,
                                                                  method):
    vendor.slow_seconds = 0.5
    async with client_for(vendor.base_url, waits, attempts=2, timeout=0.2) as client:
        with pytest.raises(VendorUnavailable, match="timed out"):
            await client.request(method, "/slow")
    assert [r.method for r in vendor.received] == [method, method]
    assert len(waits) == 1


async def test_a_read_declared_unsafe_is_not_sent_again(vendor, waits, client_for):
    vendor.then(503, {"message": "busy"})
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(VendorUnavailable):
            await client.request("GET", "/report", retry_safe=False)
    assert len(vendor.received) == 1


@pytest.mark.parametrize(("method", "declared", "safe"), [
    ("GET", None, True), ("delete", None, True), ("PUT", None, True),
    ("POST", None, False), ("PATCH", None, False), ("POST", True, True),
    ("GET", False, False),
])
def test_which_calls_are_safe_to_repeat(method, declared, safe):
    assert resend_safe(method, declared) is safe


def test_what_a_failure_proves_about_the_vendor():
    busy = VendorUnavailable("busy", status=503)
    assert not may_resend(busy, safe=False) and may_resend(busy, safe=True)
    assert may_resend(RateLimitedError("slow down", status=429), safe=False)
    assert may_resend(VendorUnreachable("connection refused"), safe=False)
    refused = VendorUnavailable("busy", status=503)
    refused.retriable = False
    assert not may_resend(refused, safe=True)


async def test_a_created_record_is_created_once_when_the_answer_is_lost(waits, client_for):
    """The whole point: a vendor that commits, then answers 503, ends with one record."""
    records: list[bytes] = []

    async def create(request: Request) -> Response:
        records.append(await request.body())
        return Response('{"message": "gateway timeout"}', status_code=504,
                        media_type="application/json")

    app = Starlette(routes=[Route("/records", create, methods=["POST"])])
    with serve_app(app) as base_url:
        async with client_for(base_url, waits) as client:
            with pytest.raises(VendorUnavailable):
                await client.post_json("/records", json={"name": "one"})
    assert records == [b'{"name":"one"}']
