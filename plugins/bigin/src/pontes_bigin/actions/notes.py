"""Bigin notes as canonical history entries: add one to a contact, account or pipeline
record (``POST /<module>/<id>/Notes``), list a record's notes, and find the one a run
added.

A note pontes adds ends with a line holding its marker (``pontes:<id>``), which
``interaction.find_created`` looks for among the parent's notes and the mapper leaves out
of the canonical text.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Connection, Interaction, InteractionsOf, has_marker, marker_token

from ..client import fetch_all, succeeded
from ..connector import kit
from ..ids import bigin_id
from ..mappers import interaction_from_canonical, interaction_to_canonical, note_parent
from ..modules import ACCOUNTS, CONTACTS, NOTES, PIPELINES
from .records import write


def _parent(connection: Connection, record: Interaction) -> tuple[str, str]:
    parent = note_parent(record, connection.name)
    if parent is None:
        raise ValueError("a note needs a deal, contact or company with a Bigin id")
    return parent


async def notes_of(connection: Connection, module: str, record_id: str) -> list[dict[str, Any]]:
    """Every note of one record, oldest first."""
    path = f"/{module}/{bigin_id(record_id, 'id')}/{NOTES}"
    notes = await fetch_all(connection.client, path)
    return sorted(notes, key=lambda n: str(n.get("Created_Time") or ""))


@kit.action("interaction.create")
async def interaction_create(connection: Connection, params: Interaction) -> Interaction:
    """Add a note to the entry's deal, contact or company (the first with a Bigin id, in
    that order), so it shows on that record's timeline."""
    module, parent = _parent(connection, params)
    note = interaction_from_canonical(params, connection.name)
    body = {"Note_Content": f"{note['Note_Content']}\n{marker_token(params)}".lstrip("\n")}
    if note.get("Note_Title"):
        body["Note_Title"] = note["Note_Title"]
    path = f"/{module}/{parent}/{NOTES}"
    [entry] = await write(connection, "POST", path, [body])
    details = succeeded(entry, path)
    return interaction_to_canonical({**body, **details, "Parent_Id": {"id": parent},
                                     "$se_module": module}, connection.name)


@kit.action("interaction.list")
async def interaction_list(connection: Connection, params: InteractionsOf) -> list[Interaction]:
    """The notes of one deal, contact or company, oldest first."""
    owners = [(module, value) for module, value in (
        (PIPELINES, params.deal_id), (CONTACTS, params.contact_id),
        (ACCOUNTS, params.company_id)) if value]
    if len(owners) != 1:
        raise ValueError("give exactly one of deal_id, contact_id and company_id")
    module, record_id = owners[0]
    return [interaction_to_canonical(note, connection.name)
            for note in await notes_of(connection, module, record_id)]


@kit.action("interaction.find_created")
async def interaction_find_created(connection: Connection,
                                   params: Interaction) -> Interaction | None:
    """The note added from this draft: the parent's note whose last line is the draft's
    marker, or ``None``."""
    module, parent = _parent(connection, params)
    for note in await notes_of(connection, module, parent):
        if has_marker(note.get("Note_Content"), params):
            return interaction_to_canonical(note, connection.name)
    return None
