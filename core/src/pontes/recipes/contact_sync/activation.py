"""Activating ``contact_sync``: every custom field a mapping writes is checked against the
target's field metadata, then the change webhooks are registered (or described)."""

from __future__ import annotations

from ...connection import Connection
from ...errors import ConfigError
from ..activation import activate_webhooks
from ..base import Integration, SetupStep
from .sync import slot_for


async def check_custom_fields(integration: Integration) -> list[SetupStep]:
    """One step per side that lists its fields: every ``custom.<key>`` target of the
    mappings into it names one of its fields (by id or API name); ``ConfigError`` naming
    the mapping key otherwise."""
    steps = []
    for role, connection in integration.connections.items():
        if not connection.has("field.list"):
            continue
        checked = 0
        for entity in ("contact", "company"):
            slot = slot_for(entity, role)
            keys = [t.removeprefix("custom.") for t in integration.mappings[slot].targets
                    if t.startswith("custom.")]
            if keys:
                known = await _field_keys(connection, entity)
                for key in keys:
                    if key not in known:
                        raise ConfigError(
                            f"integrations.{integration.name}.mapping.{slot}: "
                            f"{connection.name} has no {entity} field {key!r}; known: "
                            f"{', '.join(sorted(known)) or 'none'}")
                checked += len(keys)
        steps.append(SetupStep(f"{connection.name}: mapped custom fields", True,
                               f"{checked} checked against its field list"))
    return steps


async def _field_keys(connection: Connection, entity: str) -> set[str]:
    fields = await connection.call("field.list", entity=entity)
    return {f.id for f in fields} | {f.code for f in fields if f.code}


async def activate(integration: Integration, hook_urls: dict[str, str]) -> list[SetupStep]:
    """Check the mapped custom fields, then register or describe both sides' webhooks."""
    steps = await check_custom_fields(integration)
    return steps + await activate_webhooks(integration, hook_urls)
