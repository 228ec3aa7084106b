"""Rate limits: the arithmetic of rolling windows, the in-process bucket over rolling windows, pauses, and
the budgets that decide which clients share a bucket.

The buckets live in a ``RateBudgets`` that a runtime owns and hands to its connections:
the clients of one vendor account in one runtime share a bucket, another runtime has its
own, and no module of ``pontes.http`` keeps buckets or observers of its own. The budgets
kept in the store, shared between processes, are tested in ``engine/test_vendor_budgets``.
"""

from __future__ import annotations

import asyncio
import math
import sys
import time
import types
import weakref

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pontes import hookimpl
from pontes.config import parse_config
from pontes.connector import ConnectionSettings, Connector
from pontes.errors import NotFoundError, RateLimitedError
from pontes.http import (
    InProcessBucket,
    InProcessRateBudgets,
    RateBucket,
    RateBudgets,
    RateLimit,
    RetryPolicy,
    VendorClient,
)
from pontes.http.ratelimit import window_reserve, without_call
from pontes.plugins import load_plugins
from pontes.runtime import Runtime
from pontes.testing import serve_app
from pontes.testing.connections import connect
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

pytestmark = pytest.mark.anyio


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


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of ``times`` inside one half-open window ``[t, t + window)``,
    the way a vendor counts calls over a rolling window."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_most_in_any_window_counts_like_a_vendor():
    assert most_in_any_window([0.0, 1.0, 1.9, 2.0, 3.0], 2.0) == 3
    assert most_in_any_window([0.0, 1.0, 1.9, 2.0, 2.5], 2.0) == 4
    assert most_in_any_window([0.0, 0.0, 0.0], 1.0) == 3
    assert most_in_any_window([], 1.0) == 0


# --- the arithmetic --------------------------------------------------------------------------


def test_the_window_counted_is_the_vendors_plus_a_margin():
    assert RateLimit(10, 60.0).window == pytest.approx(61.0)
    assert RateLimit(120, 3600.0).window == pytest.approx(3601.0)
    assert RateLimit(50, 5.0).window == pytest.approx(5.1)
    assert RateLimit(20, 2.0).window == pytest.approx(2.05)
    assert RateLimit(7, 1.0).window == pytest.approx(1.05)


def test_an_idle_account_gets_its_whole_budget_at_once_then_waits_for_the_window():
    limit = RateLimit(10, 60.0)
    calls: list[float] = []
    for _ in range(10):
        wait, calls = window_reserve(calls, 0.0, 100.0, limit)
        assert wait == 0.0
    wait, after = window_reserve(calls, 0.0, 100.0, limit)
    assert wait == pytest.approx(61.0) and after[-1] == pytest.approx(161.0)


def test_calls_that_left_the_window_no_longer_count():
    limit = RateLimit(3, 60.0)
    calls = [100.0, 130.0, 150.0]
    assert window_reserve(calls, 0.0, 140.0, limit) == (pytest.approx(21.0),
                                                        [100.0, 130.0, 150.0, 161.0])
    assert window_reserve(calls, 0.0, 161.5, limit) == (0.0, [130.0, 150.0, 161.5])


def test_callers_are_served_in_the_order_they_asked():
    limit = RateLimit(10, 60.0)
    assert window_reserve([90.0, 130.0], 0.0, 100.0, limit) == (pytest.approx(30.0),
                                                                [90.0, 130.0, 130.0])


def test_a_wait_beyond_max_wait_takes_nothing():
    limit = RateLimit(2, 60.0)
    assert window_reserve([100.0, 110.0], 0.0, 120.0, limit, max_wait=20.0) == (
        pytest.approx(41.0), None)
    assert window_reserve([100.0, 110.0], 0.0, 120.0, limit, max_wait=41.0)[0] == \
        pytest.approx(41.0)


def test_no_call_starts_inside_a_pause():
    limit = RateLimit(10, 60.0)
    assert window_reserve([], 107.0, 100.0, limit) == (pytest.approx(7.0), [107.0])
    assert window_reserve([], 107.0, 108.0, limit) == (0.0, [108.0])


