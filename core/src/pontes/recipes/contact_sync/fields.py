"""The synced fields of a record, as flat ``{field: JSON value}`` dicts.

A field is a canonical field name (``first_name``, ``emails``) or ``custom.<key>``. Values
are compared in their JSON form, as the models normalise them (e-mails lower-cased, phones
in E.164), so the same value read from two vendors compares equal.
"""

from __future__ import annotations

from typing import Any

from ...models import Company, Contact, Record

DEFAULT_FIELDS: dict[type[Record], tuple[str, ...]] = {
    Contact: ("first_name", "last_name", "emails", "phones"),
    Company: ("name", "phones"),
}
"""What is synced without any mapping: the fields every helpdesk and CRM has."""

EMPTY = (None, [], "", {})


def synced_fields(model: type[Record], mapped: list[str]) -> list[str]:
    """The default fields of ``model`` followed by the mapping's own targets."""
    fields = list(DEFAULT_FIELDS[model])
    fields += [target for target in mapped if target not in fields]
    return fields


def flatten(record: Record, fields: list[str]) -> dict[str, Any]:
    """``record``'s values of ``fields``; an empty value is ``None``."""
    dumped = record.model_dump(mode="json")
    values = {}
    for field in fields:
        if field.startswith("custom."):
            value = dumped["custom"].get(field.removeprefix("custom."))
        else:
            value = dumped.get(field)
        values[field] = None if value in EMPTY else value
    return values


def unflatten(model: type[Record], values: dict[str, Any]) -> Record:
    """A ``model`` whose set fields are exactly ``values`` (what an update writes)."""
    data: dict[str, Any] = {}
    for field, value in values.items():
        if field.startswith("custom."):
            data.setdefault("custom", {})[field.removeprefix("custom.")] = value
        elif value is None and model.model_fields[field].default_factory is list:
            data[field] = []
        else:
            data[field] = value
    return model.model_validate(data)
