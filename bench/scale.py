"""Scale-out benchmark: events per second with 1, 2 and 4 workers on PostgreSQL, next to the
embedded mode (SQLite, one process) in the same run.

    python bench/scale.py [--deliveries 2000] [--keys 200] [--workers 1 2 4]

For each mode, real processes on loopback: the embedded mode is one ``pontes serve`` on
SQLite; the PostgreSQL modes are one ``pontes serve --no-worker`` taking the webhooks and
N ``pontes worker`` processes (``--concurrency 8`` each) on a fresh database. A client
sends ``--deliveries`` deliveries over ``--keys`` entity keys (the deliveries of one key
one after the other, 32 keys at a time) and the script waits until every event has run.
It prints, per mode:

- end-to-end events/s (first delivery sent to last event finished), with a recipe that
  does nothing and with one that makes one call to a sandbox vendor, and the ratio to
  the embedded mode;
- latency from received to finished (p50/p99);
- the per-key hand-off, from a run of ``--chain-keys`` keys with ``--chain-length``
  events each, sent at once and run with the recipe that does nothing (so workers have
  free slots): how long after an event finishes the next one of its key, already
  waiting, starts (p50/p99; the promise is under 1 s);
- with a vendor holding every caller to ``--limit`` calls per ``--window`` seconds (the
  sandbox answers 429 over it) and ``--windows`` windows' worth of events waiting, the
  share of that budget the installation used while busy (the mean, over consecutive
  windows from the first call, of calls in the window over the limit), the most calls in
  any window, and the 429s.

Needs ``PONTES_TEST_POSTGRES_URL`` (or ``PONTES_BENCH_POSTGRES_URL``): a server where
scratch databases may be created. This module is also the benchmark's plugin
(``PONTES_EXTRA_PLUGINS=scale``) and, with ``--serve-sandbox PORT``, its vendor.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from ingest import cpu_seconds, free_port, postgres_scratch
from pontes import hookimpl
from pontes.connector import ConnectionSettings, Connector, WebhookAck, WebhookTrigger
from pontes.errors import InvalidPayload
from pontes.http import RateLimit, RetryPolicy, VendorClient
from pontes.models import Event, Ticket
from pontes.recipes import Recipe, RoleSpec

HERE = Path(__file__).resolve().parent
SECRET = "scale-webhook-secret"
WORKER_CONCURRENCY = 8
PARALLEL_KEYS = 32

# --- the benchmark's plugin ---------------------------------------------------------------


class ScaleSettings(ConnectionSettings):
    """The sandbox vendor, and the rate limit it holds callers to (if any)."""

    base_url: str = "http://127.0.0.1:9"
    rate_requests: int | None = None
    rate_seconds: float = 60.0


def _client(name: str, settings: ScaleSettings) -> VendorClient:
    limit = (RateLimit(settings.rate_requests, settings.rate_seconds)
             if settings.rate_requests else None)
    return VendorClient(name, settings.base_url, rate_limit=limit,
                        retry=RetryPolicy(attempts=1))


def _parse(request) -> list[Event]:
    data = request.data
    if not isinstance(data, dict) or "id" not in data or "key" not in data:
        raise InvalidPayload("expected an object with 'id' and 'key'")
    return [Event(type="ticket.changed", connection=request.connection,
                  idempotency_key=f"scale:{data['id']}", entity_key=f"t:{data['key']}",
                  payload=data)]


async def _load(connection, event: Event) -> Ticket:
    return Ticket(refs={connection.name: event.idempotency_key})


async def _nothing(ctx, event: Event) -> str:
    return "ok"


async def _call_vendor(ctx, event: Event) -> str:
    """One call to the vendor per event."""
    await ctx.source.client.post_json("/effects", json=event.payload)
    return "called"


async def _check(connection) -> None:
    return None


@hookimpl
def register_connectors():
    return [Connector("scale", "Scale", ("helpdesk",), ScaleSettings, _client, _check)]


@hookimpl
def register_triggers():
    return [WebhookTrigger("scale", "scale.hook", ("ticket.changed",), _parse, _load,
                           ack=WebhookAck(200, {"result": "ok"}))]


@hookimpl
def register_recipes():
    source = {"source": RoleSpec(triggers=("ticket.changed",))}
    return [Recipe("scale_noop", "Does nothing", source, _nothing),
            Recipe("scale_call", "Calls the vendor once", source, _call_vendor)]


# --- the sandbox vendor -------------------------------------------------------------------


def sandbox_app():
    """The vendor: ``POST /effects`` counted, optionally over a rolling-window limit."""
    from pontes.sandbox.limits import WindowLimiter
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    calls: list[tuple[float, int]] = []
    limit: list[WindowLimiter] = []

    async def effect(request: Request):
        await request.body()
        wait = limit[0].hit("account") if limit else None
        calls.append((time.time(), 200 if wait is None else 429))
        if wait is not None:
            return JSONResponse({"message": "too many requests"}, status_code=429,
                                headers={"Retry-After": str(math.ceil(wait))})
        return JSONResponse({"ok": True}, status_code=201)

    async def set_limit(request: Request):
        spec = await request.json()
        limit.clear()
        calls.clear()
        if spec.get("requests"):
            limit.append(WindowLimiter(int(spec["requests"]), float(spec["per_seconds"]),
                                       clock=time.time))
        return JSONResponse(spec)

    async def stats(request: Request):
        return JSONResponse(calls)

    async def healthz(request: Request):
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/effects", effect, methods=["POST"]),
                             Route("/_limit", set_limit, methods=["POST"]),
                             Route("/_calls", stats, methods=["GET"]),
                             Route("/healthz", healthz, methods=["GET"])])


# --- processes ----------------------------------------------------------------------------


def env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PONTES_")}
    base.update({"PYTHONPATH": os.pathsep.join([str(HERE), base.get("PYTHONPATH", "")]),
                 "PONTES_EXTRA_PLUGINS": "scale", "PONTES_SECRET_KEY": "scale-secret-key",
                 "PONTES_ADMIN_TOKEN": "scale-admin-token"})
    return base


def start(command: list[str], log: Path, ready) -> subprocess.Popen:
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env(), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{' '.join(command[2:4])} exited; see {log}")
        if ready():
            return process
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{' '.join(command[2:4])} did not start; see {log}")


def healthy(port: int):
    def check() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success
        except httpx.HTTPError:
            return False
    return check


def write_config(path: Path, store_url: str, port: int, recipe: str, sandbox: str,
                 rate: tuple[int, float] | None) -> None:
    connection = f"{{plugin: scale, base_url: '{sandbox}'"
    if rate is not None:
        connection += f", rate_requests: {rate[0]}, rate_seconds: {rate[1]}"
    path.write_text(
        f"store: '{store_url}'\npublic_url: http://127.0.0.1:{port}\nplugins: []\n"
        f"connections:\n  vendor: {connection}}}\n"
        f"integrations:\n  scale:\n    recipe: {recipe}\n    source: vendor\n"
        f"    secrets: {{source: {SECRET}}}\n")


@dataclass
class Installation:
    """The processes of one mode: a web process, and workers unless embedded."""

    workers: int
    store_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, recipe: str, sandbox: str, rate: tuple[int, float] | None) -> None:
        config = self.workdir / f"scale-{self.port}.yaml"
        write_config(config, self.store_url, self.port, recipe, sandbox, rate)
        cli = [sys.executable, "-m", "pontes.cli"]
        web = [*cli, "serve", "-c", str(config), "--port", str(self.port)]
        if self.workers:
            web.append("--no-worker")
        self.processes.append(start(web, self.workdir / f"web-{self.port}.log",
                                    healthy(self.port)))
        for number in range(self.workers):
            log = self.workdir / f"worker-{self.port}-{number}.log"
            self.processes.append(start(
                [*cli, "worker", "-c", str(config), "--concurrency", str(WORKER_CONCURRENCY)],
                log, lambda log=log: log.exists() and "runs up to" in log.read_text()))

    @property
    def hook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/scale/{SECRET}"

    def cpu(self) -> float:
        return sum(cpu_seconds(p.pid) for p in self.processes if p.poll() is None)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


# --- the load and what it measures --------------------------------------------------------


async def send(url: str, deliveries: int, keys: int) -> None:
    """Every delivery, the ones of a key one after the other, ``PARALLEL_KEYS`` at once
    (a delivery that fails is sent again: its idempotency key makes that harmless)."""
    gate = asyncio.Semaphore(PARALLEL_KEYS)
    async with httpx.AsyncClient(timeout=60,
                                 limits=httpx.Limits(max_connections=PARALLEL_KEYS)) as client:

        async def one_key(key: int) -> None:
            async with gate:
                for i in range(key, deliveries, keys):
                    for _ in range(100):  # again until answered 2xx, as vendors do
                        try:
                            answer = await client.post(url, json={"id": i, "key": key,
                                                                  "n": i})
                            if answer.is_success:
                                break
                        except httpx.HTTPError:
                            pass
                        await asyncio.sleep(0.1)

        await asyncio.gather(*(one_key(key) for key in range(keys)))


def finished_events(store_url: str) -> list[Any]:
    """Every event with its key, times and last attempt's start, once all have finished."""
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT e.id, e.entity_key, e.status, e.received_at, e.finished_at, "
                "a.started_at FROM events e JOIN attempts a "
                "ON a.event_id = e.id AND a.number = e.attempts ORDER BY e.id")).all()
    finally:
        engine.dispose()