def test_a_call_handed_back_leaves_the_log():
    assert without_call([1.0, 2.0, 2.0, 3.0], 2.0) == [1.0, 2.0, 3.0]
    assert without_call([1.0, 3.0], 2.0) == [1.0, 3.0]


def test_a_rate_limit_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        RateLimit(requests=0)
    with pytest.raises(ValueError, match="positive"):
        RateLimit(requests=5, per_seconds=0)


@settings(max_examples=300, deadline=None)
@given(requests=st.integers(1, 60), per_seconds=st.floats(0.5, 120.0),
       asks=st.lists(st.tuples(st.floats(0.0, 0.2), st.booleans()), min_size=1,
                     max_size=200))
def test_no_window_of_the_vendors_length_ever_holds_more_than_the_limit(
        requests, per_seconds, asks):
    """Whatever the limit and the pattern of calls, pauses and calls handed back, no
    window of ``per_seconds`` ever holds more than ``requests`` calls let through."""
    limit = RateLimit(requests, per_seconds)
    now, calls, paused_until, granted = 0.0, [], 0.0, []
    for gap, hand_back in asks:
        now += gap * per_seconds
        wait, calls = window_reserve(calls, paused_until, now, limit)
        granted.append(now + wait)
        if hand_back and wait > 0:
            calls, granted = without_call(calls, granted[-1]), granted[:-1]
        elif hand_back:
            paused_until = now + gap * per_seconds
    assert most_in_any_window(granted, per_seconds) <= requests


@pytest.mark.parametrize("limit", [RateLimit(10, 60.0), RateLimit(50, 5.0),
                                   RateLimit(120, 60.0), RateLimit(7, 1.0)])
def test_a_busy_account_gets_at_least_95_percent_of_its_calls(limit):
    """One call after the other, as fast as allowed, for 20 windows."""
    span = 20 * limit.per_seconds
    now, calls, granted = 0.0, [], []
    while now < span:
        wait, calls = window_reserve(calls, 0.0, now, limit)
        now += wait
        granted.append(now)
    assert len([t for t in granted if t < span]) >= 0.95 * 20 * limit.requests


# --- the in-process bucket -------------------------------------------------------------------


async def test_one_process_never_sends_more_than_the_limit_in_any_rolling_minute():
    """The first minute used to let 19 Movidesk calls through (a full bucket, then its
    refill); now every 60 s window holds at most 10, and a busy minute still gets 10."""
    fake = FakeTime()
    bucket = InProcessBucket("movidesk", RateLimit(10, 60.0), clock=fake.clock,
                             sleep=fake.sleep)
    started, calls = fake.now, []
    for _ in range(50):
        await bucket.acquire()
        calls.append(fake.now)
    assert most_in_any_window(calls, 60.0) == 10
    assert len([t for t in calls if t < started + 60.0]) == 10
    assert calls[-1] - started == pytest.approx(4 * 61.0)


async def test_concurrent_callers_are_served_in_order():
    fake = FakeTime()
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    bucket = InProcessBucket("c", RateLimit(2, 1.0), clock=fake.clock, sleep=record)
    waited = await asyncio.gather(*(bucket.acquire() for _ in range(5)))
    assert waited == pytest.approx([0, 0, 1.05, 1.05, 2.1])


async def test_a_turn_beyond_max_wait_is_raised_with_the_retry_time_and_takes_nothing():
    fake = FakeTime()

    async def queued(seconds: float) -> None:
        """Callers queue up: the clock stands still while they wait."""

    bucket = InProcessBucket("movidesk", RateLimit(2, 10.0), clock=fake.clock, sleep=queued)
    waited = [await bucket.acquire(max_wait=20.0) for _ in range(4)]
    assert waited == pytest.approx([0, 0, 10.2, 10.2])
    with pytest.raises(RateLimitedError) as refused:
        await bucket.acquire(max_wait=20.0)
    assert refused.value.retry_after == pytest.approx(20.4)
    assert "movidesk" in str(refused.value)
    fake.now += 20.5
    assert await bucket.acquire(max_wait=0.0) == 0.0


