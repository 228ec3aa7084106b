"""Creating and changing records as amoCRM does: validation with ``problem+json`` paths,
``custom_fields_values`` completed with names and enums, events for the news feed, and
webhooks."""

from __future__ import annotations

import time
from typing import Any

from pontes.plugin import SandboxControl
from starlette.responses import Response

from .hal import invalid
from .notify import fire
from .state import ADMIN_ID, FIRST_STATUS_ID, LOST, PIPELINE_ID, WON, AmocrmState

FIELDS = {
    "leads": {"name", "price", "status_id", "pipeline_id", "responsible_user_id", "closed_at",
              "custom_fields_values", "_embedded", "request_id", "id", "created_by",
              "updated_by", "loss_reason_id"},
    "contacts": {"name", "first_name", "last_name", "responsible_user_id",
                 "custom_fields_values", "_embedded", "request_id", "id"},
    "companies": {"name", "responsible_user_id", "custom_fields_values", "_embedded",
                  "request_id", "id"},
}
EVENT_PREFIX = {"leads": "lead", "contacts": "contact", "companies": "company"}


def custom_values(state: AmocrmState, entity: str, given: Any, request_id: str
                  ) -> tuple[list[dict[str, Any]] | None, Response | None]:
    """``custom_fields_values`` as amoCRM stores them, or the 400 of the first bad one."""
    if given is None:
        return None, None
    if not isinstance(given, list):
        return None, invalid(request_id, "custom_fields_values", "InvalidType",
                             "This value should be of type array.")
    stored = []
    for index, item in enumerate(given):
        path = f"custom_fields_values.{index}"
        definition = state.field(entity, item.get("field_id"), item.get("field_code"))
        if definition is None:
            return None, invalid(request_id, f"{path}.field_id", "NotSupportedChoice",
                                 "The value you selected is not a valid choice.")
        values = []
        for position, value in enumerate(item.get("values") or []):
            enums = {e["id"]: e for e in definition.get("enums") or []}
            codes = {e["value"]: e for e in definition.get("enums") or []}
            if "enum_id" in value and value["enum_id"] not in enums:
                return None, invalid(request_id, f"{path}.values.{position}.enum_id",
                                     "NotSupportedChoice",
                                     "The value you selected is not a valid choice.")
            enum = enums.get(value.get("enum_id")) or codes.get(value.get("enum_code"))
            if definition["type"] in ("select", "multiselect") and enum is None:
                return None, invalid(request_id, f"{path}.values.{position}.enum_id",
                                     "NotBlank", "This value should not be blank.")
            entry = {"value": value.get("value", enum["value"] if enum else None)}
            if enum is not None:
                entry.update(enum_id=enum["id"], enum_code=value.get("enum_code")
                             or (enum["value"] if definition["code"] else None))
            values.append(entry)
        stored.append({"field_id": definition["id"], "field_name": definition["name"],
                       "field_code": definition["code"], "field_type": definition["type"],
                       "values": values})
    return stored, None


def check_lead(state: AmocrmState, lead: dict[str, Any], request_id: str) -> Response | None:
    """The 400 of a lead whose pipeline, status or price amoCRM refuses, or ``None``."""
    if "pipeline_id" in lead and lead["pipeline_id"] not in state.pipelines:
        return invalid(request_id, "pipeline_id", "NotSupportedChoice",
                       "The value you selected is not a valid choice.")
    pipeline = lead.get("pipeline_id", PIPELINE_ID)
    if "status_id" in lead and lead["status_id"] not in state.status_ids(pipeline):
        return invalid(request_id, "status_id", "NotSupportedChoice",
                       "The value you selected is not a valid choice.")
    if "price" in lead and not isinstance(lead["price"], int):
        return invalid(request_id, "price", "InvalidType", "This value should be of type int.")
    return None


