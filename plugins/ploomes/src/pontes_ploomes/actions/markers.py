"""Markers in Ploomes custom fields: finding a deal, person or company pontes created.

A record a recipe creates carries its marker (its pontes ``id``, see ``pontes.markers``)
in a text custom field the connection names: ``deal_marker_field`` for deals,
``contact_marker_field`` for persons and companies (both are ``Contacts``). A run cut
short after Ploomes created the record then finds it by that field (``<entity>.
find_created``) instead of creating it again. Without the field the record carries no
marker and cannot be looked for: ``find_created`` says so with a ``CapabilityError``, and
the engine logs that the record may be created twice.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import CapabilityError, Connection, Record

from ..client import Query, all_of, any_in, eq, fetch_first


def with_marker(payload: dict[str, Any], field: str | None, draft: Record) -> dict[str, Any]:
    """``payload`` with ``draft``'s marker written in the custom field ``field``, in place
    of any value the draft had there (a marker copied from another record would find
    that record); the payload as it was when the connection names no field."""
    if not field:
        return payload
    kept = [item for item in payload.get("OtherProperties", []) if item.get("FieldKey") != field]
    return {**payload, "OtherProperties": [*kept, {"FieldKey": field, "StringValue": draft.id}]}


def marker_condition(field: str, draft: Record) -> str:
    """The ``$filter`` of the records whose custom field ``field`` holds ``draft``'s
    marker."""
    return any_in("OtherProperties", "o", all_of(eq("o/FieldKey", field),
                                                  eq("o/StringValue", draft.id)))


async def find_marked(connection: Connection, path: str, field: str | None, setting: str,
                      draft: Record, *conditions: str,
                      expand: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The row at ``path`` (``/Deals``, ``/Contacts``) that carries ``draft``'s marker in
    ``field``, or ``None``; a ``CapabilityError`` naming ``setting`` when the connection
    has no such field."""
    if not field:
        raise CapabilityError(f"connection {connection.name!r} has no {setting}, so the "
                              "records it creates carry no marker to find them by")
    return await fetch_first(connection.client, path, Query(
        filter=all_of(*conditions, marker_condition(field, draft)), expand=expand))
