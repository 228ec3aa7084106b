"""PostgreSQL for tests: a database of their own on the server ``PONTES_TEST_POSTGRES_URL``
names, emptied between tests, dropped at the end.

- ``postgres_admin_url()``: the server's URL, or ``None`` when the variable is not set;
- ``require_postgres(url)``: ``url``, or the test skipped saying why;
- ``fresh_postgres_database(admin_url, prefix)``: a new database, dropped on exit (with
  its connections);
- ``empty_postgres(url)``: every row of every table of the database deleted, the
  sequences restarted (Procrastinate's tables included).

The pytest fixture ``postgres_database`` (``pontes.testing.pytest_plugin``) gives a test
session one such database; the PostgreSQL variant of a test asks for it and skips without
it, so a run without PostgreSQL says what it did not test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRES_ENV = "PONTES_TEST_POSTGRES_URL"
"""A PostgreSQL server where tests may create databases (``postgresql+psycopg://...``)."""


def postgres_admin_url() -> str | None:
    """The URL of the test PostgreSQL server, or ``None`` when none is given."""
    return os.environ.get(POSTGRES_ENV) or None


def require_postgres(url: str | None) -> str:
    """``url``, or skip the test saying that its PostgreSQL variant did not run."""
    import pytest

    if url is None:
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL variant of this test did not "
                    "run (.ci/run sets it when PostgreSQL is up)")
    return url


@contextmanager
def fresh_postgres_database(admin_url: str, prefix: str = "pontes_test") -> Iterator[str]:
    """Create a database named ``<prefix>_<pid>_<random>`` on ``admin_url``'s server,
    yield its URL, and drop it on exit, closing whatever is still connected to it."""
    from sqlalchemy import create_engine, make_url, text

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def empty_postgres(url: str) -> None:
    """Delete every row of every table in the ``public`` schema of the database at ``url``
    and restart its sequences (nothing to do in a database with no tables yet)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            tables = connection.execute(text(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'")).scalars().all()
            if tables:
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY "
                                        "CASCADE"))
    finally:
        engine.dispose()
