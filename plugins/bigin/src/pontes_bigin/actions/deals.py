"""Bigin pipeline records as canonical deals: create, get, update, finish, and a client's
deals.

A record sits in a ``Sub_Pipeline`` at a ``Stage``, both by name, and Bigin needs both
(with ``Deal_Name``) to create it; a deal without them goes to the first pipeline and its
first stage. Finishing moves it to ``Closed Won`` or ``Closed Lost``.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import ById, Connection, Deal, DealsOf, DealStatus, FinishDeal, UpdateDeal

from ..connector import kit
from ..ids import bigin_id
from ..mappers import deal_from_canonical, deal_to_canonical
from ..modules import PIPELINES
from .kinds import Kind
from .metadata import pipelines_of
from .records import search

PIPELINE_RECORDS = Kind(PIPELINES, deal_to_canonical, deal_from_canonical,
                        required="Deal_Name", missing="a Bigin deal needs a title (Deal_Name)")
"""Pipeline records as canonical deals."""


async def _with_place(connection: Connection, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with the first pipeline and its first stage where it names none."""
    if payload.get("Sub_Pipeline") and payload.get("Stage"):
        return payload
    pipelines = await pipelines_of(connection)
    if not pipelines:
        raise ValueError("Bigin lists no pipeline to put the deal in")
    pipeline = next((p for p in pipelines if p.name == payload.get("Sub_Pipeline")),
                    pipelines[0])
    first_stage = pipeline.stages[0].name if pipeline.stages else None
    return {**payload, "Sub_Pipeline": pipeline.name,
            "Stage": payload.get("Stage") or first_stage}


@kit.action("deal.create")
async def deal_create(connection: Connection, params: Deal) -> Deal:
    """Create a pipeline record, linked to its contact and account when they have Bigin
    ids, with its marker in ``Description``."""
    payload = PIPELINE_RECORDS.new_payload(params, connection.name)
    return await PIPELINE_RECORDS.insert(connection, await _with_place(connection, payload),
                                         params)


@kit.action("deal.find_created")
async def deal_find_created(connection: Connection, params: Deal) -> Deal | None:
    """The pipeline record created from this draft, by the marker in its
    ``Description``."""
    return await PIPELINE_RECORDS.find_created(connection, params)


@kit.action("deal.get")
async def deal_get(connection: Connection, params: ById) -> Deal:
    """One pipeline record."""
    return await PIPELINE_RECORDS.get(connection, params.id)


@kit.action("deal.update")
async def deal_update(connection: Connection, params: UpdateDeal) -> Deal:
    """Write the fields set in ``changes``; Bigin keeps the others."""
    return await PIPELINE_RECORDS.update(connection, params.id, params.changes)


@kit.action("deal.finish")
async def deal_finish(connection: Connection, params: FinishDeal) -> Deal:
    """Move a record to ``Closed Won`` or ``Closed Lost``, with the other ``changes``."""
    changes = (params.changes or Deal()).model_copy(update={"status": params.status})
    return await PIPELINE_RECORDS.update(connection, params.id, changes)


@kit.action("deal.list_for_client")
async def deal_list_for_client(connection: Connection, params: DealsOf) -> list[Deal]:
    """The records linked to a contact (``Contact_Name``) or else an account
    (``Account_Name``), newest first; only open ones with ``only_open``."""
    if params.contact_id:
        field, owner = "Contact_Name.id", bigin_id(params.contact_id, "contact_id")
    elif params.company_id:
        field, owner = "Account_Name.id", bigin_id(params.company_id, "company_id")
    else:
        return []
    rows = await search(connection, PIPELINES, criteria=f"({field}:equals:{owner})", most=200)
    deals = [deal_to_canonical(row, connection.name) for row in rows]
    if params.only_open:
        deals = [deal for deal in deals if deal.status is DealStatus.open]
    return sorted(deals, key=lambda d: str((d.remote_data or {}).get("Created_Time") or ""),
                  reverse=True)
