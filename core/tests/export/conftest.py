"""Fixtures of the export tests: the pagedesk plugin and sandbox, connections to it, and
warehouses to export into (a DuckDB file, and a scratch PostgreSQL database when
PONTES_TEST_POSTGRES_URL names a server)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import pagedesk  # noqa: E402
from pontes.connection import Connection  # noqa: E402
from pontes.export import Destination, parse_destination  # noqa: E402
from pontes.plugins import load_plugins  # noqa: E402
from pontes.registry import Registry  # noqa: E402
from pontes.testing import connect, serve_app  # noqa: E402

POSTGRES_ENV = "PONTES_TEST_POSTGRES_URL"


def libpq_url(url: str) -> str:
    """The URL with the plain ``postgresql`` scheme psycopg reads (no ``+driver``)."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The registry with the pagedesk test plugin (and the core's own plugins) only."""
    return load_plugins(enabled=[], extra=[pagedesk]).registry


@dataclass
class Desk:
    """A served pagedesk sandbox: its data, its base URL and its request log."""

    state: pagedesk.DeskState
    url: str
    app: Any

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.app.state.control.requests

    def calls(self, path: str) -> list[dict[str, Any]]:
        """The requests served for ``path`` so far."""
        return [r for r in self.requests if r["path"] == path]


@pytest.fixture
def desk() -> Iterator[Desk]:
    """A pagedesk sandbox with 60 tickets, served on loopback."""
    state = pagedesk.DeskState.generate(60)
    app = pagedesk.desk_app(state)
    with serve_app(app) as url:
        yield Desk(state, url, app)


@pytest.fixture
def connection(registry: Registry, desk: Desk) -> Callable[..., Connection]:
    """``connection(page_size=20)``: a new connection to the served sandbox."""

    def make(page_size: int = 20) -> Connection:
        settings = pagedesk.DeskSettings(plugin="pagedesk", base_url=desk.url,
                                         token=pagedesk.TOKEN, page_size=page_size)
        return connect(registry, "pagedesk", settings, "desk")

    return make


class Warehouse:
    """A destination plus the means to look into it."""

    def __init__(self, destination: Destination, dataset: str = "desk"):
        self.destination = destination
        self.dataset = dataset

    @property
    def to(self) -> str:
        return self.destination.location if self.destination.kind == "postgres" \
            else f"duckdb:///{self.destination.location}"

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of ``sql`` (write ``{ds}`` for the dataset's schema)."""
        sql = sql.replace("{ds}", self.dataset)
        if self.destination.kind == "duckdb":
            import duckdb

            with duckdb.connect(self.destination.location) as con:
                return con.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(libpq_url(self.destination.location)) as con:
            return con.execute(sql).fetchall()

    def table(self, name: str) -> str:
        """A qualified, quoted table name for queries."""
        return f'{self.dataset}."{name}"'

    def columns(self, table: str) -> dict[str, str]:
        """Column name -> the database's type name, for one table of the dataset."""
        rows = self.query(
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = '{{ds}}' and table_name = '{table}'")
        return {name: kind.lower() for name, kind in rows}

    def tables(self) -> set[str]:
        rows = self.query("select table_name from information_schema.tables "
                          "where table_schema = '{ds}'")
        return {name for (name,) in rows}

    def count(self, table: str) -> int:
        return self.query(f"select count(*) from {self.table(table)}")[0][0]

    def cursor_state(self, pipeline_stream: str, schema: str = "desk") -> Any:
        """The stream's cursor in the dlt state of the newest completed load, the one dlt
        restores from the destination.

        A state row is written by a job of its own; a load is complete once every job of
        its package, the merges of its rows included, has run and its ``_dlt_loads`` row
        says so (status 0). A kill can leave the state row of an unfinished load, which
        dlt never reads back, so neither does this."""
        from dlt.common.versioned_state import decompress_state

        rows = self.query("select s.state from {ds}._dlt_pipeline_state as s "
                          "join {ds}._dlt_loads as l on l.load_id = s._dlt_load_id "
                          "where l.status = 0 order by l.load_id desc limit 1")
        if not rows:
            return None
        state = decompress_state(rows[0][0])
        resources = state.get("sources", {}).get(schema, {}).get("resources", {})
        return resources.get(pipeline_stream, {}).get("cursor")


@pytest.fixture
def duckdb_warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(parse_destination(str(tmp_path / "warehouse" / "warehouse.duckdb")))


@pytest.fixture
def postgres_warehouse() -> Iterator[Warehouse]:
    """A scratch database on the server of PONTES_TEST_POSTGRES_URL, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to export into "
                    "(e.g. postgresql://postgres@127.0.0.1:5432/postgres)")
    import psycopg

    name = f"pontes_export_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(base), autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    url = urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
    try:
        yield Warehouse(parse_destination(url))
    finally:
        with psycopg.connect(libpq_url(base), autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest) -> Warehouse:
    """Each test runs against DuckDB and against PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_warehouse")
