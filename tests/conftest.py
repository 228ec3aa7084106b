"""End-to-end tests: the vendor sandboxes, a real pontes server process, the seed flows.

The demo's installation and steps (``pontes_demo``) are reused, so the demo shows what is tested.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def clean_automations(stack):
    """Each test sets up the Movidesk automations it needs, starting from none."""
    with stack.sandbox("movidesk") as movidesk:
        movidesk.delete("/_sandbox/automations").raise_for_status()
    yield
