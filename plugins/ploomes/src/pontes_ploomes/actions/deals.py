"""Deals and their pipelines.

A deal's status changes only through ``/Deals(n)/Win``, ``/Lose`` and ``/Reopen``; the
other fields through ``PATCH /Deals(n)``.
"""

from __future__ import annotations

from typing import Any, cast

from pontes.plugin import (
    ById,
    Connection,
    Deal,
    DealsOf,
    DealStatus,
    FinishDeal,
    NoParams,
    PermanentFailure,
    Pipeline,
    PipelineStage,
    UpdateDeal,
)

from ..client import (
    Query,
    all_of,
    any_of,
    create,
    eq,
    fetch_all,
    fetch_by_id,
    fetch_first,
    key_path,
    record_id,
)
from ..connector import PloomesSettings, kit
from ..mappers import DEAL_STATUS_IDS, deal_from_canonical, deal_to_canonical
from .markers import find_marked, with_marker
from .readback import read_back

DEAL_EXPAND = ("Contact", "Person", "Owner($select=Id,Name,Email)", "CollaboratingUsers",
               "OtherProperties")

STATUS_ACTIONS = {DealStatus.open: "Reopen", DealStatus.won: "Win", DealStatus.lost: "Lose"}


async def deal_row(connection: Connection, deal_id: Any) -> dict[str, Any]:
    """The Ploomes row of deal ``deal_id``, expanded as the deal actions read it."""
    return await fetch_by_id(connection.client, "Deals", deal_id, expand=DEAL_EXPAND,
                             what="deal")


async def _get_deal(connection: Connection, deal_id: Any) -> Deal:
    return deal_to_canonical(await deal_row(connection, deal_id), connection.name)


async def _first_stage(connection: Connection, pipeline_id: int) -> int:
    stage = await fetch_first(connection.client, "/Deals@Stages", Query(
        filter=eq("PipelineId", pipeline_id), orderby="Ordination"))
    if stage is None:
        raise PermanentFailure(f"Ploomes pipeline {pipeline_id} has no stages")
    return stage["Id"]


async def _loss_reason(connection: Connection, reason: str | None) -> dict[str, Any]:
    if not reason:
        return {}
    if reason.strip().isdigit():
        return {"LossReasonId": int(reason)}
    found = await fetch_first(connection.client, "/Deals@LossReasons",
                              Query(filter=eq("Name", reason.strip())))
    return {"LossReasonId": found["Id"]} if found else {}


async def _move_to(connection: Connection, deal_id: int, status: DealStatus,
                   reason: str | None = None) -> None:
    body = await _loss_reason(connection, reason) if status == DealStatus.lost else {}
    await connection.client.post_json(key_path("Deals", deal_id, STATUS_ACTIONS[status]),
                                      json=body)


@kit.action("deal.create")
async def deal_create(connection: Connection, params: Deal) -> Deal:
    """Create a deal in its stage, else the connection's default stage or pipeline.

    With the connection's ``deal_marker_field``, the deal carries its marker there. The
    deal is read back, or built from the create's answer when that read fails.
    """
    if not params.title:
        raise PermanentFailure("deal.title is required to create a Ploomes deal")
    settings = cast(PloomesSettings, connection.settings)
    payload = with_marker(deal_from_canonical(params, connection.name),
                          settings.deal_marker_field, params)
    if "StageId" not in payload:
        pipeline = payload.get("PipelineId") or settings.default_pipeline_id
        if settings.default_stage_id and "PipelineId" not in payload:
            payload["StageId"] = settings.default_stage_id
        elif pipeline:
            payload["StageId"] = await _first_stage(connection, pipeline)
    created = await create(connection.client, "/Deals", payload)
    if params.status != DealStatus.open:
        await _move_to(connection, created["Id"], params.status)
    return await read_back(lambda: _get_deal(connection, created["Id"]),
                           lambda: deal_to_canonical({**payload, **created}, connection.name))


