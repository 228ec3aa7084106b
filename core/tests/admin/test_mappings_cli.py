"""``pontes mappings export``: refused clearly for an unknown integration, and never
creates a store that is not there."""

from __future__ import annotations

import subprocess
import sys

import yaml
from engine_support import ledger_config, server_env


def export(tmp_path, integration: str) -> subprocess.CompletedProcess[str]:
    config = ledger_config(f"sqlite:///{tmp_path / 'never.db'}", "http://127.0.0.1:9")
    path = tmp_path / "pontes.yaml"
    path.write_text(yaml.safe_dump(config))
    return subprocess.run([sys.executable, "-m", "pontes.cli", "mappings", "export",
                           integration, "--config", str(path)], env=server_env(),
                          capture_output=True, text=True)


def test_an_unknown_integration_is_named_with_the_known_ones(tmp_path):
    done = export(tmp_path, "nope")

    assert done.returncode == 1
    assert "no integration 'nope'" in done.stderr and "expected one of: copy" in done.stderr


def test_a_store_that_is_not_there_is_an_error_and_is_not_created(tmp_path):
    done = export(tmp_path, "copy")

    assert done.returncode == 1
    assert f"store: no database at {tmp_path / 'never.db'}" in done.stderr
    assert not (tmp_path / "never.db").exists()
