"""Fixtures of the amoCRM tests: stores on SQLite and, when ``PONTES_TEST_POSTGRES_URL``
names a server, on a fresh PostgreSQL database of their own."""

import os
import secrets

import pytest
from sqlalchemy import create_engine, make_url, text

POSTGRES_ENV = "PONTES_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """The URL of an empty store: a SQLite file, then a PostgreSQL database made for the
    test (skipped, saying why, without ``PONTES_TEST_POSTGRES_URL``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pontes.db'}"
        return
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL variant did not run")
    name = f"pontes_amocrm_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
