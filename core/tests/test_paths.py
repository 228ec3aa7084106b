"""Paths in a configuration are taken against the file's directory, never the working one.

A command run from another directory finds the same store and installation key as the
server beside the configuration: the same webhook URLs, the same events. Commands that
need the key never make one (``pontes init`` and the first ``serve`` do, and say where),
and commands that only read never create a database.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml
from pontes.cli import main
from pontes.config import load_config, parse_config
from pontes.keys import installation_key
from pontes.paths import resolve_store_url
from pontes.store import NewEvent, Store


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """A configuration in ``site/`` (relative store and key paths) and an unrelated
    working directory ``elsewhere/``, where every command runs."""
    monkeypatch.delenv("PONTES_SECRET_KEY", raising=False)
    monkeypatch.delenv("PONTES_SECRET_KEY_FILE", raising=False)
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    site.mkdir()
    elsewhere.mkdir()
    config = site / "pontes.yaml"
    config.write_text(yaml.safe_dump({
        "store": "sqlite:///data/pontes.db",
        "public_url": "https://pontes.example.com",
        "connections": {"desk": {"plugin": "movidesk", "token": "t",
                                 "base_url": "http://127.0.0.1:9/public/v1"},
                        "crm": {"plugin": "ploomes", "user_key": "k",
                                "base_url": "http://127.0.0.1:9"}},
        "integrations": {"support-history": {"recipe": "ticket_history",
                                             "helpdesk": "desk", "crm": "crm"}},
    }))
    monkeypatch.chdir(elsewhere)
    return site, elsewhere, config


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_relative_sqlite_store_is_taken_against_the_config_file(tmp_path):
    assert resolve_store_url("sqlite:///pontes.db", tmp_path) == f"sqlite:///{tmp_path}/pontes.db"
    assert resolve_store_url("sqlite:///a/b.db", tmp_path) == f"sqlite:///{tmp_path}/a/b.db"
    assert resolve_store_url("sqlite:////abs/x.db", tmp_path) == "sqlite:////abs/x.db"
    assert resolve_store_url("sqlite://", tmp_path) == "sqlite://"
    assert resolve_store_url("sqlite:///:memory:", tmp_path) == "sqlite:///:memory:"
    postgres = "postgresql+psycopg://u:secret@db/pontes"
    assert resolve_store_url(postgres, tmp_path) == postgres


def test_load_config_resolves_the_store_and_the_key_file_against_its_directory(layout):
    site, _elsewhere, config = layout
    loaded = load_config(config)
    assert loaded.store == f"sqlite:///{site / 'data' / 'pontes.db'}"
    assert loaded.key_file == site / ".pontes-secret-key"
    (site / "pontes.yaml").write_text("secret_key_file: keys/pontes.key\n")
    assert load_config(config).key_file == site / "keys" / "pontes.key"


def test_a_config_without_a_file_keeps_the_working_directory(tmp_path):
    parsed = parse_config({"store": "sqlite:///pontes.db"})
    assert parsed.store == "sqlite:///pontes.db"
    assert parsed.key_file == Path.cwd() / ".pontes-secret-key"


def test_init_creates_the_key_and_the_store_beside_the_config_and_says_where(capsys, layout):
    site, elsewhere, config = layout
    code, out, err = run(capsys, "init", "-c", str(config))
    assert code == 0, err
    key_file = site / ".pontes-secret-key"
    assert f"created the installation key {key_file}" in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (site / "data" / "pontes.db").exists()
    assert f"store: sqlite:///{site / 'data' / 'pontes.db'} (ready)" in out
    assert list(elsewhere.iterdir()) == []
    key = key_file.read_bytes()
    code, out, _ = run(capsys, "init", "-c", str(config))
    assert code == 0 and f"installation key: {key_file} (kept)" in out
    assert key_file.read_bytes() == key


def test_hooks_from_another_directory_prints_the_same_urls_and_creates_nothing(
        capsys, layout, monkeypatch):
    site, elsewhere, config = layout
    assert run(capsys, "init", "-c", str(config))[0] == 0
    monkeypatch.chdir(site)
    code, beside, _ = run(capsys, "hooks", "-c", "pontes.yaml")
    assert code == 0 and "/hooks/support-history/" in beside
    monkeypatch.chdir(elsewhere)
    code, away, _ = run(capsys, "hooks", "-c", os.path.relpath(config, elsewhere))
    assert code == 0
    assert away == beside
    assert list(elsewhere.iterdir()) == []


def test_a_command_that_needs_the_key_never_creates_one(capsys, layout):
    site, elsewhere, config = layout
    code, out, err = run(capsys, "hooks", "-c", str(config))
    assert code == 1
    assert f"no installation key: {site / '.pontes-secret-key'} does not exist; " \
           "`pontes init` creates it" in err
    assert not (site / ".pontes-secret-key").exists()
    assert list(elsewhere.iterdir()) == []


def test_the_key_file_can_be_named_in_the_config_or_the_environment(capsys, layout, monkeypatch):
    site, _elsewhere, config = layout
    text = config.read_text() + "secret_key_file: secrets/key\n"
    config.write_text(text)
    assert run(capsys, "init", "-c", str(config))[0] == 0
    assert (site / "secrets" / "key").exists() and not (site / ".pontes-secret-key").exists()
    assert installation_key(load_config(config).key_file) == (site / "secrets" / "key").read_bytes()
    other = site / "other-key"
    other.write_text("from-the-environment")
    monkeypatch.setenv("PONTES_SECRET_KEY_FILE", str(other))
    assert installation_key(load_config(config).key_file) == b"from-the-environment"
    monkeypatch.setenv("PONTES_SECRET_KEY", "given-directly")
    assert installation_key(load_config(config).key_file) == b"given-directly"


def test_events_from_another_directory_reads_the_store_beside_the_config(capsys, layout):
    site, elsewhere, config = layout
    assert run(capsys, "init", "-c", str(config))[0] == 0
    store = Store.open(f"sqlite:///{site / 'data' / 'pontes.db'}", key=b"k")
    try:
        store.events.insert([NewEvent(
            integration="support-history", role="helpdesk", connection="desk",
            source="webhook", trigger="ticket_webhook", type="ticket.changed",
            idempotency_key="ticket-7", entity_key="ticket-7", event={"id": "7"})])
    finally:
        store.close()
    code, out, err = run(capsys, "events", "-c", os.path.relpath(config, elsewhere), "--json")
    assert code == 0, err
    assert '"integration": "support-history"' in out and '"type": "ticket.changed"' in out
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("command", [("events",), ("links",), ("replay", "--dead")])
def test_read_only_commands_never_create_a_database(capsys, layout, command):
    site, elsewhere, config = layout
    code, _, err = run(capsys, *command, "-c", str(config))
    assert code == 1
    assert f"store: no database at {site / 'data' / 'pontes.db'}; `pontes init` or " \
           "`pontes serve` creates it" in err
    assert not (site / "data").exists()
    assert list(elsewhere.iterdir()) == []
