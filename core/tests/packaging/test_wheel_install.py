"""Every distribution builds as a wheel, and the core plus one plugin install and work alone.

The wheels are built from copies of the source folders (the checkout is left as it was),
each in pip's isolated build environment with the setuptools its ``build-system`` asks
for, as a release would be. A fresh virtual environment
then gets the ``pontes`` and ``pontes-movidesk`` wheels, their dependencies coming from
the package index as a user's would, and no extra. There:

- ``pontes plugins`` lists movidesk and nothing else (no other plugin, not the demo);
- neither PostgreSQL's driver, Procrastinate nor dlt was installed;
- the SQLite store migrates, and ``pontes check`` passes against Movidesk's sandbox,
  served by the installed wheel;
- a PostgreSQL store is refused with the extra to install (``pontes db upgrade``).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from pontes.testing.server import free_port

REPO = Path(__file__).resolve().parents[3]
PROJECTS = [REPO / "core",
            *sorted(path.parent for path in (REPO / "plugins").glob("*/pyproject.toml")),
            REPO / "demo"]
LEFT_OUT = ("*.egg-info", "build", "dist", "__pycache__", "tests", ".pytest_cache")

pytestmark = pytest.mark.slow


def distribution_name(project: Path) -> str:
    """The ``[project] name`` of a source folder."""
    return tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]


def wheel_of(wheels: Path, project: Path) -> Path:
    """The wheel built for ``project``."""
    stem = distribution_name(project).replace("-", "_")
    found = sorted(wheels.glob(f"{stem}-*.whl"))
    assert len(found) == 1, f"no single wheel for {stem}: {found}"
    return found[0]


def run(*args: str | Path, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    """Run a command, capturing its output as text."""
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    """Wheels of every distribution of the repository."""
    root = tmp_path_factory.mktemp("wheels")
    sources, built = root / "src", root / "dist"
    for project in PROJECTS:
        copy = sources / project.name
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns(*LEFT_OUT))
        result = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                     "--disable-pip-version-check", "--wheel-dir", built, copy)
        assert result.returncode == 0, f"{project.name}: {result.stderr[-3000:]}"
    return built


@pytest.fixture(scope="module")
def movidesk_env(wheels, tmp_path_factory) -> Path:
    """A fresh environment with the pontes and pontes-movidesk wheels; its ``bin``."""
    env = tmp_path_factory.mktemp("fresh") / "venv"
    assert run(sys.executable, "-m", "venv", env).returncode == 0
    result = run(env / "bin" / "python", "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", wheel_of(wheels, REPO / "core"),
                 wheel_of(wheels, REPO / "plugins" / "movidesk"))
    assert result.returncode == 0, result.stderr[-3000:]
    return env / "bin"


def test_every_distribution_builds_a_wheel(wheels):
    for project in PROJECTS:
        assert wheel_of(wheels, project).stat().st_size > 0


def test_only_the_installed_plugin_is_listed(movidesk_env):
    result = run(movidesk_env / "pontes", "plugins", "--json", timeout=120)
    assert result.returncode == 0, result.stderr
    plugins = {plugin["name"]: plugin for plugin in json.loads(result.stdout)["plugins"]}
    assert list(plugins) == ["movidesk"]
    assert plugins["movidesk"]["error"] is None


def test_no_extra_is_installed_without_being_asked_for(movidesk_env):
    result = run(movidesk_env / "python", "-m", "pip", "list", "--format=json", timeout=120)
    installed = {package["name"].lower() for package in json.loads(result.stdout)}
    assert "pontes" in installed and "pontes-movidesk" in installed
    assert not installed & {"psycopg", "psycopg-binary", "procrastinate", "dlt", "duckdb"}


def test_a_sqlite_store_migrates_and_check_passes_against_the_sandbox(movidesk_env, tmp_path):
    port = free_port()
    sandbox = subprocess.Popen([movidesk_env / "pontes", "sandbox", "movidesk", "--port",
                                str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        wait_for_port(port, sandbox)
        config = tmp_path / "pontes.yaml"
        config.write_text(
            "store: sqlite:///pontes.db\n"
            "connections:\n"
            "  desk:\n"
            "    plugin: movidesk\n"
            f"    base_url: http://127.0.0.1:{port}/public/v1\n"
            "    token: movidesk-sandbox-token\n")
        result = run(movidesk_env / "pontes", "db", "upgrade", "-c", config, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        result = run(movidesk_env / "pontes", "check", "-c", config, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "desk" in result.stdout
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)


def test_a_postgresql_store_asks_for_the_extra(movidesk_env, tmp_path):
    config = tmp_path / "pontes.yaml"
    config.write_text("store: postgresql+psycopg://pontes@127.0.0.1:1/pontes\n"
                      "connections:\n  desk: {plugin: movidesk, token: t, "
                      "base_url: 'http://127.0.0.1:1/public/v1'}\n")
    result = run(movidesk_env / "pontes", "db", "upgrade", "-c", config, timeout=120)
    assert result.returncode != 0
    assert "pip install 'pontes[postgres]'" in result.stdout + result.stderr


def wait_for_port(port: int, process: subprocess.Popen, limit: float = 60) -> None:
    """Return once something listens on ``port``; fail if ``process`` ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the sandbox ended: {process.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listened on port {port} within {limit} s")