async def test_a_cancelled_wait_hands_its_turn_back():
    fake = FakeTime()
    gate = asyncio.Event()

    async def blocked(seconds: float) -> None:
        await gate.wait()

    limit = RateLimit(1, 1.0)
    bucket = InProcessBucket("c", limit, clock=fake.clock, sleep=blocked)
    await bucket.acquire()
    waiting = asyncio.ensure_future(bucket.acquire())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    fake.now += limit.window + 0.01
    assert await bucket.acquire(max_wait=0.0) == 0.0


async def test_a_pause_holds_callers_already_waiting_for_their_turn():
    fake = FakeTime()
    limit = RateLimit(1, 1.0)
    woke: list[float] = []

    async def sleep(seconds: float) -> None:
        fake.now += seconds
        if not woke:  # a 429 arrives while the caller sleeps towards its turn
            await bucket.pause(5.0)
        woke.append(fake.now)

    bucket = InProcessBucket("c", limit, clock=fake.clock, sleep=sleep)
    start = fake.now
    await bucket.acquire()
    await bucket.acquire()
    assert woke == [pytest.approx(start + limit.window),
                    pytest.approx(start + limit.window + 5.0)]


SHORT_LIMIT = RateLimit(50, 5.0)
"""A vendor limit short enough for a test; its margin (0.1 s) stays above the spread of
timer wake-ups on a busy test machine."""


@pytest.mark.slow
async def test_one_process_over_real_http_keeps_every_window(vendor_clock):
    """Calls from several tasks of one process, counted where they arrive, for longer
    than one window: none holds more than the limit, and the account gets its calls."""
    limit, seconds = SHORT_LIMIT, 6.0
    client = VendorClient("busy", vendor_clock.base_url, rate_limit=limit,
                          retry=RetryPolicy(max_inline_wait=seconds))

    async def busy() -> None:
        while True:
            await client.get_json("/call")

    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(busy() for _ in range(4))), seconds)
    finally:
        await client.aclose()
    arrivals = vendor_clock.arrivals
    assert most_in_any_window(arrivals, limit.per_seconds) <= limit.requests
    allowed = limit.requests * math.ceil(seconds / limit.per_seconds)
    assert len(arrivals) >= 0.95 * allowed


