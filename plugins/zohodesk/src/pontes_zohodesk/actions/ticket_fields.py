"""What a new Zoho Desk ticket takes (``ticket.fields``), read from the portal's ticket
fields (``GET /organizationFields?module=tickets``).

Only the fields ``ticket.create`` writes are listed: the subject, description, priority,
category and the custom (``cf_``) fields. The department, the contact and the status are
pontes' to fill, and a type a form cannot ask for (a lookup, a multi-select) is left out.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Connection, FieldChoice, NoParams, TicketField

from ..client import desk_get, rows
from ..connector import kit

TYPES = {"Text": "text", "Textarea": "long_text", "Picklist": "choice", "Email": "email",
         "Date": "date", "Number": "number", "Decimal": "number", "Currency": "number",
         "Percent": "number", "Phone": "text", "URL": "text"}
"""Zoho Desk field type -> the form's."""
WRITTEN = ("subject", "description", "priority", "category")
"""The standard fields ``ticket.create`` writes (named as the canonical ticket's)."""


def ticket_field(raw: dict[str, Any]) -> TicketField | None:
    """A field of ``organizationFields`` as a ticket field, or ``None`` when pontes does
    not write it."""
    name = str(raw.get("apiName") or "")
    kind = TYPES.get(str(raw.get("type")))
    if kind is None or not (name in WRITTEN or (raw.get("isCustomField")
                                                and name.startswith("cf_"))):
        return None
    values = [str(v["value"]) for v in raw.get("allowedValues") or []
              if isinstance(v, dict) and v.get("value") is not None]
    default = raw.get("defaultValue")
    return TicketField(name=name, label=str(raw.get("displayLabel") or name), type=kind,
                       required=bool(raw.get("isMandatory")),
                       default=str(default) if default not in (None, "") else None,
                       options=[FieldChoice(id=v, value=v) for v in values])


@kit.action("ticket.fields")
async def ticket_fields(connection: Connection, params: NoParams) -> list[TicketField]:
    """The fields of a new ticket: the standard ones pontes writes, then the custom ones,
    mandatory ones marked."""
    found = rows(await desk_get(connection, "/organizationFields",
                                params={"module": "tickets"}))
    return [field for field in map(ticket_field, found) if field is not None]
