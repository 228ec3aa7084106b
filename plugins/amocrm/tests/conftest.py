"""Fixtures of the amoCRM tests: stores on SQLite and, when ``PONTES_TEST_POSTGRES_URL``
names a server, on a fresh PostgreSQL database of their own."""

import pytest
from pontes.testing.databases import (
    fresh_postgres_database,
    postgres_admin_url,
    require_postgres,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty store: a SQLite file, then a PostgreSQL database made for the
    test (skipped, saying why, without ``PONTES_TEST_POSTGRES_URL``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pontes.db'}"
        return
    with fresh_postgres_database(require_postgres(postgres_admin_url()),
                                 "pontes_amocrm") as url:
        yield url
