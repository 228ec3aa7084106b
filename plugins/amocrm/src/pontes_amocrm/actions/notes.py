"""amoCRM notes as canonical history entries: add one to a lead, contact or company, and
list a record's notes (``/api/v4/<entity>/<id>/notes``).

A note pontes adds ends with a line holding its marker (``pontes:<id>``), which
``interaction.find_created`` looks for among the owner's notes and the mapper leaves out
of the canonical text.
"""

from __future__ import annotations

from pontes.plugin import (
    Connection,
    Interaction,
    InteractionsOf,
    has_marker,
    marker_token,
)

from ..client import API_PREFIX, created_ids, fetch_all
from ..connector import kit
from ..ids import amocrm_id
from ..mappers import interaction_from_canonical, interaction_to_canonical


def _owner(connection: Connection, record: Interaction) -> tuple[str, int]:
    note = interaction_from_canonical(record, connection.name)
    if "entity_id" not in note:
        raise ValueError("a note needs a deal, contact or company with an amoCRM id")
    return note["entity_type"], note["entity_id"]


@kit.action("interaction.create")
async def interaction_create(connection: Connection, params: Interaction) -> Interaction:
    """Add a ``common`` note to the entry's deal, contact or company (the first with an
    amoCRM id, in that order)."""
    entity, owner_id = _owner(connection, params)
    note = interaction_from_canonical(params, connection.name)
    text = f"{note['params']['text']}\n{marker_token(params)}".lstrip("\n")
    body = {"note_type": note["note_type"], "params": {"text": text}, "request_id": "0"}
    path = f"{API_PREFIX}/{entity}/{owner_id}/notes"
    [note_id] = created_ids(await connection.client.post_json(path, json=[body]), "notes", path)
    return interaction_to_canonical({**note, **body, "id": note_id}, connection.name)


@kit.action("interaction.list")
async def interaction_list(connection: Connection, params: InteractionsOf) -> list[Interaction]:
    """The notes of one deal, contact or company, oldest first."""
    owners = [(entity, value) for entity, value in (
        ("leads", params.deal_id), ("contacts", params.contact_id),
        ("companies", params.company_id)) if value]
    if len(owners) != 1:
        raise ValueError("give exactly one of deal_id, contact_id and company_id")
    entity, owner_id = owners[0]
    notes = await fetch_all(connection.client, f"{API_PREFIX}/{entity}/{amocrm_id(owner_id, 'id')}/notes",
                            "notes", allowed_hosts=connection.settings.allowed_hosts)
    return [interaction_to_canonical(note, connection.name) for note in notes]


@kit.action("interaction.find_created")
async def interaction_find_created(connection: Connection,
                                   params: Interaction) -> Interaction | None:
    """The note added from this draft: the owner's note whose last line is the draft's
    marker, or ``None``."""
    entity, owner_id = _owner(connection, params)
    notes = await fetch_all(connection.client, f"{API_PREFIX}/{entity}/{owner_id}/notes",
                            "notes", allowed_hosts=connection.settings.allowed_hosts)
    for note in notes:
        if has_marker((note.get("params") or {}).get("text"), params):
            return interaction_to_canonical(note, connection.name)
    return None