def waiting(store_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM events WHERE status IN ('received', 'running')")).scalar()
    finally:
        engine.dispose()


def seconds(value) -> float:
    """A timestamp column as Unix seconds (SQLite gives naive UTC)."""
    if isinstance(value, str):
        from datetime import datetime
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        from datetime import UTC
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


@dataclass
class Run:
    """What one mode and recipe measured."""

    mode: str
    recipe: str
    events: int
    rate: float
    latency: list[float]
    handoff: list[float]
    cpu_ms: float
    calls: list[tuple[float, int]] = field(default_factory=list)


def measure(installation: Installation, recipe: str, sandbox: str, deliveries: int,
            keys: int, rate: tuple[int, float] | None) -> Run:
    installation.start(recipe, sandbox, rate)
    try:
        cpu_before = installation.cpu()
        asyncio.run(send(installation.hook_url, deliveries, keys))
        while waiting(installation.store_url):
            time.sleep(0.2)
        cpu = installation.cpu() - cpu_before
    finally:
        installation.stop()
    rows = finished_events(installation.store_url)
    first = min(seconds(r.received_at) for r in rows)
    last = max(seconds(r.finished_at) for r in rows)
    latency = [seconds(r.finished_at) - seconds(r.received_at) for r in rows]
    handoff = []
    for _key, group in itertools.groupby(sorted(rows, key=lambda r: (r.entity_key, r.id)),
                                         key=lambda r: r.entity_key):
        ordered = list(group)
        for previous, following in itertools.pairwise(ordered):
            if seconds(following.received_at) < seconds(previous.finished_at):
                handoff.append(seconds(following.started_at) - seconds(previous.finished_at))
    mode = "embedded (SQLite)" if not installation.workers else \
        f"{installation.workers} worker{'s' if installation.workers > 1 else ''}"
    bad = sum(1 for r in rows if r.status != "succeeded")
    if bad or len(rows) != deliveries:
        print(f"  {mode}, {recipe}: {len(rows)} events for {deliveries} deliveries, "
              f"{bad} not succeeded")
    return Run(mode, recipe, len(rows), len(rows) / (last - first), latency, handoff,
               cpu / max(1, len(rows)) * 1000)


def budget_share(calls: list[tuple[float, int]], limit: int, window: float
                 ) -> tuple[float, int, int]:
    """(share of the budget used while busy, most calls in any window, 429s).

    The share is the mean, over consecutive windows from the first call that end before
    the last one, of the calls in the window over ``limit``: how much of what the vendor
    allowed the installation took while it had calls waiting.
    """
    granted = sorted(at for at, status in calls if status != 429)
    refused = sum(1 for _, status in calls if status == 429)
    most = max((bisect.bisect_left(granted, at + window) - first
                for first, at in enumerate(granted)), default=0)
    shares, start = [], granted[0] if granted else 0.0
    while granted and start + window <= granted[-1]:
        inside = bisect.bisect_left(granted, start + window) - bisect.bisect_left(granted, start)
        shares.append(inside / limit)
        start += window
    return (sum(shares) / len(shares) if shares else float("nan")), most, refused


# --- main ---------------------------------------------------------------------------------


def serve_sandbox(port: int) -> None:
    import uvicorn

    uvicorn.run(sandbox_app(), host="127.0.0.1", port=port, access_log=False,
                log_level="warning")


def new_store(workers: int, workdir: Path) -> tuple[str, Any]:
    """A fresh store for one run and what drops it: a SQLite file for the embedded mode,
    a scratch PostgreSQL database otherwise."""
    if not workers:
        return f"sqlite:///{workdir / f'embedded-{time.monotonic_ns()}.db'}", lambda: None
    return postgres_scratch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--chain-keys", type=int, default=8)
    parser.add_argument("--chain-length", type=int, default=25)
    parser.add_argument("--limit", type=int, default=60,
                        help="The rate-limited vendor's calls per window.")
    parser.add_argument("--window", type=float, default=30.0,
                        help="The rate-limited vendor's window, in seconds.")
    parser.add_argument("--windows", type=float, default=3.0,
                        help="How many windows' worth of calls the budget run sends.")
    parser.add_argument("--serve-sandbox", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox:
        serve_sandbox(args.serve_sandbox)
        return
    if not (os.environ.get("PONTES_BENCH_POSTGRES_URL")
            or os.environ.get("PONTES_TEST_POSTGRES_URL")):
        raise SystemExit("set PONTES_TEST_POSTGRES_URL (or PONTES_BENCH_POSTGRES_URL) to a "
                         "PostgreSQL server where scratch databases may be created")
    budget_events = int(args.limit * args.windows)
    print(f"{args.deliveries} deliveries over {args.keys} keys; workers run "
          f"{WORKER_CONCURRENCY} events at once; {os.cpu_count()} CPUs, Python "
          f"{sys.version.split()[0]}; budget runs: {budget_events} calls to a vendor "
          f"allowing {args.limit} per {args.window:g} s")
    runs: list[Run] = []
    handoffs: list[Run] = []
    budgets: list[tuple[str, float, int, int]] = []
    with tempfile.TemporaryDirectory(prefix="pontes-scale-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        sandbox_url = f"http://127.0.0.1:{port}"
        sandbox = start([sys.executable, str(Path(__file__).resolve()), "--serve-sandbox",
                         str(port)], workdir / "sandbox.log", healthy(port))
        try:
            for workers in [0, *args.workers]:
                for recipe in ("scale_noop", "scale_call"):
                    store_url, drop = new_store(workers, workdir)
                    try:
                        httpx.post(f"{sandbox_url}/_limit", json={})
                        runs.append(measure(Installation(workers, store_url, workdir), recipe,
                                            sandbox_url, args.deliveries, args.keys, None))
                        print(f"  {runs[-1].mode}, {recipe}: {runs[-1].rate:.0f} events/s")
                    finally:
                        drop()
                store_url, drop = new_store(workers, workdir)
                try:
                    handoffs.append(measure(Installation(workers, store_url, workdir),
                                            "scale_noop", sandbox_url,
                                            args.chain_keys * args.chain_length,
                                            args.chain_keys, None))
                    print(f"  {handoffs[-1].mode}, key hand-off p99: "
                          f"{percentile(handoffs[-1].handoff, 99) * 1000:.0f} ms")
                finally:
                    drop()
                store_url, drop = new_store(workers, workdir)
                try:
                    httpx.post(f"{sandbox_url}/_limit",
                               json={"requests": args.limit, "per_seconds": args.window})
                    run = measure(Installation(workers, store_url, workdir), "scale_call",
                                  sandbox_url, budget_events, max(1, budget_events // 4),
                                  (args.limit, args.window))
                    calls = [tuple(c) for c in httpx.get(f"{sandbox_url}/_calls").json()]
                    budgets.append((run.mode, *budget_share(calls, args.limit, args.window)))
                    print(f"  {run.mode}, rate-limited vendor: {budgets[-1][1]:.1%} of the "
                          "budget used")
                finally:
                    drop()
        finally:
            sandbox.terminate()
            sandbox.wait(10)
    report(runs, handoffs, budgets, args.limit)


def report(runs: list[Run], handoffs: list[Run], budgets: list[tuple[str, float, int, int]],
           limit: int) -> None:
    baseline = {run.recipe: run.rate for run in runs if run.mode.startswith("embedded")}
    print()
    print(f"{'mode':<18} {'recipe':<7} {'events/s':>9} {'vs embedded':>12} "
          f"{'latency p50 s':>14} {'p99 s':>7} {'CPU ms/event':>13}")
    for run in runs:
        print(f"{run.mode:<18} {run.recipe.removeprefix('scale_'):<7} {run.rate:>9.0f} "
              f"{run.rate / baseline[run.recipe]:>12.2f} {percentile(run.latency, 50):>14.2f} "
              f"{percentile(run.latency, 99):>7.2f} {run.cpu_ms:>13.2f}")
    print()
    print(f"{'mode':<18} {'hand-offs':>10} {'p50 ms':>8} {'p99 ms':>8} {'over 1 s':>9}")
    for run in handoffs:
        over = sum(1 for h in run.handoff if h > 1) / max(1, len(run.handoff))
        print(f"{run.mode:<18} {len(run.handoff):>10} "
              f"{percentile(run.handoff, 50) * 1000:>8.0f} "
              f"{percentile(run.handoff, 99) * 1000:>8.0f} {over:>9.1%}")
    print()
    print(f"{'mode':<18} {'budget used':>12} {'most calls in a window':>23} {'429s':>6}")
    for mode, share, most, refused in budgets:
        print(f"{mode:<18} {share:>12.1%} {most:>16} of {limit:<4} {refused:>6}")


if __name__ == "__main__":
    main()
