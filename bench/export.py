"""Export benchmark: ``pontes export`` against a plain dlt ``rest_api`` pipeline, both
reading the same generated Movidesk account from the sandbox into DuckDB.

    python bench/export.py [--tickets 10000 100000] [--seed 7]

For each size, the sandbox is started in its own process with ``dataset(tickets, seed)``
(see ``pontes_movidesk.sandbox.dataset``: persons, tickets with actions, clients, custom
fields and satisfaction answers, survey questions and responses), no rate limit. Then,
each in a fresh process exporting everything into a new DuckDB file:

- ``pontes``: ``pontes.export.export`` over the Movidesk plugin's streams (keyset pages of
  100 with ``$expand``, seed 002's tables and types, packages of 10,000 records);
- ``rest_api``: dlt's ``rest_api`` source over the same endpoints and fields (the same
  ``$select``/``$expand``, ``$skip`` paging of 100, ``startingAfter`` for surveys),
  merged on ``id``, with dlt's own naming, type inference and DuckDB file format (INSERT
  statements);
- ``rest_parquet``: the same, loading Parquet files as pontes does into DuckDB.

Printed per run: rows written (every table, child tables included), rows per second,
API calls (counted by the sandbox), calls per 1,000 rows, and the exporting process's
peak resident memory (and its growth over the same process after imports). Memory should
not grow with the account: compare the two sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve()
TOKEN = "movidesk-sandbox-token"
UNLIMITED = 10**9
DATASET = "movidesk"
STARTUP_LIMIT = 1800.0


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- child processes ------------------------------------------------------------------


def serve(tickets: int, seed: int, port: int) -> None:
    """Run the Movidesk sandbox with the generated account until killed."""
    import uvicorn
    from pontes_movidesk.sandbox import build_app
    from pontes_movidesk.sandbox.dataset import dataset

    app = build_app(dataset(tickets, seed=seed), requests_per_minute=UNLIMITED)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def run_pontes(url: str, database: str, work: str) -> dict:
    """Export every Movidesk stream with pontes; the figures of this process."""
    from pontes.export import export, parse_destination
    from pontes.plugins import load_plugins
    from pontes.testing import connect, sandbox_settings

    registry = load_plugins(["movidesk"]).registry
    # The rest_api baseline reads no action HTML (a call per action), so neither does this.
    settings = sandbox_settings(registry, "movidesk", url, requests_per_minute=UNLIMITED,
                                export_action_html=False)
    connection = connect(registry, "movidesk", settings, DATASET)
    baseline = peak_mb()
    started = time.perf_counter()
    export(connection, parse_destination(database), dataset=DATASET, work_dir=work)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "baseline_mb": baseline}


def run_rest_api(url: str, database: str, work: str, file_format: str | None = None) -> dict:
    """Export the same endpoints with a plain dlt ``rest_api`` source (dlt's default file
    format for DuckDB, INSERT statements, unless ``file_format`` is given)."""
    import dlt
    from dlt.sources.rest_api import rest_api_source
    from pontes_movidesk.streams import PERSON_EXPAND, PERSON_SELECT, TICKET_EXPAND, TICKET_SELECT

    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    offset = {"type": "offset", "limit": 100, "offset_param": "$skip", "limit_param": "$top",
              "total_path": None}
    surveys = {"type": "cursor", "cursor_path": "items[-1].id", "cursor_param": "startingAfter",
               "has_more_path": "hasMore"}

    def tickets(name: str, path: str) -> dict:
        return {"name": name, "endpoint": {"path": path, "paginator": offset, "params": {
            "$select": ",".join(TICKET_SELECT), "$expand": ",".join(TICKET_EXPAND),
            "$orderby": "lastUpdate asc,id asc"}}}

    source = rest_api_source({
        "client": {"base_url": f"{url}/public/v1/",
                   "auth": {"type": "api_key", "name": "token", "api_key": TOKEN,
                            "location": "query"}},
        "resource_defaults": {"primary_key": "id", "write_disposition": "merge"},
        "resources": [
            tickets("tickets_past", "tickets/past"),
            tickets("tickets", "tickets"),
            {"name": "persons", "endpoint": {"path": "persons", "paginator": offset, "params": {
                "$select": ",".join(PERSON_SELECT), "$expand": ",".join(PERSON_EXPAND),
                "$orderby": "id asc"}}},
            {"name": "survey_questions", "endpoint": {
                "path": "survey/questions", "data_selector": "items", "paginator": surveys,
                "params": {"limit": 100}}},
            {"name": "survey_responses", "endpoint": {
                "path": "survey/responses", "data_selector": "items", "paginator": surveys,
                "params": {"limit": 100}}},
        ],
    })
    pipeline = dlt.pipeline("bench_rest_api", destination=dlt.destinations.duckdb(database),
                            dataset_name=DATASET, pipelines_dir=work)
    baseline = peak_mb()
    started = time.perf_counter()
    pipeline.run(source, loader_file_format=file_format)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "baseline_mb": baseline}


RUNNERS = {
    "pontes": run_pontes,
    "rest_api": run_rest_api,
    "rest_parquet": lambda url, database, work: run_rest_api(url, database, work, "parquet"),
}


# --- the parent -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api_calls(url: str) -> int:
    """Vendor API calls the sandbox has answered so far."""
    log = httpx.get(f"{url}/_sandbox/requests", timeout=120).json()
    return sum(1 for entry in log if entry["path"].startswith("/public/v1/"))


def rows_in(database: str) -> tuple[int, int]:
    """(rows in every exported table, ticket rows) of a DuckDB file."""
    import duckdb

    with duckdb.connect(database, read_only=True) as con:
        tables = [name for (name,) in con.execute(
            "select table_name from information_schema.tables "
            f"where table_schema = '{DATASET}' and table_name not like '\\_dlt%' escape '\\'"
        ).fetchall()]
        counts = {t: con.execute(f'select count(*) from {DATASET}."{t}"').fetchone()[0]
                  for t in tables}
    tickets = sum(n for t, n in counts.items()
                  if t in ("movidesk_tickets", "tickets", "tickets_past"))
    return sum(counts.values()), tickets


def start_sandbox(tickets: int, seed: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(HERE), "--serve", str(tickets), str(seed),
                                str(port)])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the sandbox exited with status {process.returncode}")
        try:
            httpx.get(f"{url}/_sandbox/requests", timeout=5).raise_for_status()
            return process, url
        except httpx.HTTPError:
            time.sleep(1)
    process.kill()
    raise SystemExit("the sandbox did not start in time")


def measure(kind: str, url: str, directory: str) -> dict:
    database = os.path.join(directory, f"{kind}.duckdb")
    work = os.path.join(directory, f"{kind}-work")
    before = api_calls(url)
    child = subprocess.run([sys.executable, str(HERE), "--run", kind, url, database, work],
                           capture_output=True, text=True)
    if child.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{child.stderr[-4000:]}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["calls"] = api_calls(url) - before
    figures["rows"], figures["tickets"] = rows_in(database)
    return figures


def report(tickets: int, kind: str, f: dict) -> str:
    rate = f["rows"] / f["seconds"]
    per_thousand = f["calls"] * 1000 / f["rows"]
    return (f"{tickets:>8,} {kind:<12} {f['tickets']:>8,} {f['rows']:>10,} {f['seconds']:>8.1f} "
            f"{rate:>9,.0f} {f['calls']:>7,} {per_thousand:>9.2f} {f['peak_mb']:>8.0f} "
            f"{f['peak_mb'] - f['baseline_mb']:>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=RUNNERS, nargs="+", default=list(RUNNERS))
    options = parser.parse_args()
    print(f"{'account':>8} {'pipeline':<12} {'tickets':>8} {'rows':>10} {'seconds':>8} "
          f"{'rows/s':>9} {'calls':>7} {'calls/1k':>9} {'peak MB':>8} {'growth':>8}")
    for tickets in options.tickets:
        sandbox, url = start_sandbox(tickets, options.seed)
        try:
            with tempfile.TemporaryDirectory(prefix="pontes-bench-export-") as directory:
                for kind in options.only:
                    print(report(tickets, kind, measure(kind, url, directory)), flush=True)
        finally:
            sandbox.kill()
            sandbox.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1:2] == ["--run"]:
        print(json.dumps(RUNNERS[sys.argv[2]](*sys.argv[3:6])))
    else:
        main()
