"""``pontes export`` as a separate process: its output, its errors, and a SIGKILL in the
middle of an export followed by a rerun that leaves no duplicates and no gaps.

The pagedesk test plugin is made discoverable to the child process the way an installed
plugin is: a ``dist-info`` directory with its ``pontes.plugins`` entry point, on the
child's ``PYTHONPATH``.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pagedesk
import pytest
from checks import counts, expected_counts, loaded_without_gaps, ticket_ids
from pontes.testing import serve_app

HERE = Path(__file__).parent
KILL_AFTER_PAGES = 120
WAIT_LIMIT = 120.0


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory):
    """A directory that makes ``pagedesk`` an installed pontes plugin for child processes."""
    root = tmp_path_factory.mktemp("pagedesk-dist")
    info = root / "pontes_pagedesk-0.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pontes-pagedesk\nVersion: 0.0.0\n")
    (info / "entry_points.txt").write_text("[pontes.plugins]\npagedesk = pagedesk\n")
    return f"{root}{os.pathsep}{HERE}"


@pytest.fixture
def big_desk():
    """A sandbox with 3,000 tickets (150 pages of 20)."""
    state = pagedesk.DeskState.generate(3000)
    with serve_app(pagedesk.desk_app(state)) as url:
        yield state, url


def command(plugin_path, tmp_path, url, warehouse, *extra):
    config = tmp_path / "pontes.yaml"
    config.write_text("plugins: [pagedesk]\nconnections:\n"
                      f"  desk: {{plugin: pagedesk, base_url: '{url}', "
                      f"token: {pagedesk.TOKEN}, page_size: 20}}\n")
    env = {**os.environ, "PYTHONPATH": plugin_path, "PONTES_SECRET_KEY": "export-tests"}
    args = [sys.executable, "-c", "import sys; from pontes.cli import main; sys.exit(main())",
            "export", "desk", "--config", str(config), "--to", warehouse.to,
            "--dataset", warehouse.dataset, "--work-dir", str(tmp_path / "work"), *extra]
    return args, env


def test_export_prints_what_it_loaded(plugin_path, tmp_path, desk, warehouse):
    args, env = command(plugin_path, tmp_path, desk.url, warehouse, "--batch-size", "25")
    result = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=WAIT_LIMIT)
    assert result.returncode == 0, result.stderr
    assert "tickets: 60 rows (changes), 3 package(s), 3 API call(s)" in result.stdout
    assert "desk_tickets__notes: " in result.stdout and "desk_fields: 60 rows" in result.stdout
    assert "people: 7 rows (full refresh)" in result.stdout
    assert pagedesk.TOKEN not in result.stdout + result.stderr
    assert counts(warehouse) == expected_counts(desk.state)


@pytest.mark.parametrize(("extra", "message"), [
    (["--streams", "tickets,nope"], "no stream 'nope' in 'desk'"),
    (["--to", "mysql://u:p@h/db"], "unsupported destination scheme 'mysql'"),
])
def test_mistakes_end_with_one_message(plugin_path, tmp_path, desk, duckdb_warehouse, extra,
                                       message):
    args, env = command(plugin_path, tmp_path, desk.url, duckdb_warehouse, *extra)
    result = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=WAIT_LIMIT)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_an_unknown_connection_is_named(plugin_path, tmp_path, desk, duckdb_warehouse):
    args, env = command(plugin_path, tmp_path, desk.url, duckdb_warehouse)
    args[args.index("desk", args.index("export"))] = "helpdesk"
    result = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=WAIT_LIMIT)
    assert result.returncode == 1
    assert "no connection 'helpdesk'" in result.stderr and "expected one of: desk" in result.stderr


@pytest.mark.slow
def test_a_killed_export_resumes_without_duplicates_or_gaps(plugin_path, tmp_path, big_desk,
                                                            warehouse):
    state, url = big_desk
    args, env = command(plugin_path, tmp_path, url, warehouse, "--streams", "tickets",
                        "--batch-size", "200", "--no-progress")
    process = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + WAIT_LIMIT
    while state.pages_served < KILL_AFTER_PAGES:
        if process.poll() is not None:
            pytest.fail(f"the export ended before it could be killed: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the export did not get far enough to be killed")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL

    loaded = loaded_without_gaps(warehouse, state)
    assert 0 < len(loaded) < len(state.tickets)

    result = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=WAIT_LIMIT)
    assert result.returncode == 0, result.stderr
    assert ticket_ids(warehouse) == list(range(1, 3001))
    assert counts(warehouse) == expected_counts(state)
    assert warehouse.cursor_state("tickets") == state.latest().isoformat()


def test_without_to_the_connection_exports_to_its_file_beside_the_config(plugin_path, tmp_path,
                                                                         desk, duckdb_warehouse):
    args, env = command(plugin_path, tmp_path, desk.url, duckdb_warehouse, "--streams", "people")
    for option in ("--to", "--dataset", "--work-dir"):
        at = args.index(option)
        del args[at:at + 2]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(args, env=env, cwd=elsewhere, capture_output=True, text=True,
                            timeout=WAIT_LIMIT)
    assert result.returncode == 0, result.stderr
    assert list(elsewhere.iterdir()) == []
    assert (tmp_path / "desk.duckdb").is_file() and not (tmp_path / "duckdb").exists()
    assert list((tmp_path / "pontes-data" / "dlt").iterdir())
    import duckdb

    with duckdb.connect(str(tmp_path / "desk.duckdb")) as con:
        people = con.execute("select count(*) from main.desk_people").fetchall()[0][0]
    assert people == len(desk.state.people)

    args.extend(["--to", "duckdb"])
    config = tmp_path / "pontes.yaml"
    config.write_text(config.read_text() + "data_dir: state\n")
    again = subprocess.run(args, env=env, cwd=elsewhere, capture_output=True, text=True,
                           timeout=WAIT_LIMIT)
    assert again.returncode == 0, again.stderr
    assert "people: 7 rows (full refresh)" in again.stdout
    assert list(elsewhere.iterdir()) == []
    assert list((tmp_path / "state" / "dlt").iterdir())


def test_status_shows_cursor_last_load_rows_and_lag(plugin_path, tmp_path, desk, warehouse):
    args, env = command(plugin_path, tmp_path, desk.url, warehouse)
    status = [*args[:args.index("export") + 1], "status", *args[args.index("export") + 1:]]
    at = status.index("--work-dir")
    del status[at:at + 2]

    before = subprocess.run(status, env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=WAIT_LIMIT)
    assert before.returncode == 0, before.stderr
    assert "nothing exported yet" in before.stdout

    assert subprocess.run(args, env=env, cwd=tmp_path, capture_output=True,
                          timeout=WAIT_LIMIT).returncode == 0
    after = subprocess.run(status, env=env, cwd=tmp_path, capture_output=True, text=True,
                           timeout=WAIT_LIMIT)
    assert after.returncode == 0, after.stderr
    lines = after.stdout.splitlines()
    tickets = next(line for line in lines if line.strip().startswith("tickets:"))
    assert f"cursor {desk.state.latest().isoformat()}" in tickets
    assert ", lag " in tickets and "last load never" not in tickets
    assert "    desk_tickets: 60 rows" in lines
    assert f"    desk_tickets__notes: {expected_counts(desk.state)['desk_tickets__notes']} rows" \
        in lines
    people = next(line for line in lines if line.strip().startswith("people:"))
    assert "cursor None" in people and "lag" not in people


def test_export_json_gives_the_summary_of_each_stream(plugin_path, tmp_path, desk,
                                                      duckdb_warehouse):
    args, env = command(plugin_path, tmp_path, desk.url, duckdb_warehouse, "--json",
                        "--no-progress")
    result = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=WAIT_LIMIT)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dataset"] == duckdb_warehouse.dataset
    streams = {stream["name"]: stream for stream in report["streams"]}
    assert streams["tickets"]["rows"] == 60 and streams["tickets"]["full_refresh"] is False
    assert streams["people"]["rows"] == 7 and streams["people"]["full_refresh"] is True
    assert pagedesk.TOKEN not in result.stdout + result.stderr
