"""``pontes export`` of a Zoho Desk portal (the sandbox) into DuckDB: every table filled,
and a second run exports only the tickets changed since the first."""

from __future__ import annotations

from urllib.parse import parse_qsl

import duckdb
import pytest
from pontes.export import export, parse_destination
from pontes.testing import connect, sandbox_settings

DATASET = "desk"


@pytest.fixture
def run(desk, registry, tmp_path):
    """Export the ``desk`` sandbox with a fresh connection; answers the DuckDB file and
    the rows each stream exported."""
    target = tmp_path / "warehouse.duckdb"

    def run_export():
        connection = connect(registry, "zohodesk", sandbox_settings(
            registry, "zohodesk", desk.url), "desk")
        report = export(connection, parse_destination(str(target)),
                        work_dir=tmp_path / "work", dataset=DATASET)
        return target, {stream.name: stream.rows for stream in report.streams}

    return run_export


def query(target, sql: str) -> list[tuple]:
    with duckdb.connect(str(target)) as con:
        return con.execute(sql).fetchall()


def test_every_table_then_only_changed_tickets(desk, run):
    contact = desk.contact()
    desk.api("POST", "/accounts", {"accountName": "Acme"})
    tickets = [desk.ticket(contact["id"], subject=f"T{n}") for n in range(3)]
    desk.control(f"/tickets/{tickets[0]['id']}/rating", {"rating": "OKAY"})

    target, first = run()
    assert first == {"tickets": 3, "contacts": 1, "accounts": 1, "happiness": 1}
    for table, rows in (("zohodesk_tickets", 3), ("zohodesk_contacts", 1),
                        ("zohodesk_accounts", 1), ("zohodesk_happiness", 1)):
        assert query(target, f"select count(*) from {DATASET}.{table}") == [(rows,)], table
    [(ticket_id,)] = query(target, f"select id from {DATASET}.zohodesk_tickets "
                                   f"where subject = 'T0'")
    assert ticket_id == tickets[0]["id"]

    desk.control("/clock", {"advance": 60})
    desk.api("PATCH", f"/tickets/{tickets[1]['id']}", {"subject": "T1 again"})
    before = len(desk.http.get("/_sandbox/requests").json())
    _, second = run()
    assert second["tickets"] == 2, "the changed ticket, and the last one at the cursor again"
    assert query(target, f"select subject from {DATASET}.zohodesk_tickets order by subject") \
        == [("T0",), ("T1 again",), ("T2",)]
    reads = [dict(parse_qsl(r["query"])) for r in desk.http.get("/_sandbox/requests").json()
             [before:] if r["path"] == "/api/v1/tickets"]
    assert reads and all(r["sortBy"] == "modifiedTime" for r in reads)
