"""Observing calls: every vendor call is reported to the observers the client is given."""

from __future__ import annotations

import pytest
from pontes.errors import NotFoundError, VendorUnavailable
from pontes.http import InProcessRateBudgets
from pontes.testing import free_port

pytestmark = pytest.mark.anyio


async def test_call_observers_see_every_call_with_its_status(vendor, waits, client_for):
    seen: list[tuple[str, str, int | None]] = []

    def observe(connection, method, status, seconds):
        assert seconds >= 0
        seen.append((connection, method, status))

    def broken(*args):
        raise RuntimeError("an observer with a bug")

    observers = [observe, broken]
    budgets = InProcessRateBudgets()
    vendor.then(503, {"message": "busy"}).then(200, {"id": 1}).then(404, {"message": "gone"})
    async with client_for(vendor.base_url, waits).attach(budgets, observers) as client:
        await client.get_json("/tickets/1")
        with pytest.raises(NotFoundError):
            await client.delete("/tickets/1")
    down_client = client_for(f"http://127.0.0.1:{free_port()}", waits, attempts=1)
    async with down_client.attach(budgets, observers) as down:
        with pytest.raises(VendorUnavailable):
            await down.post_json("/tickets")
    assert seen == [
        ("test-vendor", "GET", 503),
        ("test-vendor", "GET", 200),
        ("test-vendor", "DELETE", 404),
        ("test-vendor", "POST", None),
    ]


async def test_observers_are_kept_by_reference_and_belong_to_their_clients(vendor, waits,
                                                                           client_for):
    first_seen: list[str] = []
    second_seen: list[str] = []
    first_observers: list = []
    budgets = InProcessRateBudgets()
    async with (client_for(vendor.base_url, waits).attach(budgets, first_observers) as first,
                client_for(vendor.base_url, waits).attach(budgets, [
                    lambda connection, method, status, seconds: second_seen.append(method)
                ]) as second,
                client_for(vendor.base_url, waits) as unobserved):
        await first.get_json("/before")
        first_observers.append(lambda connection, method, status, seconds:
                               first_seen.append(method))
        await first.post_json("/after")
        await second.delete("/other")
        await unobserved.get_json("/nobody")
    assert first_seen == ["POST"]
    assert second_seen == ["DELETE"]