class ArrivalClock:
    """A vendor that answers ``{}`` and records when each call arrived (monotonic)."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []

    async def answer(self, request: Request) -> JSONResponse:
        self.arrivals.append(time.monotonic())
        return JSONResponse({})


@pytest.fixture
def vendor_clock():
    clock = ArrivalClock()
    with serve_app(Starlette(routes=[Route("/call", clock.answer)])) as base_url:
        clock.base_url = base_url
        yield clock


# --- the client and its bucket ---------------------------------------------------------------


async def test_every_call_takes_its_turn_from_the_accounts_shared_bucket(vendor, waits,
                                                                          client_for):
    limit = RateLimit(requests=5, per_seconds=3600.0)
    budgets = InProcessRateBudgets()
    first = client_for(vendor.base_url, waits, connection="one", rate_limit=limit,
                       auth_params={"token": "token-of-the-account"})
    second = client_for(vendor.base_url, waits, connection="two", rate_limit=limit,
                        auth_params={"token": "token-of-the-account"})
    first.attach(budgets)
    second.attach(budgets)
    try:
        await first.get_json("/a")
        await first.get_json("/b")
        await second.get_json("/c")
    finally:
        await first.aclose()
        await second.aclose()
    assert first.account == second.account
    assert await free_turns(budgets.bucket("one", limit, first.account)) == 2


async def test_an_account_is_its_api_address_and_credentials_never_in_clear(vendor, waits,
                                                                             client_for):
    def account(**options) -> str:
        return client_for(options.pop("base_url", vendor.base_url), waits, **options).account

    movidesk = account(auth_params={"token": "secret-token-1"})
    assert movidesk == account(auth_params={"token": "secret-token-1"}, connection="other")
    assert movidesk != account(auth_params={"token": "secret-token-2"})
    assert movidesk != account(auth_params={"token": "secret-token-1"},
                               base_url="http://127.0.0.1:1")
    assert account(headers={"User-Key": "k-1"}) != account(headers={"User-Key": "k-2"})
    assert "secret-token-1" not in movidesk and len(movidesk) == 64


async def test_a_full_budget_raises_before_calling_the_vendor(vendor, waits, client_for):
    limit = RateLimit(requests=1, per_seconds=3600.0)
    async with client_for(vendor.base_url, waits, rate_limit=limit,
                          max_inline_wait=20.0) as client:
        await client.get_json("/a")
        with pytest.raises(RateLimitedError) as refused:
            await client.get_json("/b")
    assert refused.value.retry_after == pytest.approx(limit.window, abs=1.0)
    assert len(vendor.received) == 1
    assert waits == []


async def test_a_vendors_retry_after_pauses_every_client_of_the_account(vendor, waits,
                                                                         client_for):
    fake = FakeTime()
    budgets = InProcessRateBudgets(clock=fake.clock, sleep=fake.sleep)
    limit = RateLimit(requests=100, per_seconds=1.0)
    vendor.then(429, {"message": "slow down"}, headers={"Retry-After": "7"})
    told = client_for(vendor.base_url, waits, rate_limit=limit, attempts=1).attach(budgets)
    other = client_for(vendor.base_url, waits, rate_limit=limit).attach(budgets)
    try:
        with pytest.raises(RateLimitedError):
            await told.get_json("/slow-down")
        started = fake.now
        await other.get_json("/next")
    finally:
        await told.aclose()
        await other.aclose()
    assert fake.now - started == pytest.approx(7.0)
    assert fake.sleeps == [pytest.approx(7.0)]


async def test_a_429_without_retry_after_pauses_the_budget_for_the_backoff(vendor, waits,
                                                                          client_for):
    fake = FakeTime()
    budgets = InProcessRateBudgets(clock=fake.clock, sleep=fake.sleep)
    limit = RateLimit(requests=100, per_seconds=1.0)
    vendor.then(429, {"message": "slow down"})
    client = client_for(vendor.base_url, waits, rate_limit=limit, base=2.0).attach(budgets)
    try:
        await client.get_json("/tickets")
    finally:
        await client.aclose()
    assert len(waits) == 1 and 0 <= waits[0] <= 4.0
    assert sum(fake.sleeps) == pytest.approx(waits[0])


async def test_an_error_without_retry_after_leaves_the_budget_alone(vendor, waits,
                                                                   client_for):
    fake = FakeTime()
    budgets = InProcessRateBudgets(clock=fake.clock, sleep=fake.sleep)
    limit = RateLimit(requests=100, per_seconds=1.0)
    vendor.then(503, {"message": "busy"})
    client = client_for(vendor.base_url, waits, rate_limit=limit).attach(budgets)
    try:
        await client.get_json("/busy")
        vendor.then(404, {"message": "gone"})
        with pytest.raises(NotFoundError, match="gone"):
            await client.get_json("/gone")
    finally:
        await client.aclose()
    assert len(waits) == 1
    assert fake.sleeps == []


async def test_a_plugin_can_pause_its_account_for_a_lock_out(vendor, waits, client_for):
    fake = FakeTime()
    budgets = InProcessRateBudgets(clock=fake.clock, sleep=fake.sleep)
    limit = RateLimit(requests=10, per_seconds=60.0)
    client = client_for(vendor.base_url, waits, rate_limit=limit,
                        max_inline_wait=30.0).attach(budgets)
    try:
        await client.pause(60.0)
        with pytest.raises(RateLimitedError) as refused:
            await client.get_json("/locked")
    finally:
        await client.aclose()
    assert refused.value.retry_after == pytest.approx(60.0)
    assert vendor.received == []


# --- budgets ---------------------------------------------------------------------------------

METERED_LIMIT = RateLimit(requests=50, per_seconds=3600.0)
"""No call of a test waits: 50 may go at once, then none for an hour."""


async def free_turns(bucket: RateBucket) -> int:
    """How many calls ``bucket`` lets through right now (taking them)."""
    taken = 0
    while True:
        try:
            await bucket.acquire(max_wait=0.0)
        except RateLimitedError:
            return taken
        taken += 1


class MeteredSettings(ConnectionSettings):
    """A metered connection's settings: the token names the vendor account."""

    token: SecretStr = SecretStr("shared-token")


