"""The lock-out guard on its own: turns, holds and event loops (the client's use of it
against the sandbox is in ``test_client``)."""

from __future__ import annotations

import asyncio
import time

import pytest
from pontes.plugin import RateLimitedError
from pontes_movidesk.lockout import LockoutGuard, Outcome


async def _nothing() -> None:
    raise AssertionError("no series to end")


def test_a_hold_longer_than_the_caller_waits_is_raised_and_a_short_one_is_waited():
    guard = LockoutGuard()

    async def run() -> float:
        await guard.turn(_nothing, max_wait=20)
        guard.finished(Outcome.FAILED, retry_after=30)
        with pytest.raises(RateLimitedError) as refused:
            await guard.turn(_nothing, max_wait=20)
        assert 29 < refused.value.retry_after <= 30
        guard.held_until = time.monotonic() + 0.2
        started = time.monotonic()
        await guard.turn(_nothing, max_wait=20)
        return time.monotonic() - started

    assert asyncio.run(run()) >= 0.2
    assert guard.busy and guard.failures == 1


def test_a_call_waiting_in_a_closed_event_loop_does_not_stop_the_next_turn():
    guard = LockoutGuard()

    async def leave_one_waiting() -> None:
        await guard.turn(_nothing, max_wait=20)
        waiting = asyncio.create_task(guard.turn(_nothing, max_wait=20))
        await asyncio.sleep(0.05)
        assert not waiting.done()

    asyncio.run(leave_one_waiting())

    async def go_on() -> None:
        guard.finished(Outcome.SUCCEEDED)
        await guard.turn(_nothing, max_wait=20)

    asyncio.run(go_on())
    assert guard.busy and guard.failures == 0
