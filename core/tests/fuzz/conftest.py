"""The fuzz tests: hostile requests against a real pontes server and the real sandboxes.

``intake`` is the running installation of support/intake.py, once on SQLite and, when
``PONTES_TEST_POSTGRES_URL`` is set, once on PostgreSQL; ``sqlite_intake`` is the SQLite
one alone, for what does not depend on the store.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "support"))

from intake import Intake, start_intake  # noqa: E402
from pontes.plugins import load_plugins  # noqa: E402
from pontes.testing.databases import (  # noqa: E402
    fresh_postgres_database,
    postgres_admin_url,
    require_postgres,
)


@pytest.fixture(scope="session")
def fuzzed_connectors() -> list[str]:
    """The installed connectors that have a sandbox, to fuzz."""
    registry = load_plugins().registry
    return sorted(name for name in registry.connectors if name in registry.sandboxes)


@pytest.fixture(scope="session")
def sqlite_intake(tmp_path_factory, fuzzed_connectors) -> Iterator[Intake]:
    """The installation under fuzz, on SQLite."""
    workdir = tmp_path_factory.mktemp("fuzz-sqlite")
    yield from start_intake(workdir, f"sqlite:///{workdir / 'pontes.db'}", fuzzed_connectors)


@pytest.fixture(scope="session")
def postgresql_intake(tmp_path_factory, fuzzed_connectors) -> Iterator[Intake]:
    """The installation under fuzz, on PostgreSQL (skipped without ``PONTES_TEST_POSTGRES_URL``)."""
    admin_url = require_postgres(postgres_admin_url())
    with fresh_postgres_database(admin_url, "pontes_fuzz") as url:
        yield from start_intake(tmp_path_factory.mktemp("fuzz-postgresql"), url, fuzzed_connectors)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def intake(request) -> Intake:
    """The installation under fuzz, once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_intake")


