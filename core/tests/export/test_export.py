"""Exports of the pagedesk sandbox into DuckDB and PostgreSQL: tables, types, child tables,
incremental runs, the lag window, full refresh, and what an interruption leaves behind."""

import shutil
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import dlt
import pagedesk
import pytest
from checks import counts, expected_counts, loaded_without_gaps, ticket_ids
from pontes.errors import VendorValidationError
from pontes.export import ExportError, export, parse_destination
from pontes.export.plan import DELETED_COLUMN

TYPES = {
    "duckdb": {"text": "varchar", "timestamp": "timestamp with time zone", "float": "double",
               "boolean": "boolean", "integer": "bigint", "date": "date", "json": "json"},
    "postgres": {"text": "character varying", "timestamp": "timestamp with time zone",
                 "float": "double precision", "boolean": "boolean", "integer": "bigint",
                 "date": "date", "json": "jsonb"},
}


@pytest.fixture
def run(connection, warehouse, tmp_path):
    """``run(**options)``: export the sandbox to the warehouse (25 records per package)."""

    def run_export(page_size=20, **options):
        options = {"dataset": warehouse.dataset, "work_dir": tmp_path / "work",
                   "batch_size": 25, **options}
        return export(connection(page_size), warehouse.destination, **options)

    return run_export


# --- tables, columns, types -----------------------------------------------------------------


def test_every_declared_table_and_column_exists_with_its_type(run, warehouse):
    run()
    kinds = TYPES[warehouse.destination.kind]
    for stream in (pagedesk.TICKETS, pagedesk.PEOPLE):
        columns = warehouse.columns(stream.table)
        for name, spec in stream.columns.items():
            declared = spec if isinstance(spec, str) else spec.type
            assert columns.get(name) == kinds[declared], (stream.table, name, columns)
    assert warehouse.columns("desk_tickets")["resolved_at"] == kinds["timestamp"]
    notes = warehouse.columns("desk_tickets__notes")
    assert notes["ticket_id"] == kinds["text"] and notes["created"] == kinds["timestamp"]
    assert {"_dlt_parent_id", "_dlt_root_id", "_dlt_list_idx"} <= set(notes)
    attachments = warehouse.columns("desk_tickets__notes__attachments")
    assert {"ticket_id", "note_id", "name", "size", "_dlt_parent_id"} <= set(attachments)
    fields = warehouse.columns("desk_fields")
    assert {"ticket_id", "field_id", "value", "updated"} <= set(fields)
    assert "_dlt_parent_id" not in fields
    items = warehouse.columns("desk_fields__items")
    assert {"ticket_id", "field_id", "item", "_dlt_parent_id"} <= set(items)
    assert set(warehouse.columns("log")) >= {"seq", "text"}
    assert "seq" in warehouse.columns("log") and "value" in warehouse.columns("log__tags")


def test_rows_match_the_sandbox_and_children_point_at_their_parents(run, warehouse, desk):
    report = run()
    assert counts(warehouse) == expected_counts(desk.state)
    assert ticket_ids(warehouse) == list(range(1, 61))
    assert warehouse.count("desk_people") == 7 and warehouse.count("log") == 45
    mismatched = warehouse.query(
        f"select count(*) from {warehouse.table('desk_tickets__notes')} n "
        f"join {warehouse.table('desk_tickets')} t on n._dlt_parent_id = t._dlt_id "
        "where n.ticket_id <> t.id")
    orphans = warehouse.query(
        f"select count(*) from {warehouse.table('desk_tickets__notes__attachments')} a "
        f"left join {warehouse.table('desk_tickets__notes')} n on a._dlt_parent_id = n._dlt_id "
        "where n._dlt_id is null or a.note_id <> n.note_id or a.ticket_id <> n.ticket_id")
    assert mismatched == [(0,)] and orphans == [(0,)]
    assert warehouse.query(f"select count(*) from {warehouse.table('desk_fields')} "
                           f"where {DELETED_COLUMN}") == [(0,)]
    tickets = next(s for s in report.streams if s.name == "tickets")
    assert tickets.rows == 60 and tickets.packages == 3 and tickets.api_calls == 3
    assert tickets.cursor == desk.state.latest()
    assert warehouse.cursor_state("tickets") == desk.state.latest().isoformat()
    sample = warehouse.query(f"select subject, score, open, tags, priority, closed_on "
                             f"from {warehouse.table('desk_tickets')} where id = '12'")
    assert sample == [("ticket 12 v0", 3.0, True, "[]", 0, datetime(2024, 2, 4).date())]


