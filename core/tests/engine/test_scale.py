"""Scale-out on PostgreSQL with real processes: 2 ``pontes serve --no-worker`` and 3
``pontes worker`` on one configuration, against the Ledger sandbox.

- a burst over many entity keys while a worker and a web process are killed (SIGKILL)
  and restarted: every accepted delivery has exactly one effect, none is lost, and the
  sandbox saw each key's deliveries in the order they were sent;
- PostgreSQL restarted mid-burst: the installation recovers with no duplicate effect;
- the poller runs once per interval across all workers;
- the vendor's rate limit holds across workers (counted by the sandbox);
- an event that kills its worker is dead after ``max_crashes`` kills; SIGTERM hands
  running events back.

The kill burst is 5,000 deliveries over 200 keys (the PostgreSQL restart burst half of
it), about two minutes on two CPUs; ``PONTES_SCALE_DELIVERIES`` and ``PONTES_SCALE_KEYS``
change the size (smaller for a quick run on a slow machine).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from cluster_support import (
    CLUSTER_ENV,
    Burst,
    can_restart_postgres,
    ensure_postgres_running,
    entries_by_entity,
    event_states,
    max_in_window,
    restart_postgres,
    settled,
    wait_for,
    web_process,
    worker_process,
)
from engine_support import (
    Sandbox,
    empty_postgres,
    free_port,
    ledger_config,
    require_postgres,
    server_env,
)

pytestmark = pytest.mark.slow

SCALE_DELIVERIES = int(os.environ.get("PONTES_SCALE_DELIVERIES", "5000"))
SCALE_KEYS = int(os.environ.get("PONTES_SCALE_KEYS", "200"))
SETTLE_TIMEOUT = 600


class Cluster:
    """Web and worker processes on one configuration; stopped at the end of the test."""

    def __init__(self, workdir: Path, store_url: str, sandbox: Sandbox,
                 env: dict[str, str] | None = None, **config_options: Any):
        self.workdir = workdir
        self.store_url = store_url
        self.sandbox = sandbox
        config = ledger_config(store_url, sandbox.url, **config_options)
        self.config = workdir / "pontes.yaml"
        self.config.write_text(yaml.safe_dump(config))
        self.env = server_env(**{**CLUSTER_ENV, **(env or {})})
        self.webs: list[Any] = []
        self.workers: list[Any] = []

    def start(self, webs: int = 2, workers: int = 3, concurrency: int = 8) -> Cluster:
        for _ in range(webs):
            self.webs.append(web_process(self.config, self.env, self.workdir))
        for number in range(workers):
            self.workers.append(worker_process(self.config, self.env, self.workdir, number,
                                               concurrency))
        threads = [threading.Thread(target=p.start)
                   for p in [w for w, _ in self.webs] + self.workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self

    def hook_urls(self) -> list[str]:
        """The ``copy`` webhook URL on each web process."""
        path = urlsplit(self.webs[0][1].hook_url()).path
        return [f"{client.url}{path}" for _, client in self.webs]

    def stop(self) -> None:
        for process in [w for w, _ in self.webs] + self.workers:
            process.terminate()
        for _, client in self.webs:
            client.admin.close()

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log()[-2000:]}"
                         for p in [w for w, _ in self.webs] + self.workers)


@pytest.fixture
def store_url(postgres_database) -> str:
    url = require_postgres(postgres_database)
    empty_postgres(url)
    return url


@pytest.fixture
def cluster(tmp_path, store_url, sandbox) -> Iterator[Any]:
    made: list[Cluster] = []

    def make(**options: Any) -> Cluster:
        made.append(Cluster(tmp_path, store_url, sandbox, **options))
        return made[-1]

    yield make
    for cluster in made:
        cluster.stop()


def assert_exactly_once_in_order(sandbox: Sandbox, burst: Burst) -> None:
    entries = sandbox.entries()
    effects: dict[str, int] = {}
    for entry in entries:
        effects[entry["key"]] = effects.get(entry["key"], 0) + 1
    assert {key: n for key, n in effects.items() if n > 1} == {}, "duplicate effects"
    assert burst.accepted - set(effects) == set(), "accepted deliveries without an effect"
    for entity, order in entries_by_entity(entries).items():
        assert order == sorted(order), f"{entity} ran out of order: {order}"


def test_a_burst_survives_a_killed_worker_and_a_killed_web_process(cluster, sandbox,
                                                                  store_url):
    running = cluster().start()
    burst = Burst(SCALE_DELIVERIES, SCALE_KEYS)
    web, _client = running.webs[0]
    worker = running.workers[0]
    killed = threading.Event()

    def kill_midway(accepted: int) -> None:
        if accepted >= burst.deliveries // 3 and not killed.is_set():
            killed.set()
            worker.kill()
            web.kill()
            threading.Thread(target=lambda: (worker.start(), web.start())).start()

    asyncio.run(burst.send(running.hook_urls(), kill_midway))
    assert killed.is_set() and len(burst.accepted) == burst.deliveries
    states = wait_for(lambda: settled(store_url, burst.deliveries), SETTLE_TIMEOUT,
                      "every event to finish")
    assert states == {"succeeded": burst.deliveries}, running.logs()
    assert_exactly_once_in_order(sandbox, burst)


@pytest.mark.restarts_postgres
def test_a_postgresql_restart_mid_burst_loses_and_doubles_nothing(cluster, sandbox,
                                                                 store_url):
    if not can_restart_postgres():
        pytest.skip("pg_ctlcluster is not available: cannot restart PostgreSQL here")
    try:
        _restart_mid_burst(cluster, sandbox, store_url)
    finally:
        ensure_postgres_running()


def _restart_mid_burst(cluster, sandbox, store_url) -> None:
    running = cluster().start()
    burst = Burst(SCALE_DELIVERIES // 2, SCALE_KEYS)
    restarted = threading.Event()

    def restart_midway(accepted: int) -> None:
        if accepted >= burst.deliveries // 3 and not restarted.is_set():
            restarted.set()
            threading.Thread(target=restart_postgres).start()

    asyncio.run(burst.send(running.hook_urls(), restart_midway))
    assert restarted.is_set() and len(burst.accepted) == burst.deliveries
    states = wait_for(lambda: settled(store_url, burst.deliveries), SETTLE_TIMEOUT,
                      "every event to finish after the restart")
    assert states == {"succeeded": burst.deliveries}, running.logs()
    assert_exactly_once_in_order(sandbox, burst)
    assert all(worker.alive for worker in running.workers)


def test_the_poller_runs_once_per_interval_across_all_workers(cluster, sandbox, store_url):
    interval, window = 2.0, 10.0
    running = cluster(polling=True, poll_interval=interval).start(webs=1, workers=3)
    sandbox.add_change("p1")
    wait_for(lambda: sandbox.polls(), 30, "the first poll")
    first = len(sandbox.polls())
    threading.Event().wait(window)

    polls = sandbox.polls()[first:]
    # once per interval: about 5 polls; three workers polling on their own would make 15
    assert window / interval - 2 <= len(polls) <= window / interval + 2, polls
    wait_for(lambda: settled(store_url, 1), 30, "the polled change to run")
    assert [e["key"] for e in sandbox.entries()] == ["change:1"]
    assert all(worker.alive for worker in running.workers)


def test_the_vendor_budget_holds_across_workers(cluster, sandbox, store_url):
    # a window long enough for the budget's safety margin (2% of it) to cover the spread
    # of network delays and timer wake-ups on a busy test machine
    requests, per_seconds = 60, 30.0
    sandbox.limit(requests, per_seconds)
    running = cluster(rate=(requests, per_seconds)).start(webs=1, workers=3)
    burst = Burst(45, 15)  # two calls each: one and a half windows' worth
    asyncio.run(burst.send(running.hook_urls()))
    wait_for(lambda: settled(store_url, burst.deliveries), 180, "every event to finish")

    calls = sandbox.calls()
    assert [c for c in calls if c["status"] == 429] == []
    assert max_in_window([c["at"] for c in calls], per_seconds) <= requests
    assert event_states(store_url) == {"succeeded": burst.deliveries}
    assert_exactly_once_in_order(sandbox, burst)


def test_an_event_that_kills_its_worker_is_dead_after_max_crashes(cluster, sandbox,
                                                                 store_url):
    running = cluster(env={"PONTES_MAX_CRASHES": "2"}).start(webs=1, workers=1,
                                                             concurrency=1)
    [url] = running.hook_urls()
    [worker] = running.workers
    assert httpx.post(url, json={"id": "poison", "entity": "x", "mode": "die"}).is_success
    assert httpx.post(url, json={"id": "after", "entity": "x", "n": 1}).is_success
    kills = 0

    def dead_or_restarted() -> bool:
        nonlocal kills
        if not worker.alive:
            kills += 1
            worker.start()
        return event_states(store_url).get("succeeded") == 1

    wait_for(dead_or_restarted, 120, "the poison event to be given up")
    _process, client = running.webs[0]
    events = {e["idempotency_key"]: e for e in client.events()}
    assert kills == 2
    assert events["ledger:poison"]["status"] == "dead"
    assert "stopped the process running them 2 times" in events["ledger:poison"]["last_error"]
    assert events["ledger:after"]["status"] == "succeeded"


def test_sigterm_hands_running_events_back_to_another_worker(cluster, sandbox, store_url):
    running = cluster(env={"PONTES_SHUTDOWN_GRACE": "0.5"}).start(webs=1, workers=1)
    sandbox.fault(delay=5, count=1, path="/entries", method="GET")  # before anything is made
    [url] = running.hook_urls()
    assert httpx.post(url, json={"id": "slow", "entity": "s", "n": 1}).is_success
    _process, client = running.webs[0]
    wait_for(lambda: [e for e in client.events() if e["status"] == "running"], 30,
             "the event to start")
    [busy] = running.workers
    metrics_port = free_port()
    running.workers.append(worker_process(running.config, running.env, running.workdir, 1,
                                          metrics_port=metrics_port).start())

    assert busy.terminate() == 0
    wait_for(lambda: settled(store_url, 1), 60, "the event to run again")
    [event] = client.events()
    outcomes = [a["outcome"] for a in client.event(event["id"])["attempt_log"]]
    assert event["status"] == "succeeded"
    assert outcomes == ["interrupted", "succeeded"]
    assert len(sandbox.entries("ledger:slow")) == 1
    # the worker that ran it counts it in its own metrics
    metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
    assert 'pontes_events_succeeded_total{integration="copy"} 1.0' in metrics
