"""The engine's CLI commands, on a throwaway click group over a real store (and real
server processes where a command is about them)."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import httpx
import pytest
import yaml
from click.testing import CliRunner
from engine_support import SECRET_KEY, finish, free_port, ledger_config
from pontes.commands.engine import register
from pontes.server import action_token
from pontes.store import NewEvent, Store, head_revision


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        """A stand-in for the main ``pontes`` group."""

    register(group)
    return group


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("PONTES_SECRET_KEY", SECRET_KEY)
    url = f"sqlite:///{tmp_path / 'pontes.db'}"
    config = tmp_path / "pontes.yaml"
    config.write_text(yaml.safe_dump({
        "store": url, "public_url": "https://pontes.example.com",
        "connections": {"crm": {"plugin": "ledger", "api_key": "k"}}}))
    store = Store.open(url)
    yield str(config), store
    store.close()


def run(cli, *args: str):
    return CliRunner().invoke(cli, list(args))


def add(store: Store, key: str, status: str | None = None) -> int:
    [event_id] = store.events.insert([NewEvent(
        integration="copy", role="source", connection="in", source="webhook",
        trigger="hook", type="ticket.changed", idempotency_key=key, entity_key=key,
        event={"key": key})])
    if status is not None:
        [claimed] = store.events.claim(1)
        finish(store, claimed.id, claimed.attempt, status, error=f"{status} because")
    return event_id


def test_events_lists_and_filters(cli, setup):
    config, store = setup
    assert run(cli, "events", "--config", config).output == "no events\n"
    add(store, "a", "succeeded")
    dead = add(store, "b", "dead")

    table = run(cli, "events", "-c", config)
    assert table.exit_code == 0
    assert "succeeded" in table.output and "dead because" in table.output

    only_dead = run(cli, "events", "-c", config, "--status", "dead", "--json")
    rows = [json.loads(line) for line in only_dead.output.splitlines()]
    assert [(r["id"], r["status"]) for r in rows] == [(dead, "dead")]
    assert run(cli, "events", "-c", config, "--integration", "other").output == "no events\n"
    assert run(cli, "events", "-c", config, "--status", "lost").exit_code == 2


def test_replay_one_or_every_dead_event(cli, setup):
    config, store = setup
    dead = add(store, "a", "dead")
    add(store, "c", "dead")
    waiting = add(store, "b")  # last: add() claims the oldest waiting event

    one = run(cli, "replay", str(dead), "-c", config)
    assert one.exit_code == 0 and f"queued event {dead} (was dead)" in one.output
    refused = run(cli, "replay", str(waiting), "-c", config)
    assert refused.exit_code == 1 and "is received" in refused.output
    assert "no event 999" in run(cli, "replay", "999", "-c", config).output
    everything = run(cli, "replay", "--dead", "-c", config)
    assert everything.exit_code == 0 and "queued 1 dead event(s)" in everything.output
    assert run(cli, "replay", "-c", config).exit_code == 2
    assert {e.status for e in store.events.list()} == {"received"}


def test_links_prints_groups(cli, setup):
    config, store = setup
    group = store.links.link("contact", {"helpdesk": "H1", "crm": "C7"})
    store.links.link("deal", {"crm": "D1"})

    text = run(cli, "links", "-c", config, "--kind", "contact")
    header, _rule, row = text.output.splitlines()
    assert header.split() == ["KIND", "ID", "REMOTE", "IDS"]
    assert row.split(maxsplit=2) == ["contact", group, "helpdesk=H1, crm=C7"]
    found = run(cli, "links", "-c", config, "--remote-id", "D1", "--json")
    assert json.loads(found.output)["refs"] == {"crm": "D1"}
    assert run(cli, "links", "-c", config, "--kind", "none").output == "no links\n"


def test_links_hides_the_records_of_recipe_steps_unless_all(cli, setup):
    config, store = setup
    contact = store.links.link("contact", {"helpdesk": "H1", "crm": "C7"})
    step = store.links.link("step:history", {"copy:ledger:a": "done", "result": "R9"})

    shown = run(cli, "links", "-c", config).output
    assert contact in shown and step not in shown and "step:history" not in shown
    everything = run(cli, "links", "-c", config, "--all").output
    assert contact in everything and step in everything
    assert step in run(cli, "links", "-c", config, "--kind", "step:history").output
    lines = run(cli, "links", "-c", config, "--all", "--json").output.splitlines()
    assert {json.loads(line)["kind"] for line in lines} == {"contact", "step:history"}


def test_replay_json_says_what_was_queued(cli, setup):
    config, store = setup
    dead = add(store, "a", "dead")
    one = run(cli, "replay", str(dead), "-c", config, "--json")
    assert json.loads(one.output) == {"queued": 1, "event_id": dead, "was": "dead"}
    add(store, "b", "dead")
    assert json.loads(run(cli, "replay", "--dead", "-c", config, "--json").output) == \
        {"queued": 1}


def test_events_table_has_headers_and_one_row_per_event(cli, setup):
    config, store = setup
    first = add(store, "a", "succeeded")
    second = add(store, "b", "dead")
    header, _rule, *rows = run(cli, "events", "-c", config).output.splitlines()
    assert header.split()[:5] == ["ID", "STATUS", "INTEGRATION", "TYPE", "TRIES"]
    assert [row.split()[:3] for row in rows] == [[str(second), "dead", "copy"],
                                                 [str(first), "succeeded", "copy"]]


def test_action_token_prints_the_url_and_header(cli, setup):
    config, _store = setup
    printed = run(cli, "action-token", "crm", "-c", config)

    assert printed.exit_code == 0
    token = action_token(SECRET_KEY.encode(), "crm")
    assert printed.output == (
        "url:    https://pontes.example.com/actions/crm/<action>\n"
        f"header: Authorization: Bearer {token}\n")
    unknown = run(cli, "action-token", "nope", "-c", config)
    assert unknown.exit_code == 1 and "no connection 'nope'; configured: crm" in unknown.output


def test_a_missing_configuration_is_one_clear_message(cli, tmp_path):
    answer = run(cli, "events", "-c", str(tmp_path / "absent.yaml"))

    assert answer.exit_code == 1
    assert "absent.yaml: cannot read the configuration" in answer.output


# --- processes and the schema -------------------------------------------------------------


@pytest.fixture
def ledger_setup(tmp_path, monkeypatch, store_url):
    """A full Ledger configuration (plugins loaded) on each store."""
    monkeypatch.setenv("PONTES_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("PONTES_EXTRA_PLUGINS", "ledger_plugin")
    monkeypatch.setenv("LEDGER_KEY", "k")
    config = tmp_path / "pontes.yaml"
    config.write_text(yaml.safe_dump(ledger_config(store_url, "http://127.0.0.1:9")))
    return str(config), store_url


def test_db_upgrade_brings_the_store_to_the_newest_revision(cli, ledger_setup):
    config, store_url = ledger_setup
    first = run(cli, "db", "upgrade", "-c", config)
    again = run(cli, "db", "upgrade", "-c", config)

    assert first.exit_code == 0, first.output
    if store_url.startswith("sqlite"):  # a new file (the PostgreSQL test database is shared)
        assert f"upgraded from revision none to {head_revision()}" in first.output
    assert again.output.endswith(f"is up to date (revision {head_revision()})\n")


def test_worker_and_no_worker_need_a_postgresql_store(cli, ledger_setup):
    config, store_url = ledger_setup
    if not store_url.startswith("sqlite"):
        pytest.skip("the refusal is about SQLite stores")
    worker = run(cli, "worker", "-c", config)
    web_only = run(cli, "serve", "-c", config, "--no-worker")

    assert worker.exit_code == 1
    assert "store: pontes worker needs a PostgreSQL store" in worker.output
    assert web_only.exit_code == 1
    assert "store: --no-worker needs a PostgreSQL store" in web_only.output


def test_a_second_server_on_one_sqlite_file_refuses_to_start(tmp_path, start_server):
    first = start_server(f"sqlite:///{tmp_path / 'one.db'}")
    second = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "serve", "-c", str(first.config_path),
         "--port", str(free_port())],
        env=first.env, capture_output=True, text=True, timeout=60)

    assert second.returncode == 1
    assert "store: another pontes process is already serving" in second.stderr
    assert str((tmp_path / "one.db").resolve()) in second.stderr
    assert httpx.get(f"{first.url}/healthz").status_code == 200
