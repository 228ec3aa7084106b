"""The organisation's metadata: field definitions (so mappings can be checked), the
pipelines and their stages, and users.

``GET /settings/fields?module=`` answers ``{"fields": [...]}`` with each field's
``api_name``, ``field_label``, ``data_type``, ``system_mandatory`` and, for picklists,
``pick_list_values`` (``display_value``, ``actual_value``). A deal's pipelines are the
choices of its ``Sub_Pipeline`` field and its stages those of ``Stage``, by their
``actual_value`` (the name a record carries).
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    Connection,
    FieldChoice,
    FieldInfo,
    FieldsOf,
    NoParams,
    Pipeline,
    PipelineStage,
)

from ..connector import kit
from ..modules import MODULE_OF_ENTITY, PIPELINES


async def fields_of(connection: Connection, module: str) -> list[dict[str, Any]]:
    """The field definitions of ``module``."""
    body = await connection.client.get_json("/settings/fields", params={"module": module})
    fields = body.get("fields") if isinstance(body, dict) else None
    return [f for f in fields or [] if isinstance(f, dict)]


def choices_of(raw: dict[str, Any]) -> list[FieldChoice]:
    """A picklist's choices: ``actual_value`` (what records carry) as the id."""
    return [FieldChoice(id=str(v.get("actual_value") or v.get("display_value")),
                        value=str(v.get("display_value") or v.get("actual_value")))
            for v in raw.get("pick_list_values") or [] if isinstance(v, dict)]


def field_info(raw: dict[str, Any]) -> FieldInfo:
    """A field's definition as pontes lists it: its ``id`` is its API name, the key a
    record's ``custom`` holds it under (so a mapping's ``custom.<id>`` can be checked),
    and Bigin's own fields have it as their ``code`` too (a custom field has none)."""
    api_name = str(raw.get("api_name") or "")
    return FieldInfo(id=api_name, name=str(raw.get("field_label") or api_name),
                     type=str(raw.get("data_type") or "text"),
                     code=None if raw.get("custom_field") else api_name,
                     required=bool(raw.get("system_mandatory")), choices=choices_of(raw))


@kit.action("field.list")
async def field_list(connection: Connection, params: FieldsOf) -> list[FieldInfo]:
    """The fields of contacts, companies (``Accounts``) or deals (``Pipelines``)."""
    return [field_info(raw) for raw in await fields_of(connection,
                                                        MODULE_OF_ENTITY[params.entity])]


async def pipelines_of(connection: Connection) -> list[Pipeline]:
    """The pipelines (``Sub_Pipeline`` choices), each with the ``Stage`` choices."""
    fields = {f.get("api_name"): f for f in await fields_of(connection, PIPELINES)}
    stages = [PipelineStage(id=c.id, name=c.value)
              for c in choices_of(fields.get("Stage") or {})]
    return [Pipeline(id=c.id, name=c.value, stages=stages)
            for c in choices_of(fields.get("Sub_Pipeline") or {})]


@kit.action("pipeline.list")
async def pipeline_list(connection: Connection, params: NoParams) -> list[Pipeline]:
    """Every pipeline with its stages in their order (``Closed Won`` and ``Closed Lost``
    included)."""
    return await pipelines_of(connection)
