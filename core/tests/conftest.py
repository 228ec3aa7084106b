"""Shared fixtures of the core tests.

- ``store_url``: the URL of an empty store, once on SQLite and once on PostgreSQL (the
  session's database of ``pontes.testing``'s ``postgres_database``, emptied first; the
  PostgreSQL variant is skipped, saying why, without ``PONTES_TEST_POSTGRES_URL``);
- ``store``: that store, open and migrated, its vault sealed with ``store_key`` (a
  directory's conftest overrides ``store_key`` when its servers use another key).
"""

from collections.abc import Iterator

import pytest
from pontes.store import Store
from pontes.testing.databases import empty_postgres, require_postgres


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that restart the shared PostgreSQL server run last, so no other test meets it
    while it is down."""
    items.sort(key=lambda item: item.get_closest_marker("restarts_postgres") is not None)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the sandboxes and the vendor client are asyncio code)."""
    return "asyncio"


@pytest.fixture
def store_key() -> bytes:
    """The installation key the ``store`` fixture's vault is sealed with."""
    return b"core-tests-secret-key-0123456789"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path, postgres_database) -> str:
    """A URL of an empty store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pontes.db'}"
    url = require_postgres(postgres_database)
    empty_postgres(url)
    return url


@pytest.fixture
def store(store_url, store_key) -> Iterator[Store]:
    """An open, migrated store (both databases)."""
    opened = Store.open(store_url, key=store_key)
    yield opened
    opened.close()
