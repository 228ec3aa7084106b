"""``kill -9`` of the server in the middle of a burst: nothing accepted is lost or doubled."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from engine_support import wait_until

DELIVERIES = 500
KILL_AFTER = 200


async def burst(url: str, on_accepted) -> set[str]:
    """Send every delivery with 32 in flight; return the keys answered 2xx."""
    accepted: set[str] = set()
    gate = asyncio.Semaphore(32)
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:

        async def one(i: int) -> None:
            async with gate:
                try:
                    answer = await client.post(url, json={"id": f"k{i}", "entity": f"e{i % 40}",
                                                          "n": i})
                except httpx.HTTPError:
                    return
            if answer.is_success:
                accepted.add(f"ledger:k{i}")
                on_accepted(len(accepted))

        await asyncio.gather(*(one(i) for i in range(DELIVERIES)))
    return accepted


@pytest.mark.slow
def test_kill_9_during_a_burst_then_restart_runs_every_accepted_event_exactly_once(
        store_url, start_server, sandbox):
    server = start_server(store_url)
    url = server.hook_url()
    # slow the vendor down so that events are mid-run when the process dies
    sandbox.fault(delay=0.02, count=100_000, path="/entries")

    def kill_once(count: int) -> None:
        if count == KILL_AFTER:
            server.kill()

    accepted = asyncio.run(burst(url, kill_once))
    assert server.process.returncode == -9
    assert KILL_AFTER <= len(accepted) < DELIVERIES  # the kill cut the burst short

    sandbox.clear_faults()
    server.start()
    events = wait_until(server.settled, 120, what="every stored event to run after restart")

    effects = Counter(entry["key"] for entry in sandbox.entries())
    doubled = {key: n for key, n in effects.items() if n > 1}
    missing = accepted - set(effects)
    assert doubled == {}
    assert missing == set()
    stored = {e["idempotency_key"] for e in events}
    assert accepted <= stored
    assert all(e["status"] == "succeeded" for e in events)
    # the kill caught runs in progress: they ran again after the restart, creating nothing twice
    assert any(e["attempts"] > 1 for e in events)