# --- incremental runs -----------------------------------------------------------------------


def test_an_incremental_run_reads_only_changes_and_replaces_their_children(run, warehouse, desk):
    run()
    cursor = desk.state.latest()
    desk.state.touch([5, 17], cursor + timedelta(minutes=10))
    assert desk.state.tickets[5]["fields"] == []

    report = run()

    since = parse_qs(desk.calls("/tickets")[-1]["query"])["since"]
    assert since == [(cursor - timedelta(seconds=60)).isoformat()]
    in_lag_window = [n for n, t in desk.state.tickets.items()
                     if n not in (5, 17) and t["updatedAt"] >= pagedesk.iso(cursor - timedelta(seconds=60))]
    tickets = next(s for s in report.streams if s.name == "tickets")
    assert tickets.rows == 2 + len(in_lag_window)
    assert counts(warehouse) == expected_counts(desk.state)
    assert ticket_ids(warehouse) == list(range(1, 61))
    subjects = warehouse.query(f"select id, subject from {warehouse.table('desk_tickets')} "
                               "where id in ('5', '17') order by id")
    assert subjects == [("17", "ticket 17 v1"), ("5", "ticket 5 v1")]
    assert warehouse.query(f"select count(*) from {warehouse.table('desk_fields')} "
                           "where ticket_id = '5'") == [(0,)]
    notes = warehouse.query(f"select body from {warehouse.table('desk_tickets__notes')} "
                            "where ticket_id = '5' order by body")
    assert notes == [("note 0 v1",), ("note 1 v1",)]
    assert warehouse.cursor_state("tickets") == (cursor + timedelta(minutes=10)).isoformat()


def test_the_lag_window_catches_changes_that_show_up_late(run, warehouse, desk):
    run()
    cursor = desk.state.latest()
    desk.state.touch([3], cursor - timedelta(seconds=30))
    desk.state.touch([4], cursor - timedelta(minutes=5))

    run()

    subjects = dict(warehouse.query(f"select id, subject from {warehouse.table('desk_tickets')} "
                                    "where id in ('3', '4')"))
    assert subjects == {"3": "ticket 3 v1", "4": "ticket 4 v0"}
    assert warehouse.cursor_state("tickets") == cursor.isoformat()


def test_a_run_with_nothing_new_changes_nothing(run, warehouse, desk):
    run()
    before = counts(warehouse)
    report = run(streams=["tickets"])
    assert counts(warehouse) == before
    assert report.streams[0].packages == 1
    assert warehouse.cursor_state("tickets") == desk.state.latest().isoformat()


def test_full_refresh_drops_what_the_vendor_no_longer_has(run, warehouse, desk):
    run()
    desk.state.delete([1, 2])
    run()
    assert warehouse.count("desk_tickets") == 60

    report = run(full_refresh=True)

    assert ticket_ids(warehouse) == list(range(3, 61))
    assert counts(warehouse) == expected_counts(desk.state)
    assert all(stream.full_refresh for stream in report.streams)
    assert warehouse.query(f"select count(*) from {warehouse.table('desk_fields')} "
                           "where ticket_id in ('1', '2')") == [(0,)]


def test_a_stream_without_cursor_is_replaced_on_every_run(run, warehouse, desk):
    run(streams=["people"])
    desk.state.people.pop()
    report = run(streams=["people"])
    assert warehouse.count("desk_people") == 6
    assert report.streams[0].full_refresh


def test_streams_option_exports_only_the_chosen_streams(run, warehouse):
    report = run(streams=["log"])
    assert [s.name for s in report.streams] == ["log"]
    assert {t for t in warehouse.tables() if not t.startswith("_dlt")} == {"log", "log__tags"}
    with pytest.raises(ExportError, match="no stream 'nope' in 'desk'; its streams are: "
                                          "tickets, people, log"):
        run(streams=["log", "nope"])


def test_an_integer_cursor_goes_on_from_the_last_value(run, warehouse, desk):
    run(streams=["log"])
    desk.state.log.append({"seq": 46, "text": "late entry", "tags": []})
    report = run(streams=["log"])
    assert report.streams[0].rows == 1 and warehouse.count("log") == 46
    assert warehouse.cursor_state("log") == 46


# --- interruptions --------------------------------------------------------------------------


