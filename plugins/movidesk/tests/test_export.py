"""``pontes export`` of a generated Movidesk account into DuckDB and PostgreSQL: seed 002's
tables and types, rows that match the account, incremental runs that read only changes,
and an export stopped halfway that a rerun completes without duplicates or gaps."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from pontes.export import Progress, export, parse_destination
from pontes.testing import connect, sandbox_settings
from pontes_movidesk.sandbox.dataset import dataset
from pontes_movidesk.sandbox.timefmt import parse_instant

from .conftest import Sandbox
from .test_streams import SEED_002

NOW = datetime.now(UTC).replace(microsecond=0)
POSTGRES_ENV = "PONTES_TEST_POSTGRES_URL"
DATASET = "helpdesk"
TYPES = {
    "duckdb": {"text": "varchar", "timestamp": "timestamp with time zone", "float": "double",
               "boolean": "boolean"},
    "postgres": {"text": "character varying", "timestamp": "timestamp with time zone",
                 "float": "double precision", "boolean": "boolean"},
}


def _libpq(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


class Warehouse:
    """An export destination and a way to query it."""

    def __init__(self, to: str):
        self.destination = parse_destination(to)
        self.kind = self.destination.kind

    def query(self, sql: str) -> list[tuple]:
        if self.kind == "duckdb":
            import duckdb

            with duckdb.connect(self.destination.location) as con:
                return con.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(_libpq(self.destination.location)) as con:
            return con.execute(sql).fetchall()

    def count(self, table: str, where: str = "true") -> int:
        return self.query(f'select count(*) from {DATASET}."{table}" where {where}')[0][0]

    def columns(self, table: str) -> dict[str, str]:
        rows = self.query("select column_name, data_type from information_schema.columns "
                          f"where table_schema = '{DATASET}' and table_name = '{table}'")
        return {name: kind.lower() for name, kind in rows}


@pytest.fixture
def duckdb_warehouse(tmp_path):
    return Warehouse(str(tmp_path / "warehouse.duckdb"))


@pytest.fixture
def postgres_warehouse():
    """A scratch database on the server of PONTES_TEST_POSTGRES_URL, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to export into")
    import psycopg

    name = f"pontes_movidesk_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(base), autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    try:
        yield Warehouse(urlunsplit(urlsplit(base)._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request):
    return request.getfixturevalue(f"{request.param}_warehouse")


@pytest.fixture(scope="module")
def account():
    """A sandbox with a generated account of 240 tickets (served for this module)."""
    served = Sandbox(seed=dataset(240, seed=21, now=NOW))
    yield served
    served.stop()


@pytest.fixture
def desk(account):
    account.control("POST", "/reset")
    return account


@pytest.fixture
def run(desk, warehouse, pontes_registry, tmp_path):
    """``run(action_html=False, **options)``: export the account with a fresh connection
    (reading each action's HTML when ``action_html``: a call per action, so only where a
    test looks at that column)."""

    def run_export(action_html: bool = False, **options):
        settings = sandbox_settings(pontes_registry, "movidesk", desk.url,
                                    requests_per_minute=desk.requests_per_minute,
                                    export_action_html=action_html)
        connection = connect(pontes_registry, "movidesk", settings, "helpdesk")
        options = {"work_dir": tmp_path / "work", "batch_size": 80, **options}
        return export(connection, warehouse.destination, **options)

    return run_export


def expected_counts(state: dict) -> dict[str, int]:
    """Rows each table should hold for the sandbox's stored account."""
    tickets, persons = state["tickets"], state["persons"]
    values = [v for t in tickets for v in t["customFieldValues"]]
    return {
        "movidesk_tickets": len(tickets),
        "movidesk_tickets__clients": sum(
            1 for t in tickets for c in t["clients"] if not c.get("isDeleted")),
        "movidesk_tickets__owners": sum(1 for t in tickets if t["owner"]),
        "movidesk_tickets__actions": sum(
            1 for t in tickets for a in t["actions"] if not a.get("isDeleted")),
        "movidesk_tickets__satisfactionsurveyresponses": sum(
            len(t["satisfactionSurveyResponses"]) for t in tickets),
        "movidesk_customFieldValues": len(values),
        "movidesk_customFieldValues__items": sum(len(v["items"]) for v in values),
        "movidesk_persons": len(persons),
        "movidesk_persons__relationships": sum(len(p["relationships"]) for p in persons),
        "movidesk_persons__contacts": sum(len(p["contacts"]) for p in persons),
        "movidesk_persons__emails": sum(len(p["emails"]) for p in persons),
        "movidesk_survey_questions": 4,
        "movidesk_survey_questions__languages": 8,
    }


def counts(warehouse: Warehouse, state: dict) -> dict[str, int]:
    return {table: warehouse.count(table) for table in expected_counts(state)}


def ticket_calls(desk) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {"/tickets": [], "/tickets/past": []}
    for request in desk.control("GET", "/requests"):
        path = request["path"].removeprefix("/public/v1")
        if path in found:
            found[path].append(parse_qs(request["query"]))
    return found


def test_every_table_of_seed_002_lands_with_its_types_and_children_keep_parent_keys(
        run, warehouse, desk):
    run(action_html=True)
    names = TYPES[warehouse.kind]
    for table, columns in SEED_002.items():
        found = warehouse.columns(table)
        for column, kind in columns.items():
            assert found.get(column) == names[kind], (table, column, found.get(column))
    state = desk.control("GET", "/state")
    assert counts(warehouse, state) == expected_counts(state)
    assert warehouse.count("movidesk_survey_responses") == \
        expected_counts(state)["movidesk_tickets__satisfactionsurveyresponses"]
    assert warehouse.count("movidesk_tickets__actions", "ticket_id is null") == 0
    mismatched = warehouse.query(
        f'select count(*) from {DATASET}."movidesk_tickets__actions" a '
        f'join {DATASET}."movidesk_tickets" t on a._dlt_parent_id = t._dlt_id '
        "where a.ticket_id <> t.id")
    assert mismatched == [(0,)]
    items = warehouse.query(
        f'select count(*) from {DATASET}."movidesk_customFieldValues__items" i '
        f'join {DATASET}."movidesk_customFieldValues" v on i._dlt_parent_id = v._dlt_id '
        "where i.ticket_id <> v.ticket_id or i.customfieldid <> v.customfieldid")
    assert items == [(0,)] and warehouse.count("movidesk_customFieldValues__items") > 0
    stale = warehouse.query(
        f'select count(*) from {DATASET}."movidesk_customFieldValues" v '
        f'join {DATASET}."movidesk_tickets" t on v.ticket_id = t.id '
        "where v.lastupdate <> t.lastupdate")
    assert stale == [(0,)]
    assert warehouse.count("movidesk_persons__emails", "persons_id is null") == 0
    html = dict(((int(t), int(a)), h) for t, a, h in warehouse.query(
        f'select ticket_id, id, htmldescription from {DATASET}."movidesk_tickets__actions"'))
    assert html == {(t["id"], a["id"]): a["htmlDescription"]
                    for t in state["tickets"] for a in t["actions"]}


def test_an_incremental_export_reads_only_the_tickets_that_changed(run, warehouse, desk):
    run(streams=["tickets"])
    state = desk.control("GET", "/state")
    cursor = max(parse_instant(t["lastUpdate"]) for t in state["tickets"])
    by_change = sorted(state["tickets"], key=lambda t: t["lastUpdate"], reverse=True)
    recent = by_change[0]
    with_values = next(t for t in by_change if t["customFieldValues"])
    desk.call("PATCH", "/tickets", id=recent["id"], json={"actions": [
        *({"id": a["id"]} for a in recent["actions"] if not a.get("isDeleted")),
        {"type": 2, "description": "<p>Atualização pelo teste</p>"}]})
    desk.call("PATCH", "/tickets", id=with_values["id"], json={"customFieldValues": []})
    created = desk.call("POST", "/tickets", json={
        "type": 2, "subject": "Novo pelo teste", "createdBy": {"id": "cli-000001"},
        "clients": [{"id": "cli-000001"}], "actions": [{"type": 2, "description": "Oi"}]}).json()
    before = len(desk.control("GET", "/requests"))

    report = run(streams=["tickets"], action_html=True)

    new_state = desk.control("GET", "/state")
    read_again = [t for t in new_state["tickets"]
                  if parse_instant(t["lastUpdate"]) >= cursor - timedelta(seconds=600)]
    assert {recent["id"], with_values["id"], created["id"]} <= {t["id"] for t in read_again}
    assert report.streams[0].rows == len(read_again) < 20
    made = [r["path"].removeprefix("/public/v1")
            for r in desk.control("GET", "/requests")[before:]]
    actions = sum(1 for t in read_again for a in t["actions"] if not a.get("isDeleted"))
    assert Counter(made) == {"/tickets": 2, "/survey/responses": 1,
                             "/tickets/htmldescription": actions}
    assert report.streams[0].api_calls == len(made)
    expected = expected_counts(new_state)
    for table in SEED_002:
        if table.startswith(("movidesk_tickets", "movidesk_custom")):
            assert warehouse.count(table) == expected[table], table
    assert warehouse.count("movidesk_tickets__actions",
                           f"ticket_id = '{recent['id']}' and description = "
                           "'Atualização pelo teste'") == 1
    assert warehouse.count("movidesk_customFieldValues", f"ticket_id = '{with_values['id']}'") == 0
    assert warehouse.count("movidesk_tickets", f"id = '{created['id']}'") == 1


class StopAfter(Progress):
    """Stops the export (as Ctrl-C would) once ``packages`` packages are committed."""

    def __init__(self, packages: int):
        self.left = packages

    def rows_loaded(self, stream: str, rows: int) -> None:
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt("stopped by the test")


def test_an_export_stopped_halfway_is_completed_by_the_next_one(run, warehouse, desk):
    with pytest.raises(KeyboardInterrupt):
        run(streams=["tickets"], batch_size=60, progress=StopAfter(2))
    assert warehouse.count("movidesk_tickets") == 120

    run(streams=["tickets"], batch_size=60)

    state = desk.control("GET", "/state")
    loaded = warehouse.query(f'select id from {DATASET}."movidesk_tickets"')
    assert sorted(int(i) for (i,) in loaded) == sorted(t["id"] for t in state["tickets"])
    actions = warehouse.query(f'select count(*), count(distinct ticket_id || \'-\' || id) '
                              f'from {DATASET}."movidesk_tickets__actions"')
    assert actions[0][0] == actions[0][1] == expected_counts(state)["movidesk_tickets__actions"]
    resumed = ticket_calls(desk)["/tickets/past"][-1]
    assert resumed["$filter"][0].startswith("lastUpdate ge ")


def test_a_full_refresh_reads_past_and_recent_tickets_again(run, warehouse, desk):
    run(streams=["tickets"])
    run(streams=["tickets"], full_refresh=True)
    calls = ticket_calls(desk)
    unfiltered = [q for q in calls["/tickets/past"] if "$filter" not in q]
    assert len(unfiltered) == 2
    state = desk.control("GET", "/state")
    assert warehouse.count("movidesk_tickets") == len(state["tickets"])
