"""A plugin distribution built outside this repository is discovered and works.

The test installs two small distributions into a fresh virtual environment that sees the
pontes installation under test: ``pontes-acme`` (works) and ``pontes-broken`` (fails to
import). It then drives the real ``pontes`` command line and the runtime there.
"""

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from support.environments import environment_with_this_pontes  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("third-party")
    python = environment_with_this_pontes(root)
    for name in ("acme_plugin", "broken_plugin"):
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps",
                        str(FIXTURES / name)],
                       check=True, capture_output=True, text=True)
    return python


def run(python, *args, **kwargs):
    return subprocess.run([python, *args], capture_output=True, text=True, timeout=120, **kwargs)


def pontes(python, *args):
    return run(python, "-c", "import sys; from pontes.cli import main; sys.exit(main())", *args)


def test_outside_plugin_is_listed_with_version_and_capabilities(plugin_env):
    result = pontes(plugin_env, "plugins", "--json")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    plugins = {p["name"]: p for p in listing["plugins"]}
    assert plugins["acme"]["distribution"] == "pontes-acme"
    assert plugins["acme"]["version"] == "1.2.3"
    assert plugins["acme"]["error"] is None
    assert listing["connectors"]["acme"]["capabilities"] == ["contact.find_by_email"]


def test_broken_plugin_is_reported_with_its_error(plugin_env):
    result = pontes(plugin_env, "plugins")
    assert result.returncode == 0, result.stderr
    line = next(row for row in result.stdout.splitlines() if row.strip().startswith("broken"))
    assert "FAILED" in line and "a_module_that_is_not_installed" in line


def test_outside_plugin_works_through_the_runtime(plugin_env, tmp_path):
    config = tmp_path / "pontes.yaml"
    config.write_text("plugins: [acme]\nconnections:\n  book: {plugin: acme, greeting: oi}\n")
    script = textwrap.dedent(f"""
        import asyncio
        from pontes.config import load_config
        from pontes.runtime import Runtime
        runtime = Runtime.build(load_config({str(config)!r}), key=b"k")
        book = runtime.connections["book"]
        found = asyncio.run(book.call("contact.find_by_email", email=" ANA@example.com "))
        missing = asyncio.run(book.call("contact.find_by_email", email="zz@example.com"))
        print(found.name, found.refs["book"], book.settings.greeting, missing)
    """)
    result = run(plugin_env, "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Ana", "Souza", "ana@example.com", "oi", "None"]


def test_broken_plugin_does_not_affect_a_server_that_did_not_enable_it(plugin_env, tmp_path):
    config = tmp_path / "pontes.yaml"
    config.write_text("plugins: [acme]\nconnections:\n  book: {plugin: acme}\n")
    result = pontes(plugin_env, "check", "--config", str(config))
    assert result.returncode == 0, result.stderr + result.stdout
    assert re.search(r"^book\s+Acme Address Book\s+ok$", result.stdout, re.M), result.stdout


def test_enabled_broken_plugin_stops_start_up_naming_it(plugin_env, tmp_path):
    config = tmp_path / "pontes.yaml"
    config.write_text("plugins: [acme, broken]\n")
    result = pontes(plugin_env, "check", "--config", str(config))
    assert result.returncode != 0
    assert "broken" in result.stderr and "a_module_that_is_not_installed" in result.stderr


def test_enabled_plugin_that_is_not_installed_is_named(plugin_env, tmp_path):
    config = tmp_path / "pontes.yaml"
    config.write_text("plugins: [acme, zendesk]\n")
    result = pontes(plugin_env, "check", "--config", str(config))
    assert result.returncode != 0
    assert "zendesk" in result.stderr and "acme" in result.stderr


def test_outside_plugin_adds_a_command(plugin_env):
    result = pontes(plugin_env, "acme-hello")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "hello from acme"


def test_the_environment_is_really_separate(plugin_env):
    # pontes-acme is installed only in the temporary environment, not in the one under test.
    from importlib.metadata import PackageNotFoundError, version

    with pytest.raises(PackageNotFoundError):
        version("pontes-acme")
    assert sys.prefix not in str(plugin_env)
