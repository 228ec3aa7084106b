"""The vendor HTTP client against a real vendor-like app served by uvicorn on loopback."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import quote

import httpx
import pytest
from pontes import http
from pontes.errors import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    VendorUnavailable,
    VendorValidationError,
)
from pontes.http import (
    RateLimit,
    Redactor,
    RetryPolicy,
    TokenBucket,
    VendorClient,
    bucket_for,
    retry_after_seconds,
)
from pontes.testing import free_port, serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

pytestmark = pytest.mark.anyio

TOKEN = "tok+en/with=odd&chars-123"
USER_KEY = "user-key-9f8e7d6c"
CUSTOM_SECRET = "custom-header-secret-42"


class Vendor:
    """A scripted vendor: answers the queued responses in order, then 200 ``{"ok": true}``.

    Records every request it receives; ``/slow`` answers after ``slow_seconds``.
    """

    def __init__(self) -> None:
        self.script: deque[Response] = deque()
        self.received: list[Request] = []
        self.slow_seconds = 1.0

    def then(self, status: int, body: object = None, *, headers: dict[str, str] | None = None,
             text: str | None = None, media_type: str | None = None) -> Vendor:
        if text is not None:
            response: Response = PlainTextResponse(text, status_code=status, headers=headers,
                                                   media_type=media_type or "text/plain")
        else:
            response = JSONResponse(body, status_code=status, headers=headers)
        self.script.append(response)
        return self

    async def answer(self, request: Request) -> Response:
        self.received.append(request)
        if request.url.path == "/slow":
            await asyncio.sleep(self.slow_seconds)
        if self.script:
            return self.script.popleft()
        return JSONResponse({"ok": True})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.answer,
                                       methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])


@pytest.fixture
def vendor():
    scripted = Vendor()
    with serve_app(scripted.app()) as base_url:
        scripted.base_url = base_url
        yield scripted


@pytest.fixture
def waits() -> list[float]:
    return []


def client_for(base_url: str, waits: list[float], *, attempts: int = 4, base: float = 0.5,
               cap: float = 20.0, max_inline_wait: float = 20.0, **kwargs) -> VendorClient:
    async def record(seconds: float) -> None:
        waits.append(seconds)

    return VendorClient(
        connection=kwargs.pop("connection", "test-vendor"),
        base_url=base_url,
        retry=RetryPolicy(attempts=attempts, base=base, cap=cap, max_inline_wait=max_inline_wait),
        sleep=record,
        **kwargs,
    )


# --- retries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_retries_retriable_statuses_until_success(vendor, waits, status):
    vendor.then(status, {"message": "busy"}).then(status, {"message": "busy"})
    async with client_for(vendor.base_url, waits) as client:
        assert await client.get_json("/tickets") == {"ok": True}
    assert len(vendor.received) == 3
    assert len(waits) == 2


async def test_backoff_doubles_and_is_capped(vendor, waits, monkeypatch):
    monkeypatch.setattr(http.random, "uniform", lambda low, high: high)
    for _ in range(4):
        vendor.then(500, {"message": "oops"})
    async with client_for(vendor.base_url, waits, attempts=5, base=1.0, cap=3.0) as client:
        await client.get_json("/tickets")
    assert waits == [2.0, 3.0, 3.0, 3.0]


async def test_backoff_is_jittered_within_the_bound(vendor, waits):
    for _ in range(3):
        vendor.then(503, {"message": "oops"})
    async with client_for(vendor.base_url, waits, attempts=4, base=0.5, cap=1.5) as client:
        await client.get_json("/tickets")
    bounds = [1.0, 1.5, 1.5]
    assert all(0 <= wait <= bound for wait, bound in zip(waits, bounds, strict=True))


async def test_gives_up_after_the_last_attempt(vendor, waits):
    for _ in range(5):
        vendor.then(503, {"message": "down for maintenance"})
    async with client_for(vendor.base_url, waits, attempts=3) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.get_json("/tickets")
    assert caught.value.status == 503
    assert caught.value.message == "down for maintenance"
    assert len(vendor.received) == 3
    assert len(waits) == 2


async def test_retry_after_in_seconds_is_honoured_exactly(vendor, waits):
    vendor.then(429, {"message": "slow down"}, headers={"Retry-After": "7"})
    async with client_for(vendor.base_url, waits) as client:
        assert await client.get_json("/tickets") == {"ok": True}
    assert waits == [7.0]


async def test_retry_after_on_a_5xx_is_honoured(vendor, waits):
    vendor.then(503, {"message": "maintenance"}, headers={"Retry-After": "3"})
    async with client_for(vendor.base_url, waits) as client:
        await client.get_json("/tickets")
    assert waits == [3.0]


async def test_retry_after_as_an_http_date_is_honoured(vendor, waits):
    when = datetime.now(UTC) + timedelta(seconds=30)
    vendor.then(429, {"message": "slow down"}, headers={"Retry-After": format_datetime(when, usegmt=True)})
    async with client_for(vendor.base_url, waits, max_inline_wait=60) as client:
        await client.get_json("/tickets")
    assert len(waits) == 1
    assert 25 <= waits[0] <= 31


async def test_retry_after_beyond_the_inline_limit_is_raised_at_once(vendor, waits):
    vendor.then(429, {"message": "Too many failed requests"}, headers={"Retry-After": "60"})
    async with client_for(vendor.base_url, waits, max_inline_wait=20) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.get_json("/tickets")
    assert caught.value.retry_after == 60
    assert caught.value.retriable
    assert caught.value.message == "Too many failed requests"
    assert len(vendor.received) == 1
    assert waits == []


async def test_connection_errors_are_retried_then_raised(waits):
    closed = f"http://127.0.0.1:{free_port()}"
    async with client_for(closed, waits, attempts=3) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.get_json("/tickets")
    assert caught.value.status is None
    assert "connection failed" in caught.value.message
    assert len(waits) == 2


async def test_a_timeout_is_vendor_unavailable(vendor, waits):
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


# --- permanent errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, VendorValidationError),
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (409, VendorValidationError),
        (422, VendorValidationError),
    ],
)
async def test_permanent_errors_are_raised_at_once_and_typed(vendor, waits, status, error_type):
    vendor.then(status, {"message": f"refused with {status}"})
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(error_type) as caught:
            await client.post_json("/tickets", json={"subject": "x"})
    assert type(caught.value) is error_type
    assert caught.value.status == status
    assert caught.value.message == f"refused with {status}"
    assert not caught.value.retriable
    assert len(vendor.received) == 1
    assert waits == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "Invalid e-mail"}, "Invalid e-mail"),
        ({"Message": "An error has occurred."}, "An error has occurred."),
        ({"errors": [{"message": "name is required"}, {"message": "email is invalid"}]},
         "name is required; email is invalid"),
        ({"errors": ["first problem", "second problem"]}, "first problem; second problem"),
        ({"error": {"code": "", "message": "The entity Deals(9) was not found"}},
         "The entity Deals(9) was not found"),
        ({"error": "invalid_grant", "error_description": "Refresh token expired"},
         "Refresh token expired"),
        ({"Message": "The request is invalid.",
          "ModelState": {"person.Email": ["The Email field is not a valid e-mail address."]}},
         "The request is invalid.; person.Email: The Email field is not a valid e-mail address."),
        ({"title": "Bad Request", "detail": "Request validation failed",
          "validation-errors": [{"request_id": "0", "errors": [
              {"code": "NotSupportedChoice", "path": "custom_fields_values.0.field_id",
               "detail": "The value you selected is not a valid choice."}]}]},
         "Request validation failed; custom_fields_values.0.field_id: "
         "The value you selected is not a valid choice."),
        ("Token inválido", "Token inválido"),
        ({"unexpected": {"shape": 1}}, '{"unexpected": {"shape": 1}}'),
    ],
)
async def test_the_vendors_own_message_is_extracted(vendor, waits, body, expected):
    vendor.then(422, body)
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(VendorValidationError) as caught:
            await client.get_json("/persons")
    assert caught.value.message == expected
    assert expected in str(caught.value)


async def test_a_plain_text_error_is_the_message(vendor, waits):
    vendor.then(400, text="  Parameter $select\n is required  ")
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(VendorValidationError) as caught:
            await client.get_json("/tickets")
    assert caught.value.message == "Parameter $select is required"


async def test_an_html_error_page_is_reduced_to_its_text(vendor, waits):
    page = "<html><head><style>p{}</style></head><body><h1>403 Forbidden</h1><p>IP blocked</p></body></html>"
    vendor.then(403, text=page, media_type="text/html")
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(AuthError) as caught:
            await client.get_json("/tickets")
    assert caught.value.message == "403 Forbidden IP blocked"


async def test_an_empty_error_body_falls_back_to_the_reason(vendor, waits):
    vendor.then(404, text="")
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get_json("/tickets/9")
    assert caught.value.message == "Not Found"


# --- rate limit ------------------------------------------------------------------------------


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_token_bucket_lets_a_burst_through_then_paces_calls():
    fake = FakeTime()
    bucket = TokenBucket(RateLimit(requests=5, per_seconds=1.0), clock=fake.clock, sleep=fake.sleep)
    started = fake.now
    waited = [await bucket.acquire() for _ in range(25)]
    assert waited[:5] == [0, 0, 0, 0, 0]
    assert waited[5:] == pytest.approx([0.2] * 20)
    # 5 at once, then one every 0.2 s: 20 more need 4 s of (fake) time.
    assert fake.now - started == pytest.approx(4.0)


async def test_token_bucket_never_exceeds_the_rate_in_any_window():
    fake = FakeTime()
    bucket = TokenBucket(RateLimit(requests=3, per_seconds=2.0), clock=fake.clock, sleep=fake.sleep)
    granted = []
    for _ in range(30):
        await bucket.acquire()
        granted.append(fake.now)
    for i, start in enumerate(granted):
        in_window = [t for t in granted[i:] if t <= start + 2.0]
        # at most the burst (3) plus what refills during the window (1.5/s for 2 s)
        assert len(in_window) <= 3 + 3
    assert len(granted) <= 3 + 1.5 * (granted[-1] - granted[0])


async def test_token_bucket_queues_concurrent_callers_in_order():
    fake = FakeTime()
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    bucket = TokenBucket(RateLimit(requests=2, per_seconds=1.0), clock=fake.clock, sleep=record)
    waited = await asyncio.gather(*(bucket.acquire() for _ in range(6)))
    assert waited == pytest.approx([0, 0, 0.5, 1.0, 1.5, 2.0])


async def test_token_bucket_refunds_a_cancelled_wait():
    fake = FakeTime()
    gate = asyncio.Event()

    async def blocked(seconds: float) -> None:
        await gate.wait()

    bucket = TokenBucket(RateLimit(requests=1, per_seconds=1.0), clock=fake.clock, sleep=blocked)
    await bucket.acquire()
    waiting = asyncio.ensure_future(bucket.acquire())
    await asyncio.sleep(0)
    assert bucket.tokens == pytest.approx(-1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert bucket.tokens == pytest.approx(0)


def test_a_rate_limit_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(RateLimit(requests=0))


async def test_every_call_takes_a_token_from_the_connections_shared_bucket(vendor, waits):
    limit = RateLimit(requests=10, per_seconds=3600.0)
    first = client_for(vendor.base_url, waits, connection="shared-bucket", rate_limit=limit)
    second = client_for(vendor.base_url, waits, connection="shared-bucket", rate_limit=limit)
    bucket = bucket_for("shared-bucket", limit)
    try:
        await first.get_json("/a")
        await first.get_json("/b")
        await second.get_json("/c")
    finally:
        await first.aclose()
        await second.aclose()
    assert bucket.tokens == pytest.approx(7, abs=0.01)


# --- secrets ---------------------------------------------------------------------------------


def secret_spellings() -> list[str]:
    return [TOKEN, quote(TOKEN, safe=""), USER_KEY, CUSTOM_SECRET]


def assert_no_secret(text: str) -> None:
    for secret in secret_spellings():
        assert secret not in text, f"secret {secret!r} leaked into: {text}"


def secret_client(base_url: str, waits: list[float], **kwargs) -> VendorClient:
    return client_for(base_url, waits, auth_params={"token": TOKEN},
                      headers={"User-Key": USER_KEY, "X-Custom-Token": CUSTOM_SECRET}, **kwargs)


async def test_the_secrets_are_really_sent(vendor, waits):
    async with secret_client(vendor.base_url, waits) as client:
        await client.get_json("/tickets", params={"id": "1"})
    request = vendor.received[0]
    assert request.query_params["token"] == TOKEN
    assert request.query_params["id"] == "1"
    assert request.headers["user-key"] == USER_KEY
    assert request.headers["x-custom-token"] == CUSTOM_SECRET


async def test_secrets_echoed_by_the_vendor_never_leak(vendor, waits, caplog):
    caplog.set_level(logging.DEBUG)
    echo = (f"token {TOKEN} (sent as {quote(TOKEN, safe='')}) is not valid for key "
            f"{USER_KEY}; header {CUSTOM_SECRET}")
    vendor.then(503, {"message": echo}).then(401, {"message": echo})
    async with secret_client(vendor.base_url, waits) as client:
        with pytest.raises(AuthError) as caught:
            await client.get_json("/tickets")
    error = caught.value
    assert "is not valid" in error.message
    assert "***" in error.message
    assert "token=***" in error.url
    for text in (str(error), repr(error), error.message, error.url):
        assert_no_secret(text)
    assert caplog.records, "the client should log its calls"
    assert any("retrying" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert_no_secret(record.getMessage())
    assert_no_secret(caplog.text)


async def test_secrets_never_leak_from_connection_failures(waits, caplog):
    caplog.set_level(logging.DEBUG)
    closed = f"http://127.0.0.1:{free_port()}"
    async with secret_client(closed, waits, attempts=2) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.get_json("/tickets")
    assert caught.value.__context__ is None
    assert_no_secret(str(caught.value))
    for record in caplog.records:
        assert_no_secret(record.getMessage())


async def test_httpx_request_lines_are_masked(vendor, waits, caplog):
    caplog.set_level(logging.DEBUG)
    async with secret_client(vendor.base_url, waits) as client:
        await client.get_json("/tickets")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("HTTP Request: GET" in line and "token=***" in line for line in lines)
    assert_no_secret(caplog.text)


def test_redactor_masks_parameters_headers_and_bearer_credentials():
    redactor = Redactor(["Bearer abcdef123456"], params=["sessionid"])
    url = redactor.url("https://v.test/api?sessionid=s1&api_key=k2&page=3")
    assert url == "https://v.test/api?sessionid=***&api_key=***&page=3"
    headers = redactor.headers({"Authorization": "Bearer abcdef123456", "Accept": "text/html",
                                "X-Api-Token": "zzz"})
    assert headers == {"Authorization": "***", "Accept": "text/html", "X-Api-Token": "***"}
    assert redactor.text("credential abcdef123456 refused") == "credential *** refused"


# --- observers -------------------------------------------------------------------------------


async def test_call_observers_see_every_call_with_its_status(vendor, waits, monkeypatch):
    seen: list[tuple[str, str, int | None]] = []

    def observe(connection, method, status, seconds):
        assert seconds >= 0
        seen.append((connection, method, status))

    def broken(*args):
        raise RuntimeError("an observer with a bug")

    monkeypatch.setattr(http, "call_observers", [observe, broken])
    vendor.then(503, {"message": "busy"}).then(200, {"id": 1}).then(404, {"message": "gone"})
    async with client_for(vendor.base_url, waits) as client:
        await client.get_json("/tickets/1")
        with pytest.raises(NotFoundError):
            await client.delete("/tickets/1")
    async with client_for(f"http://127.0.0.1:{free_port()}", waits, attempts=1) as down:
        with pytest.raises(VendorUnavailable):
            await down.post_json("/tickets")
    assert seen == [
        ("test-vendor", "GET", 503),
        ("test-vendor", "GET", 200),
        ("test-vendor", "DELETE", 404),
        ("test-vendor", "POST", None),
    ]


# --- Retry-After parsing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12", 12.0), ("0.5", 0.5), ("-3", 0.0), ("inf", None), ("nan", None), ("soon", None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_values(header, expected):
    response = httpx.Response(429, headers={"Retry-After": header})
    assert retry_after_seconds(response) == expected
