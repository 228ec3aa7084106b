"""The account's metadata: pipelines and their statuses, users, and custom fields with
their enums and the statuses that require them."""

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
    UserInfo,
)

from ..client import API_PREFIX, fetch_all
from ..connector import kit

FIELD_ENTITIES = {"contact": "contacts", "company": "companies", "deal": "leads"}


@kit.action("pipeline.list")
async def pipeline_list(connection: Connection, params: NoParams) -> list[Pipeline]:
    """Every pipeline with its statuses in their order (142 and 143 included)."""
    pipelines = await fetch_all(connection.client, f"{API_PREFIX}/leads/pipelines", "pipelines",
                                allowed_hosts=connection.settings.allowed_hosts)
    return [Pipeline(id=str(p["id"]), name=p.get("name") or "", stages=[
        PipelineStage(id=str(s["id"]), name=s.get("name") or "")
        for s in sorted((p.get("_embedded") or {}).get("statuses") or [],
                        key=lambda s: s.get("sort") or 0)])
        for p in sorted(pipelines, key=lambda p: p.get("sort") or 0)]


@kit.action("user.list")
async def user_list(connection: Connection, params: NoParams) -> list[UserInfo]:
    """The account's users."""
    users = await fetch_all(connection.client, f"{API_PREFIX}/users", "users",
                            allowed_hosts=connection.settings.allowed_hosts)
    return [UserInfo(id=str(u["id"]), name=u.get("name"), email=u.get("email") or None)
            for u in users]


def field_info(raw: dict[str, Any]) -> FieldInfo:
    """A custom field's definition: its enums as choices, and the statuses listed in its
    ``required_statuses`` as the stages that require it."""
    stages = [str(s["status_id"]) for s in raw.get("required_statuses") or []
              if s.get("status_id")]
    return FieldInfo(
        id=str(raw["id"]), name=raw.get("name") or "", type=raw.get("type") or "text",
        code=raw.get("code") or None, required=bool(stages), required_stages=stages,
        choices=[FieldChoice(id=str(e["id"]), value=str(e.get("value", "")))
                 for e in raw.get("enums") or []])


@kit.action("field.list")
async def field_list(connection: Connection, params: FieldsOf) -> list[FieldInfo]:
    """The custom fields of contacts, companies or leads."""
    entity = FIELD_ENTITIES[params.entity]
    fields = await fetch_all(connection.client, f"{API_PREFIX}/{entity}/custom_fields",
                             "custom_fields", allowed_hosts=connection.settings.allowed_hosts)
    return [field_info(raw) for raw in fields]
