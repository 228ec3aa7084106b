"""Callers that meet an expired token at the same time: exactly one refresh reaches the
vendor, whose refresh tokens are single-use, and every call succeeds."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from oauth_support import authorization_code, signed_client

SUPPORT = Path(__file__).parent / "support"
ENGINE_SUPPORT = Path(__file__).parent.parent / "engine" / "support"


def logged_in_with_expired_token(store, vendor) -> None:
    """Log ``gate`` in with an access token that is already stale; the vendor's next
    tokens last an hour, and each refresh takes a while to answer (a wide race window)."""
    vendor.control("settings", expires_in=1)
    _client, session = signed_client(store.vault, vendor.url)
    session.exchange_code(authorization_code(vendor.url, session.redirect_uri))
    session.close()
    vendor.control("settings", expires_in=3600, refresh_delay=0.3)


def test_fifty_threads_refresh_once(store, vendor):
    logged_in_with_expired_token(store, vendor)
    start = threading.Barrier(50)
    results: list[object] = []

    def caller() -> None:
        client, session = signed_client(store.vault, vendor.url)

        async def call() -> object:
            async with client:
                return await client.get_json("/api/me")

        start.wait()
        try:
            results.append(asyncio.run(call()))
        except Exception as exc:  # recorded, so that the assertion names it
            results.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=caller) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [r for r in results if not isinstance(r, dict)] == []
    assert len(results) == 50
    stats = vendor.stats()
    assert stats["refreshes"] == 1
    assert stats["reused"] == 0


@pytest.mark.slow
def test_five_processes_of_ten_callers_refresh_once(store, store_url, vendor, tmp_path):
    logged_in_with_expired_token(store, vendor)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SUPPORT), str(ENGINE_SUPPORT), os.environ.get("PYTHONPATH", "")])}
    processes = [subprocess.Popen(
        [sys.executable, str(SUPPORT / "oauth_caller.py"), store_url, vendor.url, "10",
         str(tmp_path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(5)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    (tmp_path / "go").touch()
    outputs = [process.communicate(timeout=120) for process in processes]

    assert [out.strip() for out, _err in outputs] == ["10"] * 5, [err for _o, err in outputs]
    stats = vendor.stats()
    assert stats["refreshes"] == 1
    assert stats["reused"] == 0
