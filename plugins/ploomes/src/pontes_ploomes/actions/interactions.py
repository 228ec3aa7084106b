"""Interaction records: notes in a client's history (and a deal's).

Every record pontes creates ends with its marker (``pontes:<id>``, see ``pontes.plugin.
marker_token``) in an HTML comment at the end of its ``Content``, out of sight in Ploomes
and out of the canonical text; ``interaction.find_created`` finds a record by it when an
interrupted run does not know whether it created one.
"""

from __future__ import annotations

from typing import Any, cast

from pontes.plugin import Connection, Interaction, PermanentFailure, has_marker, marker_token

from ..client import Query, all_of, contains, create, eq, fetch_by_id, fetch_first
from ..connector import PloomesSettings, kit
from ..mappers import interaction_from_canonical, interaction_to_canonical
from .deals import deal_row
from .readback import read_back

INTERACTION_EXPAND = ("Contact", "OtherProperties")


async def _payload(connection: Connection, params: Interaction) -> dict[str, Any]:
    """The ``InteractionRecords`` body of ``params``, its client resolved through the deal
    when only the deal is known."""
    payload = interaction_from_canonical(params, connection.name)
    if "ContactId" not in payload and "DealId" in payload:
        payload["ContactId"] = (await deal_row(connection, payload["DealId"]))["ContactId"]
    if not payload.get("ContactId"):
        raise PermanentFailure(
            "interaction.contact, interaction.company or interaction.deal needs a Ploomes id")
    return payload


@kit.action("interaction.create")
async def interaction_create(connection: Connection, params: Interaction) -> Interaction:
    """Add an interaction record to the client's history (and the deal's, when given).

    The client is the contact, else the company, else the deal's client. The content
    ends with the record's marker, in an HTML comment. The new record is read back; when
    that read fails, the record is built from what the create answered, so the caller
    still learns its id and a retry does not create it again.
    """
    payload = await _payload(connection, params)
    if not payload.get("Content"):
        raise PermanentFailure("interaction.content_text or content_html is required")
    payload["Content"] += f"<!-- {marker_token(params)} -->"
    payload["TypeId"] = cast(PloomesSettings, connection.settings).interaction_type_id
    created = await create(connection.client, "/InteractionRecords", payload)
    row = await read_back(
        lambda: fetch_by_id(connection.client, "InteractionRecords", created["Id"],
                            expand=INTERACTION_EXPAND, what="interaction record"),
        lambda: {**payload, **created})
    return interaction_to_canonical(row, connection.name)


@kit.action("interaction.find_created")
async def interaction_find_created(connection: Connection,
                                   params: Interaction) -> Interaction | None:
    """The interaction record created from this draft: the client's record whose content
    carries the draft's marker, or ``None``."""
    payload = await _payload(connection, params)
    row = await fetch_first(connection.client, "/InteractionRecords", Query(
        filter=all_of(eq("ContactId", payload["ContactId"]),
                      contains("Content", marker_token(params))),
        expand=INTERACTION_EXPAND))
    if row is None or not has_marker(row.get("Content"), params):
        return None
    return interaction_to_canonical(row, connection.name)
