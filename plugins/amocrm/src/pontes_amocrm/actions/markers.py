"""Markers at amoCRM, so a run cut short finds the record it created instead of creating
another (``<entity>.find_created``).

A lead, contact or company carries its marker (``pontes:<id>``) in a text custom field the
operator names (``deal_marker_field``, ``contact_marker_field``, ``company_marker_field``),
found again with ``query``; a note carries it on its last line, which the mapper leaves
out of the canonical text. A connection without the field cannot look, and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pontes.plugin import CapabilityError, Connection, Record, has_marker, marker_token

from .records import search

R = TypeVar("R", bound=Record)

SETTING_OF = {"leads": "deal_marker_field", "contacts": "contact_marker_field",
              "companies": "company_marker_field"}


def marker_field(connection: Connection, entity: str) -> int | None:
    """The id of the text field where ``entity``'s records carry their marker, if set."""
    return getattr(connection.settings, SETTING_OF[entity])


def with_marker(connection: Connection, entity: str, payload: dict[str, Any],
                draft: Record) -> dict[str, Any]:
    """``payload`` with the draft's marker in the entity's marker field (when one is set)."""
    field_id = marker_field(connection, entity)
    if field_id is None:
        return payload
    values = [v for v in payload.get("custom_fields_values") or []
              if v.get("field_id") != field_id]
    values.append({"field_id": field_id, "values": [{"value": marker_token(draft)}]})
    return {**payload, "custom_fields_values": values}


def _marker_value(raw: dict[str, Any], field_id: int) -> str:
    return " ".join(str(v.get("value")) for f in raw.get("custom_fields_values") or []
                    if f.get("field_id") == field_id for v in f.get("values") or [])


async def find_marked(connection: Connection, entity: str, draft: Record,
                      to_canonical: Callable[[dict[str, Any], str], R]) -> R | None:
    """The record of ``entity`` whose marker field holds the draft's marker, or ``None``;
    ``CapabilityError`` when the connection names no marker field."""
    field_id = marker_field(connection, entity)
    if field_id is None:
        raise CapabilityError(f"connection {connection.name!r} has no {SETTING_OF[entity]}, "
                              f"so the {entity} it creates carry no marker to find them by")
    for raw in await search(connection, entity, marker_token(draft)):
        if has_marker(_marker_value(raw, field_id), draft):
            return to_canonical(raw, connection.name)
    return None
