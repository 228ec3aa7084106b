"""Helpers of the scale-out tests: pontes web and worker processes on one configuration,
a burst sender that keeps per-key order, and reading the outcome from the store.

Processes run the real command line (``python -m pontes.cli serve ... --no-worker``,
``python -m pontes.cli worker ...``) with the Ledger test plugin loaded.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from engine_support import ServerClient, free_port, wait_until
from sqlalchemy import create_engine, text

CLUSTER_ENV = {
    "PONTES_HEARTBEAT_INTERVAL": "0.5",
    "PONTES_STALLED_AFTER": "4",
    "PONTES_SHUTDOWN_GRACE": "2",
    "PONTES_MAX_CRASHES": "3",
}
"""Worker timings of the tests: a killed worker's events run again after about 5 s."""


class PontesProcess:
    """One ``pontes serve`` or ``pontes worker`` process, restartable."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path,
                 ready: Callable[[PontesProcess], bool]):
        self.args = args
        self.env = env
        self.log_path = log_path
        self.ready = ready
        self.process: subprocess.Popen | None = None

    def start(self) -> PontesProcess:
        """Start (or restart) the process and wait until it is ready."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "pontes.cli", *self.args],
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def ready() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"pontes {self.args[0]} exited with {self.process.returncode}:\n"
                            f"{self.log()[-3000:]}")
            return self.ready(self)

        wait_until(ready, 60, what=f"pontes {self.args[0]} to start")
        return self

    @property
    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """``kill -9``: no shutdown, nothing flushed."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for the process to end; returns its exit status."""
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


def web_process(config: Path, env: dict[str, str], workdir: Path, *,
                worker: bool = False) -> tuple[PontesProcess, ServerClient]:
    """A ``pontes serve`` process (``--no-worker`` unless ``worker``) and its admin client."""
    port = free_port()
    client = ServerClient(f"http://127.0.0.1:{port}")

    def healthy(_process: PontesProcess) -> bool:
        try:
            return httpx.get(f"{client.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    args = ["serve", "-c", str(config), "--port", str(port)]
    if not worker:
        args.append("--no-worker")
    return PontesProcess(args, env, workdir / f"web-{port}.log", healthy), client


def worker_process(config: Path, env: dict[str, str], workdir: Path, number: int,
                   concurrency: int = 8, metrics_port: int | None = None) -> PontesProcess:
    """A ``pontes worker`` process (serving its metrics on ``metrics_port``, if given)."""

    def started(process: PontesProcess) -> bool:
        return "runs up to" in process.log()

    args = ["worker", "-c", str(config), "--concurrency", str(concurrency)]
    if metrics_port is not None:
        args += ["--metrics-port", str(metrics_port)]
    return PontesProcess(args, env, workdir / f"worker-{number}.log", started)


@dataclass
class Burst:
    """Deliveries over ``keys`` entity keys: delivery ``i`` is about key ``i % keys``.

    The deliveries of one key are sent one after the other, each once the previous one
    was answered 2xx (so their arrival order is known); different keys go in parallel.
    A delivery that fails (a web process is down, the store is restarting) is sent again,
    to the next web process, until answered 2xx, as vendors do.
    """

    deliveries: int
    keys: int
    parallel: int = 24
    accepted: set[str] = field(default_factory=set)
    retried: int = 0

    def sequence(self, key: int) -> list[int]:
        return list(range(key, self.deliveries, self.keys))

    async def send(self, urls: list[str], on_progress: Callable[[int], None] = lambda n: None,
                   prefix: str = "k") -> None:
        """Send every delivery, calling ``on_progress(accepted so far)`` after each."""
        gate = asyncio.Semaphore(self.parallel)
        turn = itertools.count()
        limits = httpx.Limits(max_connections=self.parallel * 2)
        async with httpx.AsyncClient(timeout=15, limits=limits) as client:

            async def one_key(key: int) -> None:
                async with gate:
                    for i in self.sequence(key):
                        await self._deliver(client, urls, turn, prefix, key, i)
                        on_progress(len(self.accepted))

            await asyncio.gather(*(one_key(key) for key in range(self.keys)))

    async def _deliver(self, client: httpx.AsyncClient, urls: list[str], turn, prefix: str,
                       key: int, i: int) -> None:
        body = {"id": f"{prefix}{i}", "entity": f"{prefix}e{key}", "n": i}
        for _ in range(600):
            url = urls[next(turn) % len(urls)]
            try:
                answer = await client.post(url, json=body)
                if answer.is_success:
                    self.accepted.add(f"ledger:{prefix}{i}")
                    return
            except httpx.HTTPError:
                pass
            self.retried += 1
            await asyncio.sleep(0.1)
        raise AssertionError(f"delivery {i} was never accepted")


def event_states(store_url: str) -> dict[str, int]:
    """How many events are in each status, read from the store."""
    engine = create_engine(store_url)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text(
                "SELECT status, count(*) FROM events GROUP BY status")).all())
    except Exception:
        return {"unreachable": 1}
    finally:
        engine.dispose()


def settled(store_url: str, expected: int) -> dict[str, int] | None:
    """The status counts once ``expected`` events are stored and none waits or runs."""
    states = event_states(store_url)
    waiting = states.get("received", 0) + states.get("running", 0)
    if sum(states.values()) >= expected and waiting == 0 and "unreachable" not in states:
        return states
    return None


def entries_by_entity(entries: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Per entity, the ``n`` of its entries in the order the sandbox created them."""
    found: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        found[entry["entity"]].append(entry["n"])
    return found


def _postgres_version() -> str | None:
    """The version directory of the local PostgreSQL cluster, if ``pg_ctlcluster`` runs it."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return None
    return sorted(Path("/etc/postgresql").iterdir())[0].name


def postgres_accepts_connections() -> bool:
    """Whether the local PostgreSQL cluster answers ``pg_isready``."""
    ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"])
    return ready.returncode == 0


def _pg_ctlcluster(version: str, action: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                           action, *options], capture_output=True, text=True)


def ensure_postgres_running(timeout: float = 90.0) -> None:
    """Start the local PostgreSQL cluster if it is down and wait until it accepts
    connections; the tests after a restart need it whatever the restart did."""
    version = _postgres_version()
    if version is None:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if postgres_accepts_connections():
            return
        if _pg_ctlcluster(version, "status").returncode != 0:
            _pg_ctlcluster(version, "start")
        time.sleep(1)
    raise RuntimeError(f"PostgreSQL {version} does not accept connections {timeout:.0f}s "
                       "after its restart")


def restart_postgres() -> None:
    """Restart the local PostgreSQL cluster serving the tests and wait until it accepts
    connections again (a failed restart still ends with the cluster started)."""
    version = _postgres_version()
    if version is None:
        return
    try:
        _pg_ctlcluster(version, "restart", "-m", "fast")
    finally:
        ensure_postgres_running()


def can_restart_postgres() -> bool:
    """Whether this machine's PostgreSQL cluster is one the tests may restart."""
    return _postgres_version() is not None


def max_in_window(times: list[float], window: float) -> int:
    """The most calls in any ``window`` seconds."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    """``wait_until`` with a coarser poll (the predicates here read the store)."""
    return wait_until(predicate, timeout, interval=0.25, what=what)

