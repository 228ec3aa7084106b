"""A process sharing a vendor budget through the store, for the budget tests.

``python budget_process.py hammer STORE_URL ACCOUNT REQUESTS PER_SECONDS SECONDS TASKS``:
prints ``ready`` once connected, then reads a wall-clock start time from stdin; from then
for ``SECONDS``, ``TASKS`` tasks take calls from the account's budget as fast as it lets
them (a task stops at the first turn that would come later). Prints the wall-clock time of
every call granted, as a JSON list.

``python budget_process.py call STORE_URL BASE_URL TOKEN``: one ``GET /tickets`` through a
``VendorClient`` whose budget is in the store; prints ``{"status": 200}`` or, when the
budget refused, ``{"refused_for": seconds, "status": null}`` (a vendor's own 429 would
carry its status).

Both read the installation key from ``PONTES_SECRET_KEY``, as pontes does.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from pontes.errors import RateLimitedError
from pontes.http import RateLimit, RetryPolicy, VendorClient
from pontes.store import StoreRateBudgets, open_engine

CALL_LIMIT = RateLimit(100, 1.0)
"""The limit of the ``call`` client: never the reason for a wait of its own."""


async def hammer(store_url: str, account: str, requests: str, per_seconds: str,
                 seconds: str, tasks: str) -> list[float]:
    """Take calls from one budget with several tasks; the times they were granted."""
    engine = open_engine(store_url)
    with engine.connect():
        pass
    bucket = StoreRateBudgets(engine).bucket("hammer", RateLimit(int(requests),
                                                                float(per_seconds)), account)
    print("ready", flush=True)
    start_at = float(sys.stdin.readline())
    granted: list[float] = []
    end = start_at + float(seconds)

    async def busy() -> None:
        while True:
            try:
                await bucket.acquire(max_wait=end - time.time())
            except RateLimitedError:
                return
            granted.append(time.time())

    await asyncio.sleep(max(0.0, start_at - time.time()))
    await asyncio.gather(*(busy() for _ in range(int(tasks))))
    engine.dispose()
    return granted


async def call(store_url: str, base_url: str, token: str) -> dict[str, float | None]:
    """One vendor call through a client whose budget lives in the store."""
    engine = open_engine(store_url)
    client = VendorClient("desk", base_url, rate_limit=CALL_LIMIT, auth_params={"token": token},
                          retry=RetryPolicy(attempts=1, max_inline_wait=0.5))
    client.attach(StoreRateBudgets(engine))
    try:
        response = await client.request("GET", "/tickets")
    except RateLimitedError as refused:
        return {"refused_for": refused.retry_after, "status": refused.status}
    finally:
        await client.aclose()
        engine.dispose()
    return {"status": response.status_code}


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    work = {"hammer": hammer, "call": call}[command]
    print(json.dumps(asyncio.run(work(*arguments))))
