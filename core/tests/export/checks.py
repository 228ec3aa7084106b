"""What the export tests check in a warehouse: row counts against the sandbox's data,
ticket ids, and that loaded rows leave no gap below the committed cursor."""

from datetime import datetime

import pagedesk


def expected_counts(state):
    """Rows each ticket table should hold for the sandbox data ``state``."""
    tickets = list(state.tickets.values())
    notes = [n for t in tickets for n in t["notes"]]
    fields = [f for t in tickets for f in t["fields"]]
    return {
        "desk_tickets": len(tickets),
        "desk_tickets__notes": len(notes),
        "desk_tickets__notes__attachments": sum(len(n["attachments"]) for n in notes),
        "desk_tickets__owners": sum(1 for t in tickets if t["owner"]),
        "desk_fields": len(fields),
        "desk_fields__items": sum(len(f["items"]) for f in fields),
    }


def counts(warehouse):
    """Rows each ticket table holds in ``warehouse``."""
    return {table: warehouse.count(table) for table in expected_counts(pagedesk.DeskState())}


def ticket_ids(warehouse):
    """The loaded ticket ids, sorted (duplicates kept)."""
    rows = warehouse.query(f"select id from {warehouse.table('desk_tickets')}")
    return sorted(int(i) for (i,) in rows)


def loaded_without_gaps(warehouse, state):
    """Every ticket below the committed cursor is loaded, none twice; the loaded ids."""
    cursor = datetime.fromisoformat(warehouse.cursor_state("tickets"))
    ordered = sorted(state.tickets.values(), key=lambda t: (t["updatedAt"], t["id"]))
    below = [t["id"] for t in ordered if t["updatedAt"] < pagedesk.iso(cursor)]
    loaded = ticket_ids(warehouse)
    assert set(below) <= set(loaded)
    assert len(loaded) == len(set(loaded))
    return loaded
