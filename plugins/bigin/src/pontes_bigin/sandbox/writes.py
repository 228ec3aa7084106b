"""Writing records as Bigin does: each record of a call is checked and stored on its
own, and answered with its own entry in ``data``.

- a mandatory field missing: ``MANDATORY_NOT_FOUND`` with ``details.api_name``;
- a value of the wrong kind (an e-mail, a number, a ``YYYY-MM-DD`` date, a picklist
  value, a lookup to a record that does not exist): ``INVALID_DATA`` with ``api_name``
  and ``expected_data_type``;
- an update of an id Bigin does not have: ``INVALID_DATA`` on ``id``;
- upsert: the first of ``duplicate_check_fields`` (else the module's unique field) whose
  value matches an existing record updates it (``action: "update"``,
  ``duplicate_field``), otherwise the record is inserted (``action: "insert"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .state import BiginState, now_text

MANDATORY = {"Contacts": ("Last_Name",), "Accounts": ("Account_Name",),
             "Pipelines": ("Deal_Name", "Stage", "Sub_Pipeline")}
UNIQUE = {"Contacts": "Email", "Accounts": "Account_Name", "Pipelines": "Deal_Name"}
"""The field an upsert matches on when the call names none."""
LOOKUPS = {"Contacts": {"Account_Name": "Accounts"},
           "Pipelines": {"Account_Name": "Accounts", "Contact_Name": "Contacts"}}
"""Each module's lookup fields and the module they point into."""
EMAILS = ("Email", "Secondary_Email")
PICKLISTS = {"Pipelines": ("Stage", "Sub_Pipeline")}
READ_ONLY = ("Created_Time", "Modified_Time", "Created_By", "Modified_By", "Full_Name")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Entry = dict[str, Any]


def error(code: str, message: str, **details: Any) -> Entry:
    """A refused record's entry."""
    return {"code": code, "details": details, "message": message, "status": "error"}


def _invalid(api_name: str, expected: str) -> Entry:
    return error("INVALID_DATA", "invalid data", api_name=api_name, expected_data_type=expected)


def _lookup(state: BiginState, module: str, value: Any) -> dict[str, Any] | None:
    record_id = str(value.get("id") if isinstance(value, dict) else value or "")
    record = state.records[module].get(record_id)
    if record is None:
        return None
    name = record.get("Full_Name") or record.get("Account_Name") or record.get("Deal_Name")
    return {"id": record_id, "name": name}


def problems(state: BiginState, module: str, record: dict[str, Any], *,
             creating: bool) -> Entry | None:
    """The entry refusing ``record``, or ``None`` when it may be stored."""
    if creating:
        for api_name in MANDATORY[module]:
            if record.get(api_name) in (None, ""):
                return error("MANDATORY_NOT_FOUND", "required field not found",
                             api_name=api_name)
    for api_name in EMAILS:
        if record.get(api_name) not in (None, "") and not _EMAIL.fullmatch(str(record[api_name])):
            return _invalid(api_name, "email")
    if "Amount" in record and record["Amount"] is not None and (
            isinstance(record["Amount"], bool) or not isinstance(record["Amount"], int | float)):
        return _invalid("Amount", "double")
    if record.get("Closing_Date") and not _DATE.fullmatch(str(record["Closing_Date"])):
        return _invalid("Closing_Date", "date")
    for api_name in PICKLISTS.get(module, ()):
        if api_name in record and record[api_name] not in state.choices(module, api_name):
            return _invalid(api_name, "picklist")
    for api_name, target in LOOKUPS.get(module, {}).items():
        if record.get(api_name) and _lookup(state, target, record[api_name]) is None:
            return _invalid(api_name, "lookup")
    owner = record.get("Owner")
    if owner and state.user_lookup(str(owner.get("id") if isinstance(owner, dict)
                                       else owner)) is None:
        return _invalid("Owner", "ownerlookup")
    return None


def _stored_values(state: BiginState, module: str, record: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in record.items() if k not in READ_ONLY and k != "id"}
    for api_name, target in LOOKUPS.get(module, {}).items():
        if values.get(api_name):
            values[api_name] = _lookup(state, target, values[api_name])
    if values.get("Owner"):
        owner = values["Owner"]
        values["Owner"] = state.user_lookup(str(owner.get("id") if isinstance(owner, dict)
                                                else owner))
    return values


def _stamp(record: dict[str, Any], module: str) -> None:
    if module == "Contacts":
        record["Full_Name"] = " ".join(p for p in (record.get("First_Name"),
                                                  record.get("Last_Name")) if p)


def _success(message: str, record: dict[str, Any], **extra: Any) -> Entry:
    return {"code": "SUCCESS", "details": {key: record[key] for key in (
        "id", "Created_Time", "Modified_Time", "Created_By", "Modified_By")},
        "message": message, "status": "success", **extra}


Notify = Callable[[str, str, dict[str, Any], list[str]], None]
"""Told of each stored change: (module, operation, record, affected fields)."""


def insert(state: BiginState, module: str, record: dict[str, Any], notify: Notify) -> Entry:
    """Insert one record; its entry."""
    refused = problems(state, module, record, creating=True)
    if refused:
        return refused
    me, now = state.user_lookup(), now_text()
    stored = {"id": state.next_id(), "Owner": me, **_stored_values(state, module, record),
              "Created_Time": now, "Modified_Time": now,
              "Created_By": {"id": me["id"], "name": me["name"]},
              "Modified_By": {"id": me["id"], "name": me["name"]}}
    _stamp(stored, module)
    state.records[module][stored["id"]] = stored
    notify(module, "insert", stored, [])
    return _success("record added", stored)


def update(state: BiginState, module: str, record_id: str, changes: dict[str, Any],
           notify: Notify) -> Entry:
    """Update one record with ``changes``; its entry."""
    stored = state.records[module].get(record_id)
    if stored is None:
        return error("INVALID_DATA", "the related id given seems to be invalid", api_name="id")
    refused = problems(state, module, changes, creating=False)
    if refused:
        return refused
    values = _stored_values(state, module, changes)
    affected = [k for k, v in values.items() if stored.get(k) != v]
    stored.update(values)
    _stamp(stored, module)
    me = state.user_lookup()
    stored.update(Modified_Time=now_text(), Modified_By={"id": me["id"], "name": me["name"]})
    if affected:
        notify(module, "update", stored, affected)
    return _success("record updated", stored)


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.strip().casefold() == right.strip().casefold()
    return left == right


def upsert(state: BiginState, module: str, record: dict[str, Any],
           duplicate_check_fields: list[str], notify: Notify) -> Entry:
    """Update the record matching on ``duplicate_check_fields`` (else the module's unique
    field), or insert it; its entry, with ``action`` and ``duplicate_field``."""
    for api_name in duplicate_check_fields or [UNIQUE[module]]:
        value = record.get(api_name)
        if value in (None, ""):
            continue
        match = next((r for r in state.records[module].values()
                      if _same(r.get(api_name), value)), None)
        if match is not None:
            entry = update(state, module, match["id"], record, notify)
            return {**entry, "action": "update", "duplicate_field": api_name}
    entry = insert(state, module, record, notify)
    return {**entry, "action": "insert", "duplicate_field": None}
