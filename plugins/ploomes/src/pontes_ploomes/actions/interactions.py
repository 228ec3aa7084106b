"""Interaction records: notes in a client's history (and a deal's)."""

from __future__ import annotations

from typing import cast

from pontes.plugin import Connection, Interaction, PermanentFailure

from ..client import create, fetch_by_id
from ..connector import PloomesSettings, kit
from ..mappers import interaction_from_canonical, interaction_to_canonical
from .deals import deal_row

INTERACTION_EXPAND = ("Contact", "OtherProperties")


@kit.action("interaction.create")
async def interaction_create(connection: Connection, params: Interaction) -> Interaction:
    """Add an interaction record to the client's history (and the deal's, when given).

    The client is the contact, else the company, else the deal's client.
    """
    payload = interaction_from_canonical(params, connection.name)
    if "ContactId" not in payload and "DealId" in payload:
        payload["ContactId"] = (await deal_row(connection, payload["DealId"]))["ContactId"]
    if not payload.get("ContactId"):
        raise PermanentFailure(
            "interaction.contact, interaction.company or interaction.deal needs a Ploomes id")
    if not payload.get("Content"):
        raise PermanentFailure("interaction.content_text or content_html is required")
    payload["TypeId"] = cast(PloomesSettings, connection.settings).interaction_type_id
    created = await create(connection.client, "/InteractionRecords", payload)
    row = await fetch_by_id(connection.client, "InteractionRecords", created["Id"],
                            expand=INTERACTION_EXPAND, what="interaction record")
    return interaction_to_canonical(row, connection.name)
