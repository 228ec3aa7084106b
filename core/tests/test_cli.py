"""The ``pontes`` command line: help everywhere, the plugin matrix, check, hooks and errors."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from pontes.cli import cli, main
from pontes.plugins import load_plugins
from pontes.testing import serve_app


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def sandboxes():
    registry = load_plugins().registry
    with serve_app(registry.sandboxes["movidesk"].app()) as movidesk, \
            serve_app(registry.sandboxes["ploomes"].app()) as ploomes:
        yield {"movidesk": registry.sandboxes["movidesk"].settings(movidesk),
               "ploomes": registry.sandboxes["ploomes"].settings(ploomes)}


def write_config(tmp_path, sandboxes, **changes) -> str:
    connections = {name: {**settings, **changes.get(name, {})}
                   for name, settings in sandboxes.items()}
    config = {"public_url": "https://pontes.example.com",
              "connections": connections,
              "integrations": {"support-history": {"recipe": "ticket_history",
                                                   "helpdesk": "movidesk", "crm": "ploomes"}}}
    path = tmp_path / "pontes.yaml"
    path.write_text(yaml.safe_dump(config))
    (tmp_path / ".pontes-secret-key").write_text("cli-test-key")
    return str(path)


def test_every_command_has_help(capsys):
    main(["--help"])
    capsys.readouterr()
    for name in cli.commands:
        code, out, _ = run(capsys, name, "--help")
        assert code == 0 and "Usage: pontes " + name in out, name


def test_plugins_prints_versions_and_the_capability_matrix(capsys):
    code, out, _ = run(capsys, "plugins")
    assert code == 0
    for plugin in ("movidesk", "ploomes", "jivo"):
        assert any(line.split()[:1] == [plugin] and "ok" in line for line in out.splitlines())
    lines = out.splitlines()
    assert any(line.split() == ["PLUGIN", "DISTRIBUTION", "VERSION", "STATUS"] for line in lines)
    header = next(line for line in lines if line.startswith("CAPABILITY"))
    columns = {m.group(): m.start() for m in re.finditer(r"\S+", header)}

    def supported_by(capability: str) -> set[str]:
        row = next(line for line in lines if line.split()[:1] == [capability])
        return {name for name, start in columns.items()
                if name != "CAPABILITY" and row[start:start + len(name)].strip() == "x"}

    # Other installed plugins may add to a row; the ones named here must be as said.
    assert "ploomes" in supported_by("deal.finish") and "movidesk" not in supported_by("deal.finish")
    assert supported_by("ticket.create") >= {"movidesk", "usedesk"}
    assert "ploomes" not in supported_by("ticket.create")
    assert supported_by("chat.finished") == {"jivo"}
    assert supported_by("contact.find_by_email") >= {"movidesk", "ploomes", "usedesk"}
    assert "jivo" not in supported_by("contact.find_by_email")
    recipes = next(line for line in lines if line.startswith("Recipes: "))
    assert {"chat_to_crm", "deal_to_ticket", "ticket_history"} <= set(recipes[9:].split(", "))


def test_check_accepts_good_credentials(capsys, tmp_path, sandboxes):
    code, out, _ = run(capsys, "check", "--config", write_config(tmp_path, sandboxes))
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert ["CONNECTION", "CONNECTOR", "CHECK"] in rows
    assert ["movidesk", "Movidesk", "ok"] in rows and ["ploomes", "Ploomes", "ok"] in rows


def test_check_names_the_connection_with_bad_credentials_and_hides_the_secret(
        capsys, tmp_path, sandboxes):
    path = write_config(tmp_path, sandboxes, movidesk={"token": "not-the-right-token-42"})
    code, out, err = run(capsys, "check", "--config", path)
    assert code == 1
    rows = [line.split() for line in out.splitlines()]
    assert ["movidesk", "Movidesk", "FAILED:"] in [row[:3] for row in rows]
    assert ["ploomes", "Ploomes", "ok"] in rows
    assert "not-the-right-token-42" not in out + err
    assert "1 connection(s) failed the check" in err


def test_check_reports_a_broken_config_with_its_key_path(capsys, tmp_path, sandboxes):
    path = write_config(tmp_path, sandboxes, ploomes={"user_kee": "x"})
    code, _, err = run(capsys, "check", "--config", path)
    assert code == 1
    assert f"{path}: connections.ploomes.user_kee: unknown key" in err


MOVIDESK_WEBHOOK_EVENTS = ["ticket.changed", "ticket.created", "ticket.replied",
                           "ticket.commented"]
"""What Movidesk's "call webhook" trigger tells (a creation, a change, replies, comments)."""


