"""One process of the concurrency test: ``CALLS`` concurrent calls to the test vendor's API
through one OAuth session over the store at ``STORE_URL``; prints how many succeeded.
Once ready it creates ``DIR/ready-<pid>`` and waits for ``DIR/go`` before calling.

    python oauth_caller.py STORE_URL VENDOR_URL CALLS DIR
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from oauth_support import SECRET_KEY, signed_client
from pontes.store import Store


async def call_all(store: Store, vendor_url: str, calls: int) -> int:
    """Make ``calls`` calls at once; the number that succeeded."""
    client, session = signed_client(store.vault, vendor_url)
    async with client:
        answers = await asyncio.gather(*(client.get_json("/api/me") for _ in range(calls)),
                                       return_exceptions=True)
    session.close()
    for answer in answers:
        if isinstance(answer, BaseException):
            print(f"failed: {answer!r}", file=sys.stderr)
    return sum(1 for answer in answers if isinstance(answer, dict))


def main() -> None:
    store_url, vendor_url, calls, meeting = sys.argv[1:5]
    store = Store.open(store_url, key=SECRET_KEY.encode(), migrate_schema=False)
    (Path(meeting) / f"ready-{os.getpid()}").touch()
    while not (Path(meeting) / "go").exists():
        time.sleep(0.01)
    try:
        print(asyncio.run(call_all(store, vendor_url, int(calls))))
    finally:
        store.close()


if __name__ == "__main__":
    main()
