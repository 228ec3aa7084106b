"""The canonical actions of the Ploomes connector.

Each handler is ``async def handler(connection, params) -> output`` with ``params``
already validated against the capability's input model (``pontes.capabilities``).
Records are re-read after every write, so callers get what Ploomes stored.
"""

from __future__ import annotations

from typing import Any

from pontes.capabilities import (
    ByEmail,
    ById,
    ByName,
    ByPhone,
    DealsOf,
    EnsureUser,
    FinishDeal,
    NoParams,
    Pipeline,
    PipelineStage,
    UpdateDeal,
    UserInfo,
)
from pontes.connection import Connection
from pontes.connector import Action
from pontes.errors import PermanentFailure
from pontes.models import Company, Contact, Deal, DealStatus, Interaction, normalize_phone

from .client import create, fetch_all, fetch_by_id, fetch_first
from .mappers import (
    COMPANY_TYPE,
    DEAL_STATUS_IDS,
    PERSON_TYPE,
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
    deal_from_canonical,
    deal_to_canonical,
    interaction_from_canonical,
    interaction_to_canonical,
)
from .odata import Query, all_of, any_in, any_of, contains, eq, key_path, record_id
from .settings import PloomesSettings
from .webhooks import list_webhooks, register_webhook, remove_webhook

CLIENT_EXPAND = ("Phones", "OtherProperties")
PERSON_EXPAND = (*CLIENT_EXPAND, "Company")
DEAL_EXPAND = ("Contact", "Person", "Owner($select=Id,Name,Email)", "CollaboratingUsers",
               "OtherProperties")
INTERACTION_EXPAND = ("Contact", "OtherProperties")

STATUS_ACTIONS = {DealStatus.open: "Reopen", DealStatus.won: "Win", DealStatus.lost: "Lose"}
PHONE_HINT_DIGITS = 4


def _settings(conn: Connection) -> PloomesSettings:
    return conn.settings  # type: ignore[return-value]


# --- persons ----------------------------------------------------------------------------


async def _find_client(conn: Connection, type_id: int, condition: str) -> dict[str, Any] | None:
    expand = PERSON_EXPAND if type_id == PERSON_TYPE else CLIENT_EXPAND
    return await fetch_first(conn.client, "/Contacts",
                             Query(filter=all_of(eq("TypeId", type_id), condition), expand=expand))


async def contact_find_by_email(conn: Connection, params: ByEmail) -> Contact | None:
    """The person whose ``Email`` is ``params.email``, or ``None``."""
    row = await _find_client(conn, PERSON_TYPE, eq("Email", params.email))
    return contact_to_canonical(row, conn.name) if row else None


async def contact_find_by_phone(conn: Connection, params: ByPhone) -> Contact | None:
    """The person with a phone equal to ``params.phone`` once both are in E.164.

    Ploomes stores phones as typed (``(11) 91234-5678``), so candidates are those whose
    number contains the last four digits, and the match is made on normalised numbers.
    """
    digits = "".join(ch for ch in params.phone if ch.isdigit())
    if not digits:
        return None
    condition = any_in("Phones", "p", contains("p/PhoneNumber", digits[-PHONE_HINT_DIGITS:]))
    rows = await fetch_all(conn.client, "/Contacts", Query(
        filter=all_of(eq("TypeId", PERSON_TYPE), condition), expand=PERSON_EXPAND))
    for row in rows:
        for phone in row.get("Phones") or []:
            if normalize_phone(str(phone.get("PhoneNumber") or "")) == params.phone:
                return contact_to_canonical(row, conn.name)
    return None


async def _get_person(conn: Connection, person_id: Any) -> Contact:
    row = await fetch_by_id(conn.client, "Contacts", person_id, expand=PERSON_EXPAND,
                            condition=eq("TypeId", PERSON_TYPE), what="person")
    return contact_to_canonical(row, conn.name)


async def contact_get(conn: Connection, params: ById) -> Contact:
    """The person with Ploomes id ``params.id``."""
    return await _get_person(conn, params.id)


async def _company_ref(conn: Connection, company: Company) -> Company:
    if company.ref(conn.name):
        return company
    if not company.name:
        raise PermanentFailure("contact.company needs a Ploomes id or a name to link the person")
    found = await company_find_by_name(conn, ByName(name=company.name))
    return found or await company_create(conn, company)


async def contact_create(conn: Connection, params: Contact) -> Contact:
    """Create a person, linked to its company (found by name, or created, when not known)."""
    if not params.display_name():
        raise PermanentFailure("contact.name is required to create a Ploomes person")
    if params.company is not None:
        params = params.model_copy(update={"company": await _company_ref(conn, params.company)})
    created = await create(conn.client, "/Contacts", contact_from_canonical(params, conn.name))
    return await _get_person(conn, created["Id"])


