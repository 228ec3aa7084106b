"""Rate limits: the token bucket, and the budgets that decide which clients share one.

The buckets live in a ``RateBudgets`` that a runtime owns and hands to its connections:
the clients of one connection in one runtime share a bucket, another runtime has its own,
and no module of ``pontes.http`` keeps buckets or observers of its own.
"""

from __future__ import annotations

import asyncio
import sys
import types
import weakref

import httpx
import pytest
from pontes import hookimpl
from pontes.config import parse_config
from pontes.connector import ConnectionSettings, Connector
from pontes.http import (
    InProcessRateBudgets,
    RateBucket,
    RateBudgets,
    RateLimit,
    TokenBucket,
    VendorClient,
)
from pontes.plugins import load_plugins
from pontes.runtime import Runtime
from pontes.testing.connections import connect

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


async def test_every_call_takes_a_token_from_the_connections_shared_bucket(vendor, waits,
                                                                            client_for):
    limit = RateLimit(requests=10, per_seconds=3600.0)
    budgets = InProcessRateBudgets()
    first = client_for(vendor.base_url, waits, connection="shared-bucket", rate_limit=limit)
    second = client_for(vendor.base_url, waits, connection="shared-bucket", rate_limit=limit)
    first.attach(budgets)
    second.attach(budgets)
    bucket = budgets.bucket("shared-bucket", limit)
    try:
        await first.get_json("/a")
        await first.get_json("/b")
        await second.get_json("/c")
    finally:
        await first.aclose()
        await second.aclose()
    assert bucket.tokens == pytest.approx(7, abs=0.01)

# --- budgets ---------------------------------------------------------------------------------

METERED_LIMIT = RateLimit(requests=50, per_seconds=3600.0)


def _metered_client(name: str, settings: ConnectionSettings) -> VendorClient:
    """A rate-limited client whose vendor always answers ``{}`` without a network."""
    answer = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    return VendorClient(name, "http://metered.invalid", rate_limit=METERED_LIMIT,
                        transport=answer)


async def _check(connection) -> None:
    return None


@pytest.fixture(scope="module")
def plugins():
    plugin = types.ModuleType("metered_plugin")
    plugin.register_connectors = hookimpl(lambda: [
        Connector("metered", "Metered", ("crm",), ConnectionSettings, _metered_client, _check)])
    return load_plugins(enabled=[], extra=[plugin])


def build(plugins) -> Runtime:
    config = parse_config({"connections": {"crm": {"plugin": "metered"},
                                           "desk": {"plugin": "metered"}}})
    return Runtime.build(config, plugins=plugins, key=b"test-key")


def tokens_used(budgets: RateBudgets, connection: str) -> float:
    return METERED_LIMIT.requests - budgets.bucket(connection, METERED_LIMIT).tokens


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


def test_in_process_budgets_keep_one_bucket_per_connection_and_limit():
    budgets = InProcessRateBudgets()
    assert isinstance(budgets, RateBudgets)
    bucket = budgets.bucket("crm", METERED_LIMIT)
    assert isinstance(bucket, RateBucket)
    assert budgets.bucket("crm", METERED_LIMIT) is bucket
    assert budgets.bucket("crm", RateLimit(requests=5)) is not bucket
    assert budgets.bucket("desk", METERED_LIMIT) is not bucket
    assert InProcessRateBudgets().bucket("crm", METERED_LIMIT) is not bucket


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
        assert tokens_used(runtime.budgets, "crm") == pytest.approx(3, abs=0.01)
        assert tokens_used(runtime.budgets, "desk") == pytest.approx(0, abs=0.01)
        assert_no_module_state(runtime.budgets.bucket("crm", METERED_LIMIT))
    finally:
        await twin.aclose()
        await runtime.aclose()


async def test_two_runtimes_never_share_a_bucket(plugins):
    first, second = build(plugins), build(plugins)
    assert first.budgets is not second.budgets
    await first.connections["crm"].client.get_json("/a")
    await first.connections["crm"].client.get_json("/b")
    await second.connections["crm"].client.get_json("/c")
    try:
        assert tokens_used(first.budgets, "crm") == pytest.approx(2, abs=0.01)
        assert tokens_used(second.budgets, "crm") == pytest.approx(1, abs=0.01)
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_connection_made_alone_keeps_private_budgets(plugins):
    settings = ConnectionSettings(plugin="metered")
    alone = connect(plugins.registry, "metered", settings, connection_name="crm")
    other = connect(plugins.registry, "metered", settings, connection_name="crm")
    await alone.client.get_json("/a")
    await other.client.get_json("/b")
    await other.client.get_json("/c")
    try:
        assert alone.budgets is not other.budgets
        assert tokens_used(alone.budgets, "crm") == pytest.approx(1, abs=0.01)
        assert tokens_used(other.budgets, "crm") == pytest.approx(2, abs=0.01)
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
    taken: list[tuple[str, RateLimit]] = []

    class Counted:
        def __init__(self, connection: str, limit: RateLimit) -> None:
            self.key = (connection, limit)

        async def acquire(self) -> float:
            taken.append(self.key)
            return 0.0

    class CountingBudgets:
        def bucket(self, connection: str, limit: RateLimit) -> RateBucket:
            return Counted(connection, limit)

    crm = connect(plugins.registry, "metered", ConnectionSettings(plugin="metered"),
                  connection_name="crm")
    runtime = Runtime(parse_config({}), plugins, {"crm": crm}, {}, budgets=CountingBudgets())
    await runtime.connections["crm"].client.get_json("/a")
    await runtime.connections["crm"].client.get_json("/b")
    await runtime.aclose()
    assert taken == [("crm", METERED_LIMIT)] * 2
