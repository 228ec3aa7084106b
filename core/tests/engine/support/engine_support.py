"""Helpers of the engine tests: waiting, free ports, servers on loopback, configurations."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import ledger_plugin
import pytest
import uvicorn
from pontes.testing.databases import (  # noqa: F401 (the engine tests import them from here)
    POSTGRES_ENV,
    empty_postgres,
    require_postgres,
)

SUPPORT_DIR = Path(__file__).parent
SECRET_KEY = "engine-tests-secret-key-0123456789"
ADMIN_TOKEN = "engine-tests-admin-token"


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05,
               what: str = "the condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThreadedServer:
    """An ASGI app served by uvicorn in a background thread on a loopback port."""

    def __init__(self, app, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> ThreadedServer:
        self._thread.start()
        wait_until(lambda: self._server.started, 10, what="the sandbox to start")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True  # do not wait for requests held by a delay fault
        self._thread.join(10)


@dataclass
class Sandbox:
    """The running Ledger sandbox and the calls the tests make to it."""

    url: str
    client: httpx.Client = field(repr=False)

    def entries(self, key: str | None = None) -> list[dict[str, Any]]:
        """The entries created so far, in the order the sandbox created them."""
        params = {"key": key} if key else {}
        response = self.client.get("/_sandbox/ledger/entries", params=params)
        response.raise_for_status()
        return response.json()

    def limit(self, requests: int, per_seconds: float) -> None:
        """Hold every caller to ``requests`` calls in any ``per_seconds`` window."""
        self.client.post("/_sandbox/ledger/limit", json={
            "requests": requests, "per_seconds": per_seconds}).raise_for_status()

    def calls(self) -> list[dict[str, Any]]:
        """Every API call the sandbox answered: its time and status (200 or 429)."""
        return self.client.get("/_sandbox/ledger/calls").json()

    def polls(self) -> list[float]:
        """When the change feed was polled."""
        return self.client.get("/_sandbox/ledger/polls").json()

    def fault(self, **spec: Any) -> None:
        self.client.post("/_sandbox/faults", json=spec).raise_for_status()

    def clear_faults(self) -> None:
        self.client.delete("/_sandbox/faults").raise_for_status()

    def add_change(self, entity: str) -> dict[str, Any]:
        response = self.client.post("/changes", json={"entity": entity})
        response.raise_for_status()
        return response.json()

    def requests(self) -> list[dict[str, Any]]:
        return self.client.get("/_sandbox/requests").json()


# --- configuration ------------------------------------------------------------------------


def ledger_config(store_url: str, sandbox_url: str, public_url: str = "http://127.0.0.1:8000",
                  *, max_attempts: int = 3, polling: bool = False,
                  poll_interval: float | None = None,
                  rate: tuple[int, float] | None = None) -> dict[str, Any]:
    """A configuration with the ``copy`` integration (and ``mirror`` when ``polling``,
    polling every ``poll_interval`` seconds or the trigger's own interval). ``rate``
    holds both connections, one Ledger account, to ``(requests, per_seconds)``."""
    connection = {"plugin": "ledger", "base_url": sandbox_url, "api_key": "${LEDGER_KEY}"}
    if rate is not None:
        connection.update(rate_requests=rate[0], rate_seconds=rate[1])
    integrations: dict[str, Any] = {
        "copy": {"recipe": "ledger_copy", "source": "ledger-in", "target": "ledger-out",
                 "max_attempts": max_attempts},
    }
    if polling:
        integrations["mirror"] = {"recipe": "ledger_mirror", "source": "ledger-in",
                                  "target": "ledger-out", "max_attempts": max_attempts,
                                  "poll": True}
        if poll_interval is not None:
            integrations["mirror"]["poll_interval"] = poll_interval
    return {"store": store_url, "public_url": public_url, "plugins": [],
            "connections": {"ledger-in": connection, "ledger-out": dict(connection)},
            "integrations": integrations}


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a server subprocess (small backoff, the test plugin loaded)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PONTES_")}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(SUPPORT_DIR), env.get("PYTHONPATH", "")]),
        "PONTES_EXTRA_PLUGINS": "ledger_plugin",
        "PONTES_SECRET_KEY": SECRET_KEY,
        "PONTES_ADMIN_TOKEN": ADMIN_TOKEN,
        "PONTES_BACKOFF_BASE": "0.05",
        "PONTES_BACKOFF_CAP": "0.4",
        "PONTES_IDLE_INTERVAL": "0.2",
        "PONTES_BODY_LIMIT": "8192",
        "LEDGER_KEY": ledger_plugin.SANDBOX_KEY,
        **extra,
    })
    return env


class ServerClient:
    """The admin API of a running pontes server, as the tests use it."""

    def __init__(self, url: str):
        self.url = url
        self.admin = httpx.Client(base_url=url, timeout=30,
                                  headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def hook_url(self, integration: str = "copy") -> str:
        answer = self.admin.get("/admin/api/integrations")
        answer.raise_for_status()
        entry = next(i for i in answer.json() if i["name"] == integration)
        return entry["webhooks"][0]["url"]

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        answer = self.admin.get("/admin/api/events", params={"limit": 1000, **filters})
        answer.raise_for_status()
        return answer.json()

    def event(self, event_id: int) -> dict[str, Any]:
        answer = self.admin.get(f"/admin/api/events/{event_id}")
        answer.raise_for_status()
        return answer.json()

    def settled(self) -> list[dict[str, Any]] | None:
        """All events, once none is waiting or running (else ``None``)."""
        found = self.events()
        return None if any(e["status"] in ("received", "running") for e in found) else found


class ServerProcess(ServerClient):
    """``python -m pontes.server`` in a subprocess, with helpers to talk to it."""

    def __init__(self, config_path: Path, env: dict[str, str], port: int, log_path: Path):
        super().__init__(f"http://127.0.0.1:{port}")
        self.config_path = config_path
        self.env = env
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pontes.server", "--config", str(self.config_path),
                 "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def healthy() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, 30, what="the server to answer /healthz")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """``kill -9``: no shutdown, no flushing."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def ledger_runtime(config: dict[str, Any]):
    """A ``Runtime`` for a Ledger configuration, with the test plugin loaded as an extra."""
    from pontes.config import parse_config
    from pontes.plugins import load_plugins
    from pontes.runtime import Runtime

    parsed = parse_config(config, environ={"LEDGER_KEY": ledger_plugin.SANDBOX_KEY})
    return Runtime.build(parsed, load_plugins(enabled=[], extra=[ledger_plugin]),
                         key=SECRET_KEY.encode())


def finish(store, event_id: int, attempt: int, outcome: str, **details: Any) -> bool:
    """Record how one attempt ended, as the runner does (``finish_many``); ``False`` when the
    event was taken back meanwhile."""
    from pontes.store import Outcome

    return store.events.finish_many([Outcome(event_id, attempt, outcome, **details)])[0]


def quick_settings(**overrides: Any):
    """Engine settings with small waits, as the subprocess servers get them."""
    from pontes.engine import Settings

    values = {"backoff_base": 0.05, "backoff_cap": 0.4, "idle_interval": 0.2,
              "body_limit": 8192, "admin_token": ADMIN_TOKEN, **overrides}
    return Settings(**values)
