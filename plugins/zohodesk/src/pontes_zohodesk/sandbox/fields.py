"""The fields of the sandbox's tickets, as Zoho Desk's Setup > Layouts and Fields keeps
them, and the rule that a new ticket fills every mandatory one.

- ``GET /api/v1/organizationFields?module=tickets`` (``apiNames`` to pick some, by API
  name): ``{"data": [{id, apiName, displayLabel, type, isMandatory, isCustomField,
  maxLength, defaultValue, allowedValues: [{value}]}]}``: the standard fields, then the
  custom ones an administrator added;
- ``POST /_sandbox/ticket-fields`` ``{"fields": [{apiName, displayLabel, type,
  isMandatory?, defaultValue?, allowedValues?: [value...]}]}``: an administrator adds
  custom fields (``apiName`` ``cf_...``; ``type`` ``Text``, ``Textarea``, ``Picklist``,
  ``Email``, ``Date``, ``Number``);
- a ``POST /tickets`` without a mandatory custom field (in ``cf``), or with a value a
  picklist does not allow, is a 422 ``INVALID_DATA`` naming it (``/cf/cf_...``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .records import DeskError, invalid
from .state import DeskState

CUSTOM_TYPES = {"Text", "Textarea", "Picklist", "Email", "Date", "Number"}
"""The custom field types the sandbox lets an administrator add."""


def _field(number: int, api_name: str, label: str, kind: str, *, mandatory: bool = False,
           custom: bool = False, default: str | None = None,
           values: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": f"90000000000001{number:04d}", "apiName": api_name, "displayLabel": label,
            "type": kind, "isMandatory": mandatory, "isCustomField": custom,
            "maxLength": 255 if kind in ("Text", "Email") else None, "defaultValue": default,
            "allowedValues": [{"value": value} for value in values]}


STANDARD_FIELDS = (
    _field(1, "subject", "Subject", "Text", mandatory=True),
    _field(2, "departmentId", "Department", "LookUp", mandatory=True),
    _field(3, "contactId", "Contact Name", "LookUp", mandatory=True),
    _field(4, "email", "Email", "Email"),
    _field(5, "phone", "Phone", "Phone"),
    _field(6, "status", "Status", "Picklist", mandatory=True, default="Open",
           values=("Open", "On Hold", "Escalated", "Closed")),
    _field(7, "priority", "Priority", "Picklist", values=("High", "Medium", "Low")),
    _field(8, "category", "Category", "Picklist", values=("General", "Billing", "Hardware")),
    _field(9, "classification", "Classification", "Picklist",
           values=("Question", "Problem", "Feature", "Others")),
    _field(10, "dueDate", "Due Date", "DateTime"),
    _field(11, "description", "Description", "Textarea"),
)
"""The standard ticket fields of a new portal."""


def ticket_fields(state: DeskState) -> list[dict[str, Any]]:
    """Every ticket field: the standard ones, then the custom ones."""
    return [*STANDARD_FIELDS, *state.ticket_fields]


def check_layout(state: DeskState, body: Mapping[str, Any]) -> None:
    """``invalid`` for the first mandatory custom field ``body`` leaves empty, or a
    picklist value the field does not allow."""
    custom = body.get("cf") if isinstance(body.get("cf"), dict) else {}
    for definition in state.ticket_fields:
        name, value = definition["apiName"], custom.get(definition["apiName"])
        if value in (None, ""):
            if definition["isMandatory"]:
                raise invalid(f"cf/{name}", f"{definition['displayLabel']} is mandatory")
            continue
        allowed = [v["value"] for v in definition["allowedValues"]]
        if definition["type"] == "Picklist" and value not in allowed:
            raise invalid(f"cf/{name}", f"one of {', '.join(allowed)}")


def _custom_field(number: int, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not str(raw.get("apiName") or "").startswith("cf_"):
        raise invalid("apiName", "a custom field's API name starts with cf_")
    if raw.get("type") not in CUSTOM_TYPES:
        raise invalid("type", f"one of {', '.join(sorted(CUSTOM_TYPES))}")
    values = raw.get("allowedValues") or []
    if raw["type"] == "Picklist" and not values:
        raise invalid("allowedValues", "a picklist needs its values")
    return _field(number, raw["apiName"],
                  str(raw.get("displayLabel") or raw["apiName"]), raw["type"],
                  mandatory=bool(raw.get("isMandatory")), custom=True,
                  default=raw.get("defaultValue"), values=tuple(str(v) for v in values))


def field_api_routes(state: DeskState, api: str) -> list[Route]:
    """``GET {api}/organizationFields``."""

    async def listed(request: Request) -> Response:
        if request.query_params.get("module") != "tickets":
            raise DeskError(422, "UNPROCESSABLE_ENTITY",
                            "The sandbox keeps the fields of module=tickets")
        names = {n for n in (request.query_params.get("apiNames") or "").split(",") if n}
        return JSONResponse({"data": [f for f in ticket_fields(state)
                                      if not names or f["apiName"] in names]})

    return [Route(f"{api}/organizationFields", listed, methods=["GET"])]


def field_control_routes(state: DeskState) -> list[Route]:
    """``POST /_sandbox/ticket-fields``."""

    async def added(request: Request) -> Response:
        fields: list[dict[str, Any]] = []
        try:
            for raw in json.loads(await request.body() or b"{}").get("fields") or []:
                number = len(STANDARD_FIELDS) + len(state.ticket_fields) + len(fields) + 1
                fields.append(_custom_field(number, raw))
        except (ValueError, AttributeError):
            return JSONResponse({"error": "the body is {\"fields\": [...]}"}, status_code=400)
        except DeskError as error:
            return JSONResponse(error.body(), status_code=error.status)
        state.ticket_fields.extend(fields)
        return JSONResponse({"fields": [f["apiName"] for f in ticket_fields(state)]})

    return [Route(f"{CONTROL_PREFIX}/ticket-fields", added, methods=["POST"])]
