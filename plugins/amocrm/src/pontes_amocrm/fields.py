"""amoCRM's ``custom_fields_values``, read and written.

A record carries ``[{"field_id", "field_code", "values": [{"value", "enum_id",
"enum_code"}]}]``. Contacts and companies keep their phones and e-mails in the system
multitext fields ``PHONE`` and ``EMAIL`` (``enum_code`` ``WORK``, ``MOB``...). Every other
field goes to a canonical record's ``custom`` under its id, with its ``values`` list as
amoCRM sent it; on the way back a list is sent as ``values`` as it is, a mapping as one
value object (``{"enum_id": 705377}``) and anything else as ``{"value": ...}``.
"""

from __future__ import annotations

from typing import Any

from .ids import amocrm_id

PHONE = "PHONE"
EMAIL = "EMAIL"
WEB = "WEB"
SYSTEM_CODES = (PHONE, EMAIL, WEB)
DEFAULT_ENUM_CODE = "WORK"


def values_of(raw: dict[str, Any], code: str) -> list[str]:
    """The values of the field with ``field_code`` ``code`` (phones, e-mails), as text."""
    found: list[str] = []
    for field in raw.get("custom_fields_values") or []:
        if field.get("field_code") == code:
            found += [str(v["value"]) for v in field.get("values") or []
                      if v.get("value") not in (None, "")]
    return found


def custom_of(raw: dict[str, Any]) -> dict[str, Any]:
    """The record's other fields: field id (as text) -> ``values`` as amoCRM sent them."""
    return {str(field["field_id"]): field.get("values") or []
            for field in raw.get("custom_fields_values") or []
            if field.get("field_code") not in SYSTEM_CODES and field.get("field_id") is not None}


def field_values(value: Any) -> list[dict[str, Any]]:
    """The ``values`` list amoCRM takes for a canonical custom value."""
    if isinstance(value, list):
        return [item if isinstance(item, dict) else {"value": item} for item in value]
    if isinstance(value, dict):
        return [value]
    return [{"value": value}]


def custom_fields_values(custom: dict[str, Any], *, phones: list[str] | None = None,
                         emails: list[str] | None = None,
                         website: str | None = None) -> list[dict[str, Any]]:
    """``custom_fields_values`` for a write: the system fields given, then ``custom``
    (keys are field ids)."""
    fields: list[dict[str, Any]] = []
    for code, values in ((PHONE, phones), (EMAIL, emails), (WEB, [website] if website else None)):
        if values:
            fields.append({"field_code": code, "values": [
                {"value": value, "enum_code": DEFAULT_ENUM_CODE} if code != WEB
                else {"value": value} for value in values]})
    for field_id, value in custom.items():
        fields.append({"field_id": amocrm_id(field_id, f"custom field id {field_id!r}"),
                       "values": field_values(value)})
    return fields