def test_a_failed_read_keeps_the_loaded_packages_and_an_honest_cursor(run, warehouse, desk):
    desk.state.fail_after_pages = 3
    with pytest.raises(VendorValidationError, match="tickets are unavailable"):
        run(page_size=10, batch_size=20, streams=["tickets"])

    loaded = loaded_without_gaps(warehouse, desk.state)
    assert loaded == list(range(1, 21))
    assert datetime.fromisoformat(warehouse.cursor_state("tickets")) == \
        datetime.fromisoformat(desk.state.tickets[20]["updatedAt"]).replace(tzinfo=UTC)

    desk.state.fail_after_pages = None
    run(page_size=10, batch_size=20, streams=["tickets"])
    assert ticket_ids(warehouse) == list(range(1, 61))
    assert counts(warehouse) == expected_counts(desk.state)


def test_a_package_extracted_but_not_loaded_is_loaded_by_the_next_run(
        run, warehouse, desk, monkeypatch):
    real_load = dlt.Pipeline.load
    calls = []

    def load_then_crash(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed while loading")
        return real_load(self, *args, **kwargs)

    monkeypatch.setattr(dlt.Pipeline, "load", load_then_crash)
    with pytest.raises(KeyboardInterrupt):
        run(streams=["tickets"])
    monkeypatch.setattr(dlt.Pipeline, "load", real_load)
    assert warehouse.count("desk_tickets") == 25
    assert datetime.fromisoformat(warehouse.cursor_state("tickets")) == \
        datetime.fromisoformat(desk.state.tickets[25]["updatedAt"]).replace(tzinfo=UTC)

    desk.state.touch([2], desk.state.latest() + timedelta(hours=1))
    run(streams=["tickets"])

    assert ticket_ids(warehouse) == list(range(1, 61))
    assert counts(warehouse) == expected_counts(desk.state)
    assert warehouse.cursor_state("tickets") == desk.state.latest().isoformat()


def test_the_cursor_comes_back_from_the_destination_when_working_files_are_lost(
        run, warehouse, desk, tmp_path):
    run(streams=["tickets"])
    shutil.rmtree(tmp_path / "work")
    desk.state.touch([9], desk.state.latest() + timedelta(minutes=1))

    report = run(streams=["tickets"])

    assert report.streams[0].rows < 10
    assert counts(warehouse) == expected_counts(desk.state)


# --- mistakes -------------------------------------------------------------------------------


def test_a_duckdb_dataset_named_like_its_file_is_refused(connection, tmp_path):
    destination = parse_destination(str(tmp_path / "desk.duckdb"))
    with pytest.raises(ExportError, match="cannot tell the dataset 'desk' from the database "
                                          "file 'desk.duckdb'"):
        export(connection(), destination, dataset="desk", work_dir=tmp_path / "work")


def test_tables_of_streams_without_rows_exist_with_their_columns(run, warehouse, desk):
    desk.state.tickets.clear()
    desk.state.people.clear()
    report = run(streams=["tickets", "people"])
    assert [stream.rows for stream in report.streams] == [0, 0]
    kinds = TYPES[warehouse.destination.kind]
    for stream in (pagedesk.TICKETS, pagedesk.PEOPLE):
        columns = warehouse.columns(stream.table)
        for name, spec in stream.columns.items():
            declared = spec if isinstance(spec, str) else spec.type
            assert columns.get(name) == kinds[declared], (stream.table, name, columns)
    for table in ("desk_tickets__notes", "desk_tickets__notes__attachments",
                  "desk_tickets__owners", "desk_fields", "desk_fields__items"):
        assert warehouse.columns(table), table
        assert warehouse.count(table) == 0, table
    assert warehouse.columns("desk_tickets__notes")["created"] == kinds["timestamp"]
    assert {"_dlt_parent_id", "_dlt_id"} <= set(warehouse.columns("desk_tickets__notes"))
    assert warehouse.count("desk_tickets") == warehouse.count("desk_people") == 0

    desk.state.tickets.update(pagedesk.DeskState.generate(30).tickets)
    run(streams=["tickets"])
    assert counts(warehouse) == expected_counts(desk.state)


def test_no_staging_schema_is_left_behind(run, warehouse):
    run()
    schemas = {name for (name,) in warehouse.query(
        "select schema_name from information_schema.schemata")}
    assert warehouse.dataset in schemas
    assert not [name for name in schemas if name.endswith("_staging")]


def test_an_unreachable_database_is_reported_without_its_password(connection, tmp_path):
    from pontes.testing import free_port

    destination = parse_destination(
        f"postgresql://etl:pw-never-shown@127.0.0.1:{free_port()}/warehouse")
    with pytest.raises(ExportError) as error:
        export(connection(), destination, work_dir=tmp_path / "work")
    assert "pw-never-shown" not in str(error.value)
    assert "etl:***@127.0.0.1" in str(error.value)