def apply(state: AmocrmState, entity: str, item: dict[str, Any], record: dict[str, Any],
          request_id: str) -> Response | None:
    """Write ``item``'s fields onto ``record``; the 400 of the first bad field, if any."""
    unknown = sorted(set(item) - FIELDS[entity])
    if unknown:
        return invalid(request_id, unknown[0], "NotSupportedField", "This field is not supported.")
    if "name" in item and not isinstance(item["name"], str):
        return invalid(request_id, "name", "InvalidType", "This value should be of type string.")
    if entity == "leads" and (refused := check_lead(state, item, request_id)):
        return refused
    values, refused = custom_values(state, entity, item.get("custom_fields_values"), request_id)
    if refused:
        return refused
    for key, value in item.items():
        if key not in ("custom_fields_values", "_embedded", "request_id", "id"):
            record[key] = value
    if values is not None:
        record["custom_fields_values"] = values or None
    links = item.get("_embedded") or {}
    for linked in ("contacts", "companies"):
        if linked in links:
            record.setdefault("_embedded", {})[linked] = [
                {"id": link["id"], **({"is_main": bool(link.get("is_main"))}
                                      if linked == "contacts" else {})}
                for link in links[linked] if link.get("id") in state.records[linked]]
    return None


def create(state: AmocrmState, control: SandboxControl, entity: str, item: dict[str, Any],
           request_id: str) -> tuple[dict[str, Any] | None, Response | None]:
    """A new record from ``item``, stored, in the feed and sent to the webhooks."""
    now = int(time.time())
    record: dict[str, Any] = {"id": state.next_id(), "name": "", "responsible_user_id": ADMIN_ID,
                              "created_by": ADMIN_ID, "updated_by": ADMIN_ID,
                              "created_at": now, "updated_at": now,
                              "custom_fields_values": None, "account_id": 17769199,
                              "_embedded": {}}
    if entity == "leads":
        record.update(price=0, pipeline_id=PIPELINE_ID, status_id=FIRST_STATUS_ID,
                      closed_at=None, is_deleted=False)
    if refused := apply(state, entity, item, record, request_id):
        return None, refused
    close_if_finished(record, None)
    state.records[entity][record["id"]] = record
    link_back(state, entity, record)
    state.add_event(f"{EVENT_PREFIX[entity]}_added", EVENT_PREFIX[entity], record["id"], [], [])
    fire(control, state, entity, "add", record)
    return record, None


def update(state: AmocrmState, control: SandboxControl, entity: str, record: dict[str, Any],
           item: dict[str, Any], request_id: str) -> Response | None:
    """Change a stored record; a lead whose status moved fires ``status`` too."""
    before = {**record}
    if refused := apply(state, entity, item, record, request_id):
        record.clear()
        record.update(before)
        return refused
    record["updated_at"] = max(int(time.time()), before["updated_at"] + 1)
    close_if_finished(record, before)
    link_back(state, entity, record)
    fire(control, state, entity, "update", record, before)
    if entity == "leads" and record.get("status_id") != before.get("status_id"):
        state.add_event("lead_status_changed", "lead", record["id"],
                        [{"lead_status": {"id": before.get("status_id"),
                                          "pipeline_id": before.get("pipeline_id")}}],
                        [{"lead_status": {"id": record.get("status_id"),
                                          "pipeline_id": record.get("pipeline_id")}}])
        fire(control, state, entity, "status", record, before)
    return None


def close_if_finished(lead: dict[str, Any], before: dict[str, Any] | None) -> None:
    """A lead moved to 142 or 143 gets ``closed_at``."""
    if lead.get("status_id") in (WON, LOST) and (
            before is None or before.get("status_id") != lead["status_id"]):
        lead["closed_at"] = int(time.time())


def link_back(state: AmocrmState, entity: str, record: dict[str, Any]) -> None:
    """Keep both sides of a link: a lead's contacts list the lead, and so on."""
    for linked in ("contacts", "companies", "leads"):
        if linked == entity:
            continue
        for link in (record.get("_embedded") or {}).get(linked) or []:
            other = state.records[linked].get(link["id"])
            if other is not None:
                others = other.setdefault("_embedded", {}).setdefault(entity, [])
                if all(o["id"] != record["id"] for o in others):
                    others.append({"id": record["id"]})
