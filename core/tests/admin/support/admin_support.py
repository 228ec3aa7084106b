"""Helpers of the admin tests: a served installation, the signed-in client and the forms'
CSRF tokens."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from engine_support import ADMIN_TOKEN, POSTGRES_ENV, wait_until
from pontes.store import Store


@contextmanager
def fresh_postgres(prefix: str) -> Iterator[str]:
    """The URL of a new PostgreSQL database on ``PONTES_TEST_POSTGRES_URL``'s server,
    dropped afterwards (the test is skipped, saying why, without the variable)."""
    from sqlalchemy import create_engine, make_url, text

    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set: the PostgreSQL variant did not run")
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    return CSRF.search(html).group(1)


def sign_in(url: str, token: str = ADMIN_TOKEN) -> tuple[httpx.Client, httpx.Response]:
    """A client that posted the sign-in form with ``token``, and the answer."""
    client = httpx.Client(base_url=url, timeout=30)
    form = client.get("/admin/sign-in")
    answer = client.post("/admin/sign-in", data={"token": token, "next": "/admin/events",
                                                  "csrf_token": csrf_of(form.text)})
    return client, answer


@dataclass
class Served:
    """A running server, its Ledger sandbox and its store."""

    url: str
    sandbox_url: str
    store: Store

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def hook_url(self) -> str:
        with self.api() as api:
            return api.get("/admin/api/integrations").json()[0]["webhooks"][0]["url"]

    def deliver(self, **body) -> None:
        httpx.post(self.hook_url(), json=body, timeout=30).raise_for_status()

    def settle(self) -> None:
        def quiet() -> bool:
            with self.api() as api:
                found = api.get("/admin/api/events", params={"limit": 1000}).json()
            return not any(e["status"] in ("received", "running") for e in found)

        wait_until(quiet, what="the queue to empty")
