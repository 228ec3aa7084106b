"""What a CRM says about itself: pipelines and their stages, the custom fields of
contacts and deals (with their choices and required flags) and users, as the CRM panel
and the deal requests need them.

Read through the canonical capabilities ``pipeline.list``, ``field.list`` and
``user.list``, each only when the connection has it, and kept per connection for a short
while, so a ticket card opening or a request being checked costs the CRM no metadata
calls when the cache is warm. A caller that meets an id the cache does not know (a
stage created a minute ago) asks again with ``fresh=True``. Other metadata of a
connection (a helpdesk's ticket fields) is kept the same way, through ``remembered``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..capabilities import FieldInfo, Pipeline, UserInfo
from ..connection import Connection

TTL_SECONDS = 60.0
"""How long a connection's metadata is reused before it is read again."""

T = TypeVar("T")


@dataclass(frozen=True)
class CrmMetadata:
    """A CRM's metadata; a part is ``None`` when the CRM cannot list it."""

    pipelines: list[Pipeline] | None
    deal_fields: list[FieldInfo] | None
    contact_fields: list[FieldInfo] | None
    users: list[UserInfo] | None

    def pipeline(self, pipeline_id: str) -> Pipeline | None:
        """The pipeline with this id, or ``None``."""
        return next((p for p in self.pipelines or [] if p.id == pipeline_id), None)

    def deal_field(self, field_id: str) -> FieldInfo | None:
        """The deal custom field with this id, or ``None`` (also when fields are unknown)."""
        return next((f for f in self.deal_fields or [] if f.id == field_id), None)

    def stage_name(self, pipeline_id: str | None, stage_id: str | None) -> str | None:
        """The name of a stage (with its pipeline's when there are several pipelines)."""
        for pipeline in self.pipelines or []:
            if pipeline.id != pipeline_id:
                continue
            stage = next((s.name for s in pipeline.stages if s.id == stage_id), None)
            if stage is None:
                return None
            return stage if len(self.pipelines or []) == 1 else f"{pipeline.name}: {stage}"
        return None

    def user_name(self, user_id: str | None) -> str | None:
        """The name of a user, or ``None``."""
        return next((u.name or u.email for u in self.users or [] if u.id == user_id), None)


_cache: dict[tuple[str, int, str], tuple[float, Any]] = {}


async def remembered(connection: Connection, part: str, read: Callable[[], Awaitable[T]], *,
                     fresh: bool = False, ttl: float = TTL_SECONDS) -> T:
    """What ``read()`` says of ``connection`` (its metadata ``part``), kept per connection
    and read again when older than ``ttl`` seconds or ``fresh``."""
    key = (connection.name, id(connection), part)
    cached = _cache.get(key)
    if not fresh and cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]
    value = await read()
    _cache[key] = (time.monotonic(), value)
    return value


async def crm_metadata(crm: Connection, *, fresh: bool = False,
                       ttl: float = TTL_SECONDS) -> CrmMetadata:
    """``crm``'s metadata, read again when older than ``ttl`` seconds or ``fresh``."""

    async def optional(capability: str, **params: object) -> list | None:
        return await crm.call(capability, **params) if crm.has(capability) else None

    async def read() -> CrmMetadata:
        pipelines, deal_fields, contact_fields, users = await asyncio.gather(
            optional("pipeline.list"), optional("field.list", entity="deal"),
            optional("field.list", entity="contact"), optional("user.list"))
        return CrmMetadata(pipelines, deal_fields, contact_fields, users)

    return await remembered(crm, "crm", read, fresh=fresh, ttl=ttl)
