"""Ingest benchmark: webhook deliveries per second into pontes, against a bare endpoint.

    python bench/ingest.py [--deliveries 5000] [--concurrency 64]

Runs, one after the other, each as a real server process on a loopback port:

- ``bare``: a Starlette endpoint that decodes the JSON body and answers
  ``{"result": "ok"}``, storing nothing (the ceiling of the HTTP stack);
- ``pontes-sqlite``: ``python -m pontes.server`` on SQLite (WAL): every delivery parsed
  by a trigger, de-duplicated and committed before it is answered, with the embedded
  runner running each event (a no-op recipe) at the same time (``--without-runner``:
  only storing, to see the ingest cost alone);
- ``pontes-postgres``: the same on PostgreSQL, when ``PONTES_TEST_POSTGRES_URL`` (or
  ``PONTES_BENCH_POSTGRES_URL``) names a server where a scratch database may be created.

An ``httpx`` client with ``--concurrency`` requests in flight sends ``--deliveries``
distinct deliveries (after a warm-up) and prints accepted deliveries per second, p50 and
p99 latency, and the ratio to the bare endpoint. After each pontes run the store is
counted to confirm that every accepted delivery is stored.

This module is also the benchmark's plugin (``PONTES_EXTRA_PLUGINS=ingest``): a
connector ``bench`` with a webhook trigger and a recipe that does nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from pontes import hookimpl
from pontes.connector import ConnectionSettings, Connector, WebhookAck, WebhookTrigger
from pontes.errors import InvalidPayload
from pontes.http import VendorClient
from pontes.models import Event, Ticket
from pontes.recipes import Recipe, RoleSpec

HERE = Path(__file__).resolve().parent
ADMIN_TOKEN = "bench-admin-token"
SECRET = "bench-webhook-secret"

# --- the benchmark's plugin ---------------------------------------------------------------


def _parse(request) -> list[Event]:
    data = request.data
    if not isinstance(data, dict) or "id" not in data:
        raise InvalidPayload("expected an object with 'id'")
    return [Event(type="ticket.changed", connection=request.connection,
                  idempotency_key=f"bench:{data['id']}", entity_key=f"t:{data['id']}",
                  payload=data)]


async def _load(connection, event: Event) -> Ticket:
    return Ticket(refs={connection.name: event.idempotency_key})


async def _nothing(ctx, event: Event) -> str:
    return "ok"


async def _check(connection) -> None:
    return None


@hookimpl
def register_connectors():
    return [Connector("bench", "Bench", ("helpdesk",), ConnectionSettings,
                      lambda name, settings: VendorClient(name, "http://127.0.0.1:9"), _check)]


@hookimpl
def register_triggers():
    return [WebhookTrigger("bench", "bench.hook", ("ticket.changed",), _parse, _load,
                           ack=WebhookAck(200, {"result": "ok"}))]


@hookimpl
def register_recipes():
    return [Recipe("bench_noop", "Does nothing", {"source": RoleSpec(triggers=("ticket.changed",))},
                   _nothing)]


# --- the bare endpoint --------------------------------------------------------------------


def bare_app():
    """A Starlette endpoint that decodes the body and stores nothing."""
    import json

    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hook(request):
        json.loads(await request.body())
        return JSONResponse({"result": "ok"})

    async def healthz(request):
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/hooks/{integration}/{secret}", hook, methods=["POST"]),
                             Route("/healthz", healthz)])


# --- running servers ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Target:
    """A server under test: how to start it and where to deliver."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    store_url: str | None = None

    @property
    def hook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/bench/{SECRET}"


def pontes_target(name: str, store_url: str, workdir: Path, run_events: bool = True) -> Target:
    port = free_port()
    config = workdir / f"{name}.yaml"
    config.write_text(
        f"store: {store_url}\npublic_url: http://127.0.0.1:{port}\nplugins: []\n"
        "connections:\n  desk: {plugin: bench}\n"
        f"integrations:\n  bench:\n    recipe: bench_noop\n    source: desk\n"
        f"    secrets: {{source: {SECRET}}}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTES_")}
    env.update({"PYTHONPATH": os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]),
                "PONTES_EXTRA_PLUGINS": "ingest", "PONTES_ADMIN_TOKEN": ADMIN_TOKEN,
                "PONTES_SECRET_KEY": "bench-secret-key",
                "PONTES_RUN_EVENTS": "true" if run_events else "false"})
    command = [sys.executable, "-m", "pontes.server", "--config", str(config), "--port",
               str(port)]
    return Target(name, command, env, port, store_url)


def bare_target() -> Target:
    port = free_port()
    return Target("bare", [sys.executable, str(Path(__file__).resolve()), "--bare-server",
                           str(port)], dict(os.environ), port)


