"""Checking and applying the writes the sandbox accepts (POST and PATCH bodies).

Each ``write_*`` function takes the JSON body, the row being changed (``None`` on
create), the acting user's id and, on create, an optional id for the new row, checks the body as Ploomes would (unknown properties,
required fields, references to other records, custom-field keys) and returns the row to
store. Problems raise ``ApiError``, answered with the status and message it carries.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .schema import (
    CONTACTS,
    DEALS,
    FIELD_OWNER_KEY,
    FIELD_PREFIX,
    INTERACTION_RECORDS,
    USERS,
    VALUE_COLUMNS,
    WEBHOOK_ACTION_NAMES,
    WEBHOOKS,
    Resource,
)
from .state import Store, empty_value_row

COMPANY, PERSON = 1, 2


class ApiError(Exception):
    """An error answer: HTTP ``status`` and the message of the OData error body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _known(resource: Resource, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, f"The request body for {resource.path} must be a JSON object.")
    for name in body:
        if name not in resource.fields and name not in resource.navigations:
            raise ApiError(400, f"The property '{name}' does not exist on type "
                                f"'Ploomes.API.{resource.path}'.")
    return {k: v for k, v in body.items() if k in resource.writable}


def _integer(body: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError(400, f"The field '{name}' is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, f"The field '{name}' must be an integer, got {value!r}.")
    return value


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or (required and isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError(400, f"The field '{name}' is required.")
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"The field '{name}' must be text, got {value!r}.")
    return value


def _contact(store: Store, contact_id: int | None, name: str,
             type_id: int | None = None) -> dict[str, Any] | None:
    if contact_id is None:
        return None
    row = store.get("Contacts", contact_id)
    if row is None or (type_id is not None and row["TypeId"] != type_id):
        kind = {COMPANY: "company", PERSON: "person"}.get(type_id or 0, "client")
        raise ApiError(400, f"{name} {contact_id} is not a {kind} of this account.")
    return row


def _user(store: Store, user_id: int | None, name: str) -> int | None:
    if user_id is not None and store.get("Users", user_id) is None:
        raise ApiError(400, f"{name} {user_id} is not a user of this account.")
    return user_id


def custom_rows(store: Store, path: str, owner_id: int, current: list[dict[str, Any]],
                incoming: Any) -> list[dict[str, Any]]:
    """The custom-field rows after writing ``incoming`` (``[{FieldKey, <Column>: v}]``)
    over ``current``: rows are matched by ``FieldKey``; others are kept."""
    if not isinstance(incoming, list):
        raise ApiError(400, "OtherProperties must be a list of {FieldKey, <Type>Value}.")
    rows = {row["FieldKey"]: row for row in current}
    for item in incoming:
        if not isinstance(item, dict) or not isinstance(item.get("FieldKey"), str):
            raise ApiError(400, "Every OtherProperties item needs a FieldKey.")
        key = item["FieldKey"]
        field = store.field(key)
        if field is None or not key.startswith(FIELD_PREFIX[path]):
            raise ApiError(400, f"The field '{key}' does not exist for {path}.")
        extra = set(item) - {"FieldKey", "FieldId", *VALUE_COLUMNS}
        if extra:
            raise ApiError(400, f"Unknown OtherProperties column(s): {', '.join(sorted(extra))}.")
        values = {c: item[c] for c in VALUE_COLUMNS if item.get(c) is not None}
        if len(values) > 1:
            raise ApiError(400, f"The field '{key}' was given more than one value.")
        row = rows.get(key) or {"Id": store.new_id(), "FieldId": field["Id"], "FieldKey": key,
                                FIELD_OWNER_KEY[path]: owner_id}
        rows[key] = {**row, **empty_value_row(), **values}
    return list(rows.values())


def _phones(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ApiError(400, "Phones must be a list of {PhoneNumber, TypeId, CountryId}.")
    phones = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("PhoneNumber"), str):
            raise ApiError(400, "Every phone needs a PhoneNumber.")
        phones.append({"PhoneNumber": item["PhoneNumber"], "TypeId": item.get("TypeId"),
                       "CountryId": item.get("CountryId")})
    return phones


def _stamp(store: Store, row: dict[str, Any], actor: int, creating: bool,
           record_id: int | None) -> None:
    now = store.now()
    if creating:
        row["Id"] = record_id or store.new_id()
        row["CreateDate"], row["CreatorId"] = now, actor
    row["LastUpdateDate"], row["UpdaterId"] = now, actor


def write_contact(store: Store, body: Any, current: dict[str, Any] | None,
                  actor: int, record_id: int | None = None) -> dict[str, Any]:
    """A person (``TypeId`` 2) or a company (``TypeId`` 1) after a POST or PATCH."""
    fields = _known(CONTACTS, body)
    row = dict(current or {})
    row.update({k: v for k, v in fields.items() if k not in ("Phones", "OtherProperties")})
    if current is None:
        _text(row, "Name", required=True)
        row.setdefault("OwnerId", actor)
    type_id = _integer(row, "TypeId", required=True)
    if type_id not in (COMPANY, PERSON):
        raise ApiError(400, f"TypeId must be 1 (company) or 2 (person), got {type_id}.")
    for name in ("Name", "Email", "CPF", "CNPJ", "LegalName", "Website"):
        _text(row, name)
    if type_id == PERSON:
        _contact(store, _integer(row, "CompanyId"), "CompanyId", COMPANY)
    _user(store, _integer(row, "OwnerId"), "OwnerId")
    if "Phones" in fields:
        row["Phones"] = _phones(fields["Phones"])
    _stamp(store, row, actor, current is None, record_id)
    if "OtherProperties" in fields:
        row["OtherProperties"] = custom_rows(store, "Contacts", row["Id"],
                                             row.get("OtherProperties") or [],
                                             fields["OtherProperties"])
    return row


def _first_stage(store: Store, pipeline_id: int | None) -> dict[str, Any]:
    pipelines = sorted(store.rows("Deals@Pipelines"), key=lambda p: (p["Ordination"] or 0, p["Id"]))
    if pipeline_id is None:
        if not pipelines:
            raise ApiError(400, "The account has no pipeline.")
        pipeline_id = pipelines[0]["Id"]
    elif store.get("Deals@Pipelines", pipeline_id) is None:
        raise ApiError(400, f"PipelineId {pipeline_id} is not a pipeline of this account.")
    stages = sorted((s for s in store.rows("Deals@Stages") if s["PipelineId"] == pipeline_id),
                    key=lambda s: (s["Ordination"] or 0, s["Id"]))
    if not stages:
        raise ApiError(400, f"Pipeline {pipeline_id} has no stages.")
    return stages[0]


def _placement(store: Store, row: dict[str, Any], fields: dict[str, Any]) -> None:
    stage_id = _integer(fields, "StageId")
    pipeline_id = _integer(fields, "PipelineId")
    if stage_id is not None:
        stage = store.get("Deals@Stages", stage_id)
        if stage is None:
            raise ApiError(400, f"StageId {stage_id} is not a stage of this account.")
        if pipeline_id is not None and pipeline_id != stage["PipelineId"]:
            raise ApiError(400, f"Stage {stage_id} is not in pipeline {pipeline_id}.")
    elif pipeline_id is not None or row.get("StageId") is None:
        stage = _first_stage(store, pipeline_id)
    else:
        return
    if row.get("StageId") not in (None, stage["Id"]):
        row["LastStageId"] = row["StageId"]
    row["StageId"], row["PipelineId"] = stage["Id"], stage["PipelineId"]


def write_deal(store: Store, body: Any, current: dict[str, Any] | None,
               actor: int, record_id: int | None = None) -> dict[str, Any]:
    """A deal after a POST or PATCH (``StatusId`` changes only through Win/Lose/Reopen)."""
    fields = _known(DEALS, body)
    row = dict(current or {})
    simple = {k: v for k, v in fields.items()
              if k not in ("StageId", "PipelineId", "CollaboratingUsers", "OtherProperties")}
    row.update(simple)
    if current is None:
        _text(row, "Title", required=True)
        row.setdefault("OwnerId", actor)
        row.update(StatusId=1, StartDate=store.now(), Amount=row.get("Amount") or 0,
                   DealNumber=len(store.rows("Deals")) + 1001)
    elif "Title" in fields:
        _text(row, "Title", required=True)
    amount = row.get("Amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
        raise ApiError(400, f"The field 'Amount' must be a number, got {amount!r}.")
    _placement(store, row, fields)
    client = _contact(store, _integer(row, "ContactId"), "ContactId")
    person = _contact(store, _integer(row, "PersonId"), "PersonId", PERSON)
    row["ContactName"] = client["Name"] if client else None
    row["PersonName"] = person["Name"] if person else None
    _user(store, _integer(row, "OwnerId"), "OwnerId")
    if "CollaboratingUsers" in fields:
        users = fields["CollaboratingUsers"]
        if not isinstance(users, list) or not all(isinstance(u, dict) for u in users):
            raise ApiError(400, "CollaboratingUsers must be a list of {UserId}.")
        row["CollaboratingUsers"] = [
            {"UserId": _user(store, _integer(u, "UserId", required=True), "UserId")}
            for u in users]
    _stamp(store, row, actor, current is None, record_id)
    if "OtherProperties" in fields:
        row["OtherProperties"] = custom_rows(store, "Deals", row["Id"],
                                             row.get("OtherProperties") or [],
                                             fields["OtherProperties"])
    return row


def write_interaction(store: Store, body: Any, current: dict[str, Any] | None,
                      actor: int, record_id: int | None = None) -> dict[str, Any]:
    """An interaction record after a POST or PATCH."""
    fields = _known(INTERACTION_RECORDS, body)
    row = dict(current or {})
    row.update({k: v for k, v in fields.items() if k != "OtherProperties"})
    _contact(store, _integer(row, "ContactId", required=True), "ContactId")
    deal_id = _integer(row, "DealId")
    if deal_id is not None and store.get("Deals", deal_id) is None:
        raise ApiError(400, f"DealId {deal_id} is not a deal of this account.")
    _text(row, "Content", required=True)
    row["TypeId"] = _integer(row, "TypeId") or 1
    _stamp(store, row, actor, current is None, record_id)
    row["Date"] = _text(row, "Date") or row["CreateDate"]
    if "OtherProperties" in fields:
        row["OtherProperties"] = custom_rows(store, "InteractionRecords", row["Id"],
                                             row.get("OtherProperties") or [],
                                             fields["OtherProperties"])
    return row


def write_user(store: Store, body: Any, current: dict[str, Any] | None,
               actor: int, record_id: int | None = None) -> dict[str, Any]:
    """A user after a POST or PATCH (integration users are users with ``Integration``)."""
    fields = _known(USERS, body)
    row = dict(current or {})
    row.update(fields)
    _text(row, "Name", required=True)
    _text(row, "Email")
    row["Integration"] = bool(row.get("Integration"))
    row.setdefault("Suspended", False)
    row["ProfileId"] = _integer(row, "ProfileId") or 1
    now = store.now()
    if current is None:
        row["Id"] = record_id or store.new_id()
        row["CreateDate"] = now
    row["LastUpdateDate"] = now
    return row


def write_webhook(store: Store, body: Any, current: dict[str, Any] | None,
                  actor: int, record_id: int | None = None) -> dict[str, Any]:
    """A webhook subscription after a POST or PATCH."""
    fields = _known(WEBHOOKS, body)
    row = dict(current or {})
    row.update(fields)
    _integer(row, "EntityId", required=True)
    action = _integer(row, "ActionId", required=True)
    if action not in WEBHOOK_ACTION_NAMES:
        raise ApiError(400, f"ActionId {action} is not a webhook action (see Webhooks@Actions).")
    url = _text(row, "CallbackUrl", required=True) or ""
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ApiError(400, f"CallbackUrl must be an http(s) URL, got {url!r}.")
    _text(row, "ValidationKey")
    active = row.get("Active")
    if active not in (None, True, False, 0, 1):
        raise ApiError(400, f"Active must be true or false (or 1 or 0), got {active!r}.")
    row["Active"] = True if active is None else bool(active)
    if current is None:
        row["Id"] = record_id or store.new_id()
        row["CreatorId"] = actor
        row["CreateDate"] = store.now()
    return row