# --- companies --------------------------------------------------------------------------


async def company_find_by_email(conn: Connection, params: ByEmail) -> Company | None:
    """The company whose ``Email`` is ``params.email``, or ``None``."""
    row = await _find_client(conn, COMPANY_TYPE, eq("Email", params.email))
    return company_to_canonical(row, conn.name) if row else None


async def company_find_by_name(conn: Connection, params: ByName) -> Company | None:
    """The company named ``params.name``, or ``None``."""
    row = await _find_client(conn, COMPANY_TYPE, eq("Name", params.name))
    return company_to_canonical(row, conn.name) if row else None


async def _get_company(conn: Connection, company_id: Any) -> Company:
    row = await fetch_by_id(conn.client, "Contacts", company_id, expand=CLIENT_EXPAND,
                            condition=eq("TypeId", COMPANY_TYPE), what="company")
    return company_to_canonical(row, conn.name)


async def company_get(conn: Connection, params: ById) -> Company:
    """The company with Ploomes id ``params.id``."""
    return await _get_company(conn, params.id)


async def company_create(conn: Connection, params: Company) -> Company:
    """Create a company."""
    if not params.name:
        raise PermanentFailure("company.name is required to create a Ploomes company")
    created = await create(conn.client, "/Contacts", company_from_canonical(params, conn.name))
    return await _get_company(conn, created["Id"])


# --- deals ------------------------------------------------------------------------------


async def _deal_row(conn: Connection, deal_id: Any) -> dict[str, Any]:
    return await fetch_by_id(conn.client, "Deals", deal_id, expand=DEAL_EXPAND, what="deal")


async def _get_deal(conn: Connection, deal_id: Any) -> Deal:
    return deal_to_canonical(await _deal_row(conn, deal_id), conn.name)


async def _first_stage(conn: Connection, pipeline_id: int) -> int:
    stage = await fetch_first(conn.client, "/Deals@Stages", Query(
        filter=eq("PipelineId", pipeline_id), orderby="Ordination"))
    if stage is None:
        raise PermanentFailure(f"Ploomes pipeline {pipeline_id} has no stages")
    return stage["Id"]


async def _loss_reason(conn: Connection, reason: str | None) -> dict[str, Any]:
    if not reason:
        return {}
    if reason.strip().isdigit():
        return {"LossReasonId": int(reason)}
    found = await fetch_first(conn.client, "/Deals@LossReasons",
                              Query(filter=eq("Name", reason.strip())))
    return {"LossReasonId": found["Id"]} if found else {}


async def _move_to(conn: Connection, deal_id: int, status: DealStatus,
                   reason: str | None = None) -> None:
    body = await _loss_reason(conn, reason) if status == DealStatus.lost else {}
    await conn.client.post_json(key_path("Deals", deal_id, STATUS_ACTIONS[status]), json=body)


async def deal_create(conn: Connection, params: Deal) -> Deal:
    """Create a deal in its stage, else the connection's default stage or pipeline."""
    if not params.title:
        raise PermanentFailure("deal.title is required to create a Ploomes deal")
    settings = _settings(conn)
    payload = deal_from_canonical(params, conn.name)
    if "StageId" not in payload:
        pipeline = payload.get("PipelineId") or settings.default_pipeline_id
        if settings.default_stage_id and "PipelineId" not in payload:
            payload["StageId"] = settings.default_stage_id
        elif pipeline:
            payload["StageId"] = await _first_stage(conn, pipeline)
    created = await create(conn.client, "/Deals", payload)
    if params.status != DealStatus.open:
        await _move_to(conn, created["Id"], params.status)
    return await _get_deal(conn, created["Id"])


async def deal_get(conn: Connection, params: ById) -> Deal:
    """The deal with Ploomes id ``params.id``, with its client, owner and collaborators."""
    return await _get_deal(conn, params.id)


async def _write_changes(conn: Connection, current: dict[str, Any], changes: Deal) -> None:
    if changes.custom and changes.remote_data is None:
        changes = changes.model_copy(update={"remote_data": current})
    payload = deal_from_canonical(changes, conn.name)
    if payload:
        await conn.client.patch_json(key_path("Deals", current["Id"]), json=payload)


