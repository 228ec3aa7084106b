"""The synced fields of a record, as flat ``{field: JSON value}`` dicts.

A field is a canonical field name (``name``, ``emails``) or ``custom.<key>``. Values
are compared in their JSON form, as the models normalise them (e-mails lower-cased, phones
in E.164), so the same value read from two vendors compares equal.

A person's name is compared in the form both sides keep (``one_name``): between two
records with first and last names (Bigin, Zoho Desk, amoCRM) each part is a field of its
own, so an edit of the first name on one side and of the last name on the other are both
kept; with a side that keeps only a whole name (Movidesk, Ploomes, Usedesk) the whole
name is one value (``WholeName``), so a name split or joined on its way to the other
side reads back the same, and its echo is recognised as the write it came from.
"""

from __future__ import annotations

from typing import Any

from ...models import Company, Contact, Record, join_name, split_name

DEFAULT_FIELDS: dict[type[Record], tuple[str, ...]] = {
    Contact: ("name", "first_name", "last_name", "emails", "phones"),
    Company: ("name", "phones"),
}
"""What is synced without any mapping: the fields every helpdesk and CRM has."""

NAME_PARTS = ("first_name", "last_name")
"""A contact's name fields besides its whole ``name``."""

EMPTY = (None, [], "", {})


class WholeName(str):
    """A person's whole name as it is compared and recorded (plain text), carrying the
    first and last names a write gives the sides that store them: the source's own when
    they join into the whole name, else the whole name split (``split_name``)."""

    first: str | None
    last: str | None

    def __new__(cls, record: Contact) -> WholeName:
        """The whole name of ``record`` (its name, or first and last names joined)."""
        whole = super().__new__(cls, record.display_name() or "")
        parts = (record.first_name, record.last_name)
        whole.first, whole.last = parts if join_name(*parts) == whole else split_name(whole)
        return whole


def synced_fields(model: type[Record], mapped: list[str]) -> list[str]:
    """The default fields of ``model`` followed by the mapping's own targets."""
    fields = list(DEFAULT_FIELDS[model])
    fields += [target for target in mapped if target not in fields]
    return fields


def one_name(wanted: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """``wanted`` (a source's flat values) with a person's name in the one form the
    source and ``current`` (the target's) both keep: the first and last names when both
    have either, else the whole name alone. Values without name parts are returned as
    they are."""
    if "name" not in wanted or not set(NAME_PARTS) <= wanted.keys():
        return wanted
    both_have_parts = all(any(values[part] for part in NAME_PARTS)
                          for values in (wanted, current))
    left_out = ("name",) if both_have_parts else NAME_PARTS
    return {field: value for field, value in wanted.items() if field not in left_out}


def flatten(record: Record, fields: list[str]) -> dict[str, Any]:
    """``record``'s values of ``fields``; an empty value is ``None``."""
    dumped = record.model_dump(mode="json")
    values = {}
    for field in fields:
        if field.startswith("custom."):
            value = dumped["custom"].get(field.removeprefix("custom."))
        elif field == "name" and isinstance(record, Contact):
            value = WholeName(record)
        else:
            value = dumped.get(field)
        values[field] = None if value in EMPTY else value
    return values


def unflatten(model: type[Record], values: dict[str, Any]) -> Record:
    """A ``model`` whose set fields are exactly ``values`` (what an update writes); a
    contact's ``name`` sets its first and last names too (``WholeName``) unless
    ``values`` has them."""
    data: dict[str, Any] = {}
    for field, value in values.items():
        if field.startswith("custom."):
            data.setdefault("custom", {})[field.removeprefix("custom.")] = value
        elif field == "name" and model is Contact:
            data["name"] = value
            first, last = ((value.first, value.last) if isinstance(value, WholeName)
                           else split_name(value))
            data.setdefault("first_name", first)
            data.setdefault("last_name", last)
        elif value is None and model.model_fields[field].default_factory is list:
            data[field] = []
        else:
            data[field] = value
    return model.model_validate(data)