def _metered_client(name: str, settings: MeteredSettings) -> VendorClient:
    """A rate-limited client whose vendor always answers ``{}`` without a network."""
    answer = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    return VendorClient(name, "http://metered.invalid", rate_limit=METERED_LIMIT,
                        auth_params={"token": settings.token.get_secret_value()},
                        transport=answer)


async def _check(connection) -> None:
    return None


@pytest.fixture(scope="module")
def plugins():
    plugin = types.ModuleType("metered_plugin")
    plugin.register_connectors = hookimpl(lambda: [
        Connector("metered", "Metered", ("crm",), MeteredSettings, _metered_client, _check)])
    return load_plugins(enabled=[], extra=[plugin])


def build(plugins) -> Runtime:
    config = parse_config({"connections": {"crm": {"plugin": "metered", "token": "crm-token"},
                                           "desk": {"plugin": "metered", "token": "desk-token"},
                                           "crm-again": {"plugin": "metered",
                                                         "token": "crm-token"}}})
    return Runtime.build(config, plugins=plugins, key=b"test-key")


async def turns_used(budgets: RateBudgets, connection) -> int:
    return METERED_LIMIT.requests - await free_turns(
        budgets.bucket(connection.name, METERED_LIMIT, connection.client.account))


def assert_no_module_state(*kept: object) -> None:
    """No module-level value of ``pontes.http`` holds any of ``kept`` (buckets, observers)."""
    modules = [m for name, m in sys.modules.items()
               if name == "pontes.http" or name.startswith("pontes.http.")]
    assert len(modules) > 1
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, dict | list | set | tuple | weakref.WeakSet):
                contents = [*value.values(), *value] if isinstance(value, dict) else list(value)
                assert not any(item is thing for item in contents for thing in kept), (
                    f"{module.__name__}.{name} keeps state that belongs to a runtime")


def test_in_process_budgets_keep_one_bucket_per_account_and_limit():
    budgets = InProcessRateBudgets()
    assert isinstance(budgets, RateBudgets)
    bucket = budgets.bucket("crm", METERED_LIMIT, "account-1")
    assert isinstance(bucket, RateBucket)
    assert budgets.bucket("crm", METERED_LIMIT, "account-1") is bucket
    assert budgets.bucket("desk", METERED_LIMIT, "account-1") is bucket
    assert budgets.bucket("crm", RateLimit(requests=5), "account-1") is not bucket
    assert budgets.bucket("crm", METERED_LIMIT, "account-2") is not bucket
    assert budgets.bucket("crm", METERED_LIMIT) is not bucket
    assert InProcessRateBudgets().bucket("crm", METERED_LIMIT, "account-1") is not bucket


async def test_buckets_of_one_account_with_different_limits_share_its_state():
    budgets = InProcessRateBudgets()
    strict = budgets.bucket("crm", RateLimit(2, 3600.0), "account")
    loose = budgets.bucket("desk", RateLimit(3, 3600.0), "account")
    assert await free_turns(strict) == 2
    assert await free_turns(loose) == 3 - 2


