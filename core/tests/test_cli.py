"""The ``pontes`` command line: help everywhere, the plugin matrix, check, hooks and errors."""

from __future__ import annotations

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
    header = next(line for line in lines if line.startswith("capability"))

    def supported_by(capability: str) -> set[str]:
        row = next(line for line in lines if line.split()[:1] == [capability])
        return {name for name in header.split()[1:]
                if row[header.index(name):header.index(name) + len(name)].strip() == "x"}

    # Other installed plugins may add to a row; the ones named here must be as said.
    assert "ploomes" in supported_by("deal.finish") and "movidesk" not in supported_by("deal.finish")
    assert supported_by("ticket.create") >= {"movidesk", "usedesk"}
    assert "ploomes" not in supported_by("ticket.create")
    assert supported_by("chat.finished") == {"jivo"}
    assert supported_by("contact.find_by_email") >= {"movidesk", "ploomes", "usedesk"}
    assert "jivo" not in supported_by("contact.find_by_email")
    assert "Recipes: chat_to_crm, deal_to_ticket, ticket_history" in out


def test_check_accepts_good_credentials(capsys, tmp_path, sandboxes):
    code, out, _ = run(capsys, "check", "--config", write_config(tmp_path, sandboxes))
    assert code == 0
    assert "movidesk (Movidesk): ok" in out and "ploomes (Ploomes): ok" in out


def test_check_names_the_connection_with_bad_credentials_and_hides_the_secret(
        capsys, tmp_path, sandboxes):
    path = write_config(tmp_path, sandboxes, movidesk={"token": "not-the-right-token-42"})
    code, out, err = run(capsys, "check", "--config", path)
    assert code == 1
    assert "movidesk (Movidesk): FAILED" in out and "ploomes (Ploomes): ok" in out
    assert "not-the-right-token-42" not in out + err
    assert "1 connection(s) failed the check" in err


def test_check_reports_a_broken_config_with_its_key_path(capsys, tmp_path, sandboxes):
    path = write_config(tmp_path, sandboxes, ploomes={"user_kee": "x"})
    code, _, err = run(capsys, "check", "--config", path)
    assert code == 1
    assert f"{path}: connections.ploomes.user_kee: unknown key" in err


def test_hooks_prints_the_url_to_paste_into_movidesk(capsys, tmp_path, sandboxes, monkeypatch):
    monkeypatch.setenv("PONTES_SECRET_KEY", "cli-test-key")
    code, out, _ = run(capsys, "hooks", "--config", write_config(tmp_path, sandboxes))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("support-history  movidesk:ticket_webhook  (ticket.changed)")
    assert lines[1].strip().startswith("https://pontes.example.com/hooks/support-history/")


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