def test_hooks_prints_a_table_of_the_urls_to_paste_into_movidesk(capsys, tmp_path, sandboxes):
    code, out, _ = run(capsys, "hooks", "--config", write_config(tmp_path, sandboxes))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["INTEGRATION", "CONNECTION", "TRIGGER", "EVENTS", "URL"]
    (row,) = [line for line in lines if line.startswith("support-history")]
    integration, connection, trigger, *events, url = row.split()
    assert (connection, trigger) == ("movidesk", "ticket_webhook")
    assert " ".join(events) == ", ".join(MOVIDESK_WEBHOOK_EVENTS)
    assert url.startswith("https://pontes.example.com/hooks/support-history/")


def test_hooks_json_gives_every_url_with_its_integration_and_events(capsys, tmp_path, sandboxes):
    path = write_config(tmp_path, sandboxes)
    code, out, _ = run(capsys, "hooks", "--config", path, "--json")
    assert code == 0
    (hook,) = json.loads(out)["webhooks"]
    assert hook["integration"] == "support-history" and hook["role"] == "helpdesk"
    assert hook["connection"] == "movidesk" and hook["events"] == MOVIDESK_WEBHOOK_EVENTS
    code, table, _ = run(capsys, "hooks", "--config", path)
    assert hook["url"] in table


def test_check_json_reports_each_connection(capsys, tmp_path, sandboxes):
    path = write_config(tmp_path, sandboxes, movidesk={"token": "not-the-right-token-42"})
    code, out, err = run(capsys, "check", "--config", path, "--json")
    assert code == 1 and "1 connection(s) failed the check" in err
    report = json.loads(out)
    assert report["valid"] is True and report["integrations"] == ["support-history"]
    by_name = {entry["name"]: entry for entry in report["connections"]}
    assert by_name["ploomes"]["ok"] is True and by_name["ploomes"]["error"] is None
    assert by_name["movidesk"]["ok"] is False and by_name["movidesk"]["connector"] == "Movidesk"
    assert by_name["movidesk"]["error"]
    assert "not-the-right-token-42" not in out + err


def test_missing_config_file_is_one_clear_message(capsys, tmp_path):
    code, _, err = run(capsys, "check", "--config", str(tmp_path / "absent.yaml"))
    assert code == 1
    assert "absent.yaml: cannot read the configuration" in err


def test_unknown_sandbox_lists_the_available_ones(capsys):
    code, _, err = run(capsys, "sandbox", "zendesk")
    assert code == 1
    assert "no sandbox for 'zendesk'; available: " in err
    available = set(err.split("available: ", 1)[1].splitlines()[0].split(", "))
    assert available >= {"jivo", "movidesk", "ploomes", "usedesk"}


def test_activate_json_lists_the_steps_in_the_vendors_words(capsys, tmp_path, sandboxes):
    path = write_config(tmp_path, sandboxes)
    code, out, err = run(capsys, "activate", "support-history", "--config", path, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["integration"] == "support-history"
    (step,) = report["steps"]
    assert step["done"] is False and step["title"].startswith("movidesk: webhook for ")
    assert step["detail"].startswith("In Movidesk: Configurações -> Gatilhos")
    assert "https://pontes.example.com/hooks/support-history/" in step["detail"]