async def test_clients_of_one_connection_in_a_runtime_share_its_bucket(plugins):
    runtime = build(plugins)
    crm = runtime.connections["crm"]
    assert crm.budgets is runtime.budgets
    assert runtime.connections["desk"].budgets is runtime.budgets
    await crm.client.get_json("/a")
    await crm.aclose()
    await crm.client.get_json("/b")
    twin = connect(runtime.registry, "metered", crm.settings, connection_name="crm")
    twin.budgets = runtime.budgets
    await twin.client.get_json("/c")
    try:
        assert await turns_used(runtime.budgets, crm) == 3
        assert_no_module_state(runtime.budgets.bucket("crm", METERED_LIMIT,
                                                      crm.client.account))
    finally:
        await twin.aclose()
        await runtime.aclose()


async def test_connections_share_a_bucket_exactly_when_they_share_an_account(plugins):
    runtime = build(plugins)
    crm, desk, again = (runtime.connections[name] for name in ("crm", "desk", "crm-again"))
    await crm.client.get_json("/a")
    await again.client.get_json("/b")
    await desk.client.get_json("/c")
    try:
        assert await turns_used(runtime.budgets, crm) == 2
        assert await turns_used(runtime.budgets, desk) == 1
    finally:
        await runtime.aclose()


async def test_two_runtimes_never_share_a_bucket(plugins):
    first, second = build(plugins), build(plugins)
    assert first.budgets is not second.budgets
    await first.connections["crm"].client.get_json("/a")
    await first.connections["crm"].client.get_json("/b")
    await second.connections["crm"].client.get_json("/c")
    try:
        assert await turns_used(first.budgets, first.connections["crm"]) == 2
        assert await turns_used(second.budgets, second.connections["crm"]) == 1
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_connection_made_alone_keeps_private_budgets(plugins):
    settings = MeteredSettings(plugin="metered")
    alone = connect(plugins.registry, "metered", settings, connection_name="crm")
    other = connect(plugins.registry, "metered", settings, connection_name="crm")
    await alone.client.get_json("/a")
    await other.client.get_json("/b")
    await other.client.get_json("/c")
    try:
        assert alone.budgets is not other.budgets
        assert await turns_used(alone.budgets, alone) == 1
        assert await turns_used(other.budgets, other) == 2
    finally:
        await alone.aclose()
        await other.aclose()


async def test_the_runtime_observers_see_every_call_of_its_connections(plugins):
    first, second = build(plugins), build(plugins)
    seen: list[tuple[str, str, int | None]] = []
    crm = first.connections["crm"]
    await crm.client.get_json("/before")

    def observe(connection, method, status, seconds):
        seen.append((connection, method, status))

    first.call_observers.append(observe)
    await crm.client.post_json("/after")
    await first.connections["desk"].client.delete("/x")
    await second.connections["crm"].client.get_json("/elsewhere")
    try:
        assert seen == [("crm", "POST", 200), ("desk", "DELETE", 200)]
        assert_no_module_state(observe)
    finally:
        await first.aclose()
        await second.aclose()


async def test_budgets_can_be_replaced_by_another_implementation(plugins):
    taken: list[tuple[str, RateLimit, float]] = []

    class Counted:
        def __init__(self, connection: str, limit: RateLimit) -> None:
            self.key = (connection, limit)

        async def acquire(self, max_wait: float = float("inf")) -> float:
            taken.append((*self.key, max_wait))
            return 0.0

        async def pause(self, seconds: float) -> None:
            raise AssertionError("nothing asked to slow down")

    class CountingBudgets:
        def bucket(self, connection: str, limit: RateLimit,
                   account: str | None = None) -> RateBucket:
            assert account is not None
            return Counted(connection, limit)

    crm = connect(plugins.registry, "metered", MeteredSettings(plugin="metered"),
                  connection_name="crm")
    runtime = Runtime(parse_config({}), plugins, {"crm": crm}, {}, budgets=CountingBudgets())
    await runtime.connections["crm"].client.get_json("/a")
    await runtime.connections["crm"].client.get_json("/b")
    await runtime.aclose()
    max_wait = RetryPolicy().max_inline_wait
    assert taken == [("crm", METERED_LIMIT, max_wait)] * 2