async def deal_update(conn: Connection, params: UpdateDeal) -> Deal:
    """Write the fields set in ``params.changes``; a changed status wins, loses or reopens."""
    current = await _deal_row(conn, params.id)
    await _write_changes(conn, current, params.changes)
    status = params.changes.status
    if "status" in params.changes.model_fields_set and DEAL_STATUS_IDS[status] != current["StatusId"]:
        await _move_to(conn, current["Id"], status)
    return await _get_deal(conn, current["Id"])


async def deal_finish(conn: Connection, params: FinishDeal) -> Deal:
    """Write ``params.changes``, then win or lose the deal (nothing when it already is)."""
    current = await _deal_row(conn, params.id)
    if params.changes is not None:
        await _write_changes(conn, current, params.changes)
    status = DealStatus(params.status)
    if current["StatusId"] != DEAL_STATUS_IDS[status]:
        await _move_to(conn, current["Id"], status, params.reason)
    return await _get_deal(conn, current["Id"])


async def deal_list_for_client(conn: Connection, params: DealsOf) -> list[Deal]:
    """The deals of a person (as client or as the company's person), of a company, or of
    that person at that company when both are given."""
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
    rows = await fetch_all(conn.client, "/Deals", Query(filter=all_of(*clauses),
                                                       expand=DEAL_EXPAND))
    return [deal_to_canonical(row, conn.name) for row in rows]


async def pipeline_list(conn: Connection, params: NoParams) -> list[Pipeline]:
    """The deal pipelines (``Deals@Pipelines``) with their stages in order."""
    rows = await fetch_all(conn.client, "/Deals@Pipelines", Query(expand=("Stages",)))
    pipelines = []
    for row in rows:
        stages = sorted(row.get("Stages") or [], key=lambda s: (s.get("Ordination") or 0, s["Id"]))
        pipelines.append(Pipeline(
            id=str(row["Id"]), name=row.get("Name") or "",
            stages=[PipelineStage(id=str(s["Id"]), name=s.get("Name") or "") for s in stages]))
    return pipelines


# --- history and users ------------------------------------------------------------------


async def interaction_create(conn: Connection, params: Interaction) -> Interaction:
    """Add an interaction record to the client's history (and the deal's, when given).

    The client is the contact, else the company, else the deal's client.
    """
    payload = interaction_from_canonical(params, conn.name)
    if "ContactId" not in payload and "DealId" in payload:
        payload["ContactId"] = (await _deal_row(conn, payload["DealId"]))["ContactId"]
    if not payload.get("ContactId"):
        raise PermanentFailure(
            "interaction.contact, interaction.company or interaction.deal needs a Ploomes id")
    if not payload.get("Content"):
        raise PermanentFailure("interaction.content_text or content_html is required")
    payload["TypeId"] = _settings(conn).interaction_type_id
    created = await create(conn.client, "/InteractionRecords", payload)
    row = await fetch_by_id(conn.client, "InteractionRecords", created["Id"],
                            expand=INTERACTION_EXPAND, what="interaction record")
    return interaction_to_canonical(row, conn.name)


def _user_info(row: dict[str, Any]) -> UserInfo:
    return UserInfo(id=str(row["Id"]), name=row.get("Name"), email=row.get("Email"))


async def user_ensure(conn: Connection, params: EnsureUser) -> UserInfo:
    """The Ploomes user called ``params.name``, created as an integration user if missing."""
    found = await fetch_first(conn.client, "/Users", Query(filter=eq("Name", params.name)))
    if found is not None:
        return _user_info(found)
    body: dict[str, Any] = {"Name": params.name, "Integration": True}
    if params.email:
        body["Email"] = params.email
    return _user_info(await create(conn.client, "/Users", body))


def _action(name: str, handler: Any) -> Action:
    return Action("ploomes", name, handler, description=(handler.__doc__ or "").split("\n")[0])


ACTIONS = [
    _action("contact.find_by_email", contact_find_by_email),
    _action("contact.find_by_phone", contact_find_by_phone),
    _action("contact.get", contact_get),
    _action("contact.create", contact_create),
    _action("company.find_by_email", company_find_by_email),
    _action("company.find_by_name", company_find_by_name),
    _action("company.get", company_get),
    _action("company.create", company_create),
    _action("deal.create", deal_create),
    _action("deal.get", deal_get),
    _action("deal.update", deal_update),
    _action("deal.finish", deal_finish),
    _action("deal.list_for_client", deal_list_for_client),
    _action("pipeline.list", pipeline_list),
    _action("interaction.create", interaction_create),
    _action("user.ensure", user_ensure),
    _action("webhook.register", register_webhook),
    _action("webhook.remove", remove_webhook),
    _action("webhook.list", list_webhooks),
]
"""The actions this plugin registers (Ploomes' public API has no leads resource)."""