@kit.action("deal.find_created")
async def deal_find_created(connection: Connection, params: Deal) -> Deal | None:
    """The deal created from this draft: the one whose ``deal_marker_field`` holds the
    draft's marker, or ``None``. A connection without that field cannot look
    (``CapabilityError``)."""
    row = await find_marked(connection, "/Deals",
                            cast(PloomesSettings, connection.settings).deal_marker_field,
                            "deal_marker_field", params, expand=DEAL_EXPAND)
    return deal_to_canonical(row, connection.name) if row else None


@kit.action("deal.get")
async def deal_get(connection: Connection, params: ById) -> Deal:
    """The deal with Ploomes id ``params.id``, with its client, owner and collaborators."""
    return await _get_deal(connection, params.id)


async def _write_changes(connection: Connection, current: dict[str, Any],
                         changes: Deal) -> None:
    if changes.custom and changes.remote_data is None:
        changes = changes.model_copy(update={"remote_data": current})
    payload = deal_from_canonical(changes, connection.name)
    if payload:
        await connection.client.patch_json(key_path("Deals", current["Id"]), json=payload,
                                           retry_safe=True)


@kit.action("deal.update")
async def deal_update(connection: Connection, params: UpdateDeal) -> Deal:
    """Write the fields set in ``params.changes``; a changed status wins, loses or reopens."""
    current = await deal_row(connection, params.id)
    await _write_changes(connection, current, params.changes)
    status = params.changes.status
    if "status" in params.changes.model_fields_set and DEAL_STATUS_IDS[status] != current["StatusId"]:
        await _move_to(connection, current["Id"], status)
    return await _get_deal(connection, current["Id"])


@kit.action("deal.finish")
async def deal_finish(connection: Connection, params: FinishDeal) -> Deal:
    """Write ``params.changes``, then win or lose the deal (nothing when it already is)."""
    current = await deal_row(connection, params.id)
    if params.changes is not None:
        await _write_changes(connection, current, params.changes)
    status = DealStatus(params.status)
    if current["StatusId"] != DEAL_STATUS_IDS[status]:
        await _move_to(connection, current["Id"], status, params.reason)
    return await _get_deal(connection, current["Id"])


@kit.action("deal.list_for_client")
async def deal_list_for_client(connection: Connection, params: DealsOf) -> list[Deal]:
    """The deals of a person (as client or as the company's person), of a company, or of
    that person at that company when both are given; each with the custom fields chosen
    in ``fields`` (all of them without)."""
    clauses = []
    if params.contact_id:
        person = record_id(params.contact_id, "contact_id")
        clauses.append(any_of(eq("ContactId", person), eq("PersonId", person)))
    if params.company_id:
        clauses.append(eq("ContactId", record_id(params.company_id, "company_id")))
    if not clauses:
        raise PermanentFailure("deal.list_for_client needs contact_id or company_id")
    if params.only_open:
        clauses.append(eq("StatusId", DEAL_STATUS_IDS[DealStatus.open]))
    rows = await fetch_all(connection.client, "/Deals", Query(filter=all_of(*clauses),
                                                             expand=DEAL_EXPAND))
    deals = [deal_to_canonical(row, connection.name) for row in rows]
    return [deal.model_copy(update={"custom": params.chosen_fields(deal.custom)})
            for deal in deals]


@kit.action("pipeline.list")
async def pipeline_list(connection: Connection, params: NoParams) -> list[Pipeline]:
    """The deal pipelines (``Deals@Pipelines``) with their stages in order."""
    rows = await fetch_all(connection.client, "/Deals@Pipelines", Query(expand=("Stages",)))
    pipelines = []
    for row in rows:
        stages = sorted(row.get("Stages") or [], key=lambda s: (s.get("Ordination") or 0, s["Id"]))
        pipelines.append(Pipeline(
            id=str(row["Id"]), name=row.get("Name") or "",
            stages=[PipelineStage(id=str(s["Id"]), name=s.get("Name") or "") for s in stages]))
    return pipelines
