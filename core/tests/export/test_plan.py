"""Streams compiled for export: value conversion, record shaping, declaration checks."""

from datetime import UTC, date, datetime, timedelta

import pagedesk
import pytest
from pontes.connector import ChildTable, Column, Stream
from pontes.export import ExportError, compile_stream
from pontes.export.plan import DELETED_COLUMN
from pontes.export.values import to_boolean, to_float, to_integer, to_text, to_timestamp


async def nothing(connection, cursor):
    return
    yield


def stream(**overrides):
    spec = {"connector": "pagedesk", "name": "things", "primary_key": ("id",), "read": nothing,
            "columns": {"id": "text", "updated": "timestamp"}, "cursor_field": "updated"}
    return Stream(**{**spec, **overrides})


# --- values ---------------------------------------------------------------------------------


def test_text_keeps_vendor_values_readable():
    assert to_text(12) == "12"
    assert to_text(12.0) == "12"
    assert to_text(1.5) == "1.5"
    assert to_text(True) == "true"
    assert to_text(["a", "b"]) == '["a","b"]'
    assert to_text({"é": 1}) == '{"é":1}'
    assert to_text(None) is None


def test_timestamps_read_seven_fraction_digits_and_become_aware_utc():
    assert to_timestamp("2019-10-30T13:35:38.0174433") == \
        datetime(2019, 10, 30, 13, 35, 38, 17443, tzinfo=UTC)
    assert to_timestamp("2016-09-01T00:00:00.00z") == datetime(2016, 9, 1, tzinfo=UTC)
    assert to_timestamp("2024-01-01T10:00:00-03:00") == datetime(2024, 1, 1, 13, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO 8601"):
        to_timestamp("yesterday")


def test_numbers_and_booleans_refuse_what_they_cannot_read():
    assert to_integer("42") == 42 and to_integer(3.0) == 3
    assert to_float("2.5") == 2.5 and to_float(2) == 2.0
    assert to_boolean("FALSE") is False and to_boolean(1) is True
    for convert, bad in ((to_integer, 2.5), (to_integer, True), (to_float, "1.530,75"),
                         (to_boolean, "maybe")):
        with pytest.raises(ValueError):
            convert(bad)


# --- shaping --------------------------------------------------------------------------------


def test_a_record_becomes_typed_rows_with_parent_keys_in_every_child():
    plan = compile_stream(pagedesk.TICKETS)
    ticket = pagedesk.make_ticket(6, datetime(2024, 5, 1, 9, tzinfo=UTC), version=1)
    shaped = plan.shape(ticket)

    row = shaped.row
    assert row["id"] == "6" and shaped.key == ("6",)
    assert row["updated"] == shaped.cursor == datetime(2024, 5, 1, 9, tzinfo=UTC)
    assert row["tags"] == "[]" and row["priority"] == 2 and row["open"] is True
    assert row["closed_on"] == date(2024, 2, 7)
    assert row["extra"] == {"version": 1, "labels": ["a", "b"]}
    assert "meta" not in row and "updatedAt" not in row
    assert [n["note_id"] for n in row["notes"]] == ["60", "61", "62"]
    assert all(n["ticket_id"] == "6" for n in row["notes"])
    attachments = [a for n in row["notes"] for a in n["attachments"]]
    assert [(a["note_id"], a["name"]) for a in attachments] == \
        [("61", "file0.txt"), ("62", "file0.txt"), ("62", "file1.txt")]
    assert all(a["ticket_id"] == "6" for a in attachments)
    assert row["owners"] == [{"owner_id": "agent-0", "name": "Ana", "ticket_id": "6"}]
    assert "fields" not in row
    fields = [r for t, r in shaped.detached if t.table == "desk_fields"]
    assert [(f["ticket_id"], f["field_id"], f["value"]) for f in fields] == [("6", "500", "0,6")]
    assert fields[0]["items"] == []
    assert shaped.counts == {"desk_tickets__notes": 3, "desk_tickets__notes__attachments": 3,
                             "desk_tickets__owners": 1, "desk_fields": 1, "desk_fields__items": 0}


def test_grandchildren_repeat_the_keys_of_both_ancestors():
    plan = compile_stream(pagedesk.TICKETS)
    shaped = plan.shape(pagedesk.make_ticket(7, datetime(2024, 5, 1, tzinfo=UTC), version=1))
    fields = [r for t, r in shaped.detached if t.table == "desk_fields"]
    items = [(f["field_id"], i["ticket_id"], i["field_id"], i["item"])
             for f in fields for i in f["items"]]
    assert items == [("500", "7", "500", "option 0-0"), ("501", "7", "501", "option 1-0"),
                     ("501", "7", "501", "option 1-1")]


def test_a_missing_single_object_gives_no_child_row():
    plan = compile_stream(pagedesk.TICKETS)
    shaped = plan.shape(pagedesk.make_ticket(10, datetime(2024, 5, 1, tzinfo=UTC)))
    assert shaped.row["owners"] == []


def test_a_value_that_does_not_fit_names_the_table_and_column():
    plan = compile_stream(pagedesk.TICKETS)
    ticket = pagedesk.make_ticket(3, datetime(2024, 5, 1, tzinfo=UTC))
    ticket["notes"] = [{"id": 1, "body": "x", "createdAt": "not a date", "attachments": []}]
    with pytest.raises(ExportError, match="table 'desk_tickets__notes': column 'created'"):
        plan.shape(ticket)


def test_a_record_without_its_primary_key_is_refused():
    plan = compile_stream(pagedesk.TICKETS)
    with pytest.raises(ExportError, match="no value for its primary key id"):
        plan.shape({"subject": "no id"})


def test_undeclared_columns_pass_records_through():
    plan = compile_stream(pagedesk.LOG)
    shaped = plan.shape({"seq": 3, "text": "x", "tags": ["a", "b"], "extra": {"k": 1}})
    assert shaped.row == {"seq": 3, "text": "x", "tags": [{"value": "a"}, {"value": "b"}],
                          "extra": {"k": 1}}
    assert shaped.cursor == 3


def test_the_lag_moves_the_read_start_back():
    plan = compile_stream(pagedesk.TICKETS)
    stored = datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert plan.read_start(stored) == stored - timedelta(seconds=60)
    assert plan.read_start(None) is None
    assert plan.decode_cursor(plan.encode_cursor(stored)) == stored
    dated = compile_stream(stream(columns={"id": "text", "updated": "date"}, lag=2))
    assert dated.read_start(date(2024, 1, 5)) == date(2024, 1, 3)


# --- declaration checks ---------------------------------------------------------------------


@pytest.mark.parametrize(("overrides", "message"), [
    ({"primary_key": ("nope",)}, "primary_key column 'nope'"),
    ({"cursor_field": "nope"}, "cursor_field 'nope'"),
    ({"columns": {"id": "txt", "updated": "timestamp"}}, "column 'id': unknown column type 'txt'"),
    ({"lag": -1}, "lag must be a number >= 0"),
    ({"lag": 5, "columns": {"id": "text", "updated": "text"}}, "lag needs a cursor_field"),
    ({"columns": {"id": "text", "updated": "timestamp", "_dlt_id": "text"}},
     "'_dlt_id': names starting with _dlt_"),
    ({"children": ("notes", "notes")}, "two children are named 'notes'"),
    ({"children": (ChildTable("x", parent_key={"thing_id": "missing"}),)},
     "parent_key 'thing_id' copies 'missing'"),
    ({"children": (ChildTable("x", table="own", parent_key={"n": "updated"}),)},
     "must repeat the stream's whole primary key"),
    ({"children": (ChildTable("x", children=(ChildTable("y", table="deep"),)),)},
     "only the children of a stream's own table"),
    ({"table": "t", "children": (ChildTable("x", table="t", parent_key={"t_id": "id"}),)},
     "two tables would be named 't'"),
])
def test_declaration_mistakes_name_the_stream_and_field(overrides, message):
    with pytest.raises(ExportError) as error:
        compile_stream(stream(**overrides))
    assert "stream pagedesk:things" in str(error.value)
    assert message in str(error.value)


def test_a_detached_child_merges_on_the_repeated_primary_key():
    plan = compile_stream(stream(children=(
        ChildTable("values", table="thing_values", parent_key={"thing": "id"},
                   columns={"value": Column("float", source="v")}),)))
    detached = plan.root.detached[0]
    assert detached.merge_key == ("thing",)
    assert detached.column_types() == {"value": "float", "thing": "text"}
    assert DELETED_COLUMN not in detached.column_types()
