"""``pontes new-plugin``: the generated plugin works as it is, bad input is refused in one
line, and ``--update`` merges a newer template into a plugin that has changes of its own.

The slow test installs a generated plugin into a fresh virtual environment that sees the
pontes under test (as ``test_third_party_plugin`` does) and runs the plugin's own tests
there.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pontes.commands.new_plugin import TEMPLATE, NewPluginError, generate, update

sys.path.insert(0, str(Path(__file__).parent))
from support.environments import environment_with_this_pontes  # noqa: E402

RUFF = Path(sys.executable).parent / "ruff"


def run(*args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kwargs)


def pontes(python, *args, **kwargs):
    return run(python, "-c", "import sys; from pontes.cli import main; sys.exit(main())", *args,
               **kwargs)


def git(repo, *args):
    result = run("git", "-C", str(repo), *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def git_identity(monkeypatch):
    """Commits (ours and copier's) need an author, whatever the machine's git config."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")


@pytest.fixture
def history(tmp_path, monkeypatch):
    """A template history of this test's own."""
    path = tmp_path / "history"
    monkeypatch.setenv("PONTES_TEMPLATE_HISTORY", str(path))
    return path


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    """A fresh environment where ``pontes new-plugin acme`` ran and its output is installed."""
    root = tmp_path_factory.mktemp("new-plugin")
    python = environment_with_this_pontes(root)
    plugin = root / "pontes-acme"
    env = {**os.environ, "PONTES_TEMPLATE_HISTORY": str(root / "history")}
    generated = pontes(python, "new-plugin", "acme", "--path", str(plugin), env=env)
    assert generated.returncode == 0, generated.stderr
    installed = run(python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(plugin))
    assert installed.returncode == 0, installed.stderr
    return python, plugin


@pytest.mark.slow
def test_the_generated_plugin_passes_its_own_tests(plugin_env):
    python, plugin = plugin_env
    result = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=plugin)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "skipped" not in result.stdout


@pytest.mark.slow
def test_pontes_plugins_lists_the_generated_plugin_and_its_capabilities(plugin_env):
    python, _ = plugin_env
    result = pontes(python, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    plugins = {p["name"]: p for p in listing["plugins"]}
    assert plugins["acme"]["distribution"] == "pontes-acme"
    assert plugins["acme"]["error"] is None
    assert listing["connectors"]["acme"]["capabilities"] == ["contact.changed",
                                                             "contact.find_by_email"]


def test_the_generated_code_has_the_plugin_layout_and_passes_ruff(tmp_path, history):
    plugin = tmp_path / "pontes-acme_crm"
    generate("acme_crm", plugin, title="Acme CRM", role="helpdesk")

    package = plugin / "src" / "pontes_acme_crm"
    assert sorted(p.name for p in package.iterdir()) == [
        "__init__.py", "actions.py", "client.py", "connector.py", "mappers.py", "sandbox",
        "triggers.py"]
    assert sorted(p.name for p in (package / "sandbox").iterdir()) == [
        "__init__.py", "app.py", "control.py", "state.py"]
    connector = (package / "connector.py").read_text()
    assert "class AcmeCrmSettings(ConnectionSettings)" in connector
    assert 'roles=("helpdesk",)' in connector and 'title="Acme CRM"' in connector
    assert '[project.entry-points."pontes.plugins"]\nacme_crm = "pontes_acme_crm"' in (
        plugin / "pyproject.toml").read_text()
    if not RUFF.exists():
        pytest.skip("ruff is not installed next to this Python")
    linted = run(str(RUFF), "check", "--no-cache", ".", cwd=plugin)
    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("name", ["Acme", "1acme", "acme-crm", "class"])
def test_a_name_that_cannot_name_a_plugin_is_refused_in_one_line(tmp_path, history, name):
    result = pontes(sys.executable, "new-plugin", name, "--path", str(tmp_path / "plugin"))
    assert result.returncode == 2
    assert f"Invalid value for '[NAME]': {name!r} cannot name a plugin" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "plugin").exists()


