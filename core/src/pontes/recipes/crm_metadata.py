"""What a CRM says about its deals: pipelines and stages, custom fields and users.

Read through the canonical capabilities ``pipeline.list``, ``field.list`` and
``user.list`` (each only when the connection has it) and kept per connection for a short
while, so that checking many requests costs the vendor a few calls a minute.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from ..capabilities import FieldInfo, Pipeline, UserInfo
from ..connection import Connection

TTL_SECONDS = 60.0
"""How long a connection's metadata is reused before it is read again."""


@dataclass(frozen=True)
class DealMetadata:
    """A CRM's deal metadata; ``fields`` and ``users`` are ``None`` when the CRM cannot
    list them (its values are then taken unchecked)."""

    pipelines: list[Pipeline]
    fields: list[FieldInfo] | None
    users: list[UserInfo] | None

    def pipeline(self, pipeline_id: str) -> Pipeline | None:
        """The pipeline with this id, or ``None``."""
        return next((p for p in self.pipelines if p.id == pipeline_id), None)

    def field(self, field_id: str) -> FieldInfo | None:
        """The custom field with this id, or ``None`` (also when fields are unknown)."""
        return next((f for f in self.fields or [] if f.id == field_id), None)


_cache: dict[tuple[str, int], tuple[float, DealMetadata]] = {}


async def deal_metadata(crm: Connection, ttl: float = TTL_SECONDS) -> DealMetadata:
    """``crm``'s deal metadata, read again when older than ``ttl`` seconds."""
    key = (crm.name, id(crm))
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < ttl:
        return cached[1]

    async def optional(capability: str, **params: object) -> list | None:
        return await crm.call(capability, **params) if crm.has(capability) else None

    pipelines, fields, users = await asyncio.gather(
        crm.call("pipeline.list"), optional("field.list", entity="deal"), optional("user.list"))
    metadata = DealMetadata(pipelines, fields, users)
    _cache[key] = (time.monotonic(), metadata)
    return metadata


def forget(crm: Connection) -> None:
    """Drop ``crm``'s cached metadata (read again at the next use)."""
    _cache.pop((crm.name, id(crm)), None)
