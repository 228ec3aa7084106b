"""The README tells an operator what ``make demo`` leaves running and how the export
commands are called."""

from pathlib import Path

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def test_the_readme_says_the_demo_runs_until_ctrl_c_and_how_not_to_wait():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "until you press Ctrl-C" in quick_start
    assert "pontes demo --no-wait" in quick_start


def test_the_readme_lists_export_status_and_the_default_file():
    assert "`pontes export status CONNECTION --to DEST -c pontes.yaml`" in README
    assert "`<connection>.duckdb` beside the config" in README