def test_a_directory_that_is_not_empty_is_refused_in_one_line(tmp_path, history):
    (tmp_path / "notes.txt").write_text("mine")
    result = pontes(sys.executable, "new-plugin", "acme", "--path", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {tmp_path} already exists and is not an empty directory"
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_update_needs_a_plugin_made_by_new_plugin(tmp_path, history):
    result = pontes(sys.executable, "new-plugin", "--update", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Error: {tmp_path} has no .copier-answers.yml: it was not "
                                     f"made by pontes new-plugin")


def newer_template(tmp_path):
    """A copy of the template in which the default rate limit and the README changed."""
    template = tmp_path / "newer-template"
    shutil.copytree(TEMPLATE, template)
    connector = template / "src" / "pontes_{{ name }}" / "connector.py.jinja"
    connector.write_text(connector.read_text().replace(
        "DEFAULT_REQUESTS_PER_MINUTE = 60", "DEFAULT_REQUESTS_PER_MINUTE = 120"))
    readme = template / "README.md.jinja"
    readme.write_text(readme.read_text() + "\n## Changelog\n\nNew in this template.\n")
    return template


def generated_in_git(tmp_path, **options):
    plugin = tmp_path / "pontes-acme"
    tag = generate("acme", plugin, **options)
    git(plugin, "init", "--quiet")
    git(plugin, "add", "--all")
    git(plugin, "commit", "--quiet", "-m", "pontes-acme")
    return plugin, tag


def test_update_merges_a_newer_template_and_keeps_the_plugins_own_changes(
        tmp_path, history, git_identity):
    plugin, first = generated_in_git(tmp_path)
    actions = plugin / "src" / "pontes_acme" / "actions.py"
    actions.write_text(actions.read_text() + "\n\n# Acme answers at most one match.\n")
    git(plugin, "commit", "--quiet", "-am", "A note of our own")

    before, after = update(plugin, template=newer_template(tmp_path))

    assert (before, after) == (first, f"{first}.post1")
    connector = (plugin / "src" / "pontes_acme" / "connector.py").read_text()
    assert "DEFAULT_REQUESTS_PER_MINUTE = 120" in connector
    assert (plugin / "README.md").read_text().endswith("New in this template.\n")
    assert actions.read_text().endswith("# Acme answers at most one match.\n")
    answers = yaml.safe_load((plugin / ".copier-answers.yml").read_text())
    assert answers["_commit"] == after and answers["name"] == "acme"


def test_update_marks_lines_both_sides_changed_as_conflicts(tmp_path, history, git_identity):
    plugin, _ = generated_in_git(tmp_path)
    connector = plugin / "src" / "pontes_acme" / "connector.py"
    connector.write_text(connector.read_text().replace(
        "DEFAULT_REQUESTS_PER_MINUTE = 60", "DEFAULT_REQUESTS_PER_MINUTE = 30"))
    git(plugin, "commit", "--quiet", "-am", "Our account has a lower limit")

    update(plugin, template=newer_template(tmp_path))

    text = connector.read_text()
    assert "<<<<<<< before updating\nDEFAULT_REQUESTS_PER_MINUTE = 30\n=======\n" in text
    assert "DEFAULT_REQUESTS_PER_MINUTE = 120\n>>>>>>> after updating" in text


def test_update_refuses_uncommitted_changes(tmp_path, history, git_identity):
    plugin, _ = generated_in_git(tmp_path)
    (plugin / "README.md").write_text("changed, not committed\n")
    result = pontes(sys.executable, "new-plugin", "--update", str(plugin))
    assert result.returncode == 1
    assert "Destination repository is dirty" in result.stderr
    assert "Traceback" not in result.stderr


def test_update_says_how_to_record_a_template_version_the_history_lacks(
        tmp_path, history, git_identity):
    plugin, _ = generated_in_git(tmp_path, version="0.0.9")
    shutil.rmtree(history)

    with pytest.raises(NewPluginError, match=r"does not hold version 0\.0\.9, which .* was made "
                                             r"from; run `pontes new-plugin --update .*` once "
                                             r"with that pontes version installed"):
        update(plugin)