def start(target: Target, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        process = subprocess.Popen(target.command, env=target.env, stdout=out,
                                   stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{target.name} exited; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{target.port}/healthz", timeout=1).is_success:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{target.name} did not start; see {log}")


# --- the load -----------------------------------------------------------------------------


@dataclass
class Result:
    """What one run measured (``cpu_seconds``: the server process's user + system time)."""

    name: str
    accepted: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def drive(url: str, deliveries: int, concurrency: int, prefix: str) -> tuple[int, float,
                                                                                   list[float]]:
    """Send ``deliveries`` distinct deliveries over ``concurrency`` keep-alive connections.

    Each connection has its own ``httpx.AsyncClient``: one client sharing a large pool
    spends more time managing the pool than the servers spend answering.
    """
    latencies: list[float] = []
    accepted = 0
    pending = list(range(deliveries - 1, -1, -1))
    clients = [httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=1))
               for _ in range(concurrency)]

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal accepted
        while pending:
            i = pending.pop()
            body = {"id": f"{prefix}-{i}", "status": "open", "subject": f"ticket {i}"}
            started = time.perf_counter()
            answer = await client.post(url, json=body)
            latencies.append(time.perf_counter() - started)
            if answer.is_success:
                accepted += 1

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for client in clients))
        return accepted, time.perf_counter() - began, latencies
    finally:
        for client in clients:
            await client.aclose()


def measure(target: Target, deliveries: int, concurrency: int, workdir: Path) -> Result:
    process = start(target, workdir / f"{target.name}.log")
    try:
        asyncio.run(drive(target.hook_url, min(500, deliveries), concurrency, "warmup"))
        cpu_before = cpu_seconds(process.pid)
        accepted, seconds, latencies = asyncio.run(
            drive(target.hook_url, deliveries, concurrency, "run"))
        cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        process.terminate()
        process.wait(30)
    result = Result(target.name, accepted, seconds, latencies, cpu)
    if target.store_url is not None:
        stored = count_stored(target.store_url)
        expected = accepted + min(500, deliveries)
        status = "ok" if stored == expected else "MISSING EVENTS"
        print(f"  {target.name}: {stored} events stored for {expected} accepted deliveries "
              f"({status})")
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_stored(store_url: str) -> int:
    from pontes.store import Store

    store = Store.open(store_url)
    try:
        return sum(store.events.status_counts().values())
    finally:
        store.close()


# --- PostgreSQL scratch database ----------------------------------------------------------


def reset_postgres(url: str) -> None:
    """Drop everything in the scratch database (each round starts empty): pontes' tables
    and the job queue's."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def postgres_scratch() -> tuple[str, Callable[[], None]] | None:
    base = os.environ.get("PONTES_BENCH_POSTGRES_URL") or os.environ.get(
        "PONTES_TEST_POSTGRES_URL")
    if not base:
        return None
    from sqlalchemy import create_engine, make_url, text

    name = f"pontes_bench_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


# --- main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=1,
                        help="Run every target this many times, interleaved; report the "
                             "median round of each (steadier on a busy machine).")
    parser.add_argument("--without-runner", action="store_true",
                        help="Do not run the events while they arrive (ingest cost alone).")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        import uvicorn

        uvicorn.run(bare_app(), host="127.0.0.1", port=args.bare_server, access_log=False,
                    log_level="warning")
        return

    rounds: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="pontes-bench-") as tmp:
        workdir = Path(tmp)
        print(f"{args.deliveries} deliveries, {args.concurrency} in flight, {args.rounds} "
              f"round(s), {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
        scratch = postgres_scratch()
        if scratch is None:
            print("  pontes-postgres: skipped (set PONTES_TEST_POSTGRES_URL)")
        try:
            for number in range(args.rounds):
                run_events = not args.without_runner
                targets = [bare_target(), pontes_target(
                    "pontes-sqlite", f"sqlite:///{workdir / f'bench-{number}.db'}", workdir,
                    run_events)]
                if scratch is not None:
                    reset_postgres(scratch[0])
                    targets.append(pontes_target("pontes-postgres", scratch[0], workdir,
                                                 run_events))
                for target in targets:
                    result = measure(target, args.deliveries, args.concurrency, workdir)
                    rounds.setdefault(target.name, []).append(result)
        finally:
            if scratch is not None:
                scratch[1]()

    results = [sorted(runs, key=lambda r: r.rate)[len(runs) // 2] for runs in rounds.values()]
    bare = results[0].rate
    print()
    print(f"{'target':<16} {'accepted/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} "
          f"{'server CPU ms/delivery':>23}")
    for result in results:
        print(f"{result.name:<16} {result.rate:>11.0f} {result.percentile(50):>8.1f} "
              f"{result.percentile(99):>8.1f} {result.rate / bare:>8.2f} "
              f"{result.cpu_seconds / result.accepted * 1000:>23.2f}")


if __name__ == "__main__":
    main()
