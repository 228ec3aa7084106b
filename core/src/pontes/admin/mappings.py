"""The mapping editor's queries: each slot's rules in force, validation that names the
wrong field and lists the allowed ones, a preview on the integration's last event, and
versioned overrides of the config file stored in the store, with roll-back.

A saved mapping is the whole table of the slot (the recipe's defaults included), so a
rule deleted in the editor stays deleted. ``apply_overrides`` puts the versions in force
into a runtime; the server calls it at start-up and after each save.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python

from ..errors import ConfigError, PontesError
from ..mapping import CompiledMapping
from ..mapping.overrides import compile_rules, config_rules
from ..mapping.paths import writable_fields
from ..models import Event
from ..recipes import Integration
from ..store.mappings import MappingVersion
from .context import AdminContext
from .models import MappingCheck, MappingSlotEntry, MappingVersionEntry

SAMPLES = 20
"""How many of the integration's newest events are tried as the preview's sample."""


class UnknownSlot(LookupError):
    """No such integration, or its recipe has no such mapping slot."""


def _slot(admin: AdminContext, name: str, slot: str) -> Integration:
    integration = admin.runtime.integrations.get(name)
    if integration is None or slot not in integration.recipe.mappings:
        raise UnknownSlot(f"{name}.{slot}")
    return integration


def target_fields(integration: Integration, slot: str) -> list[str]:
    """The fields of the slot's target model a rule may write."""
    return writable_fields(integration.recipe.mappings[slot].target)


async def slots(admin: AdminContext, name: str) -> list[MappingSlotEntry]:
    """Every mapping slot of an integration."""
    integration = admin.runtime.integrations.get(name)
    if integration is None:
        raise UnknownSlot(name)
    return [await slot_entry(admin, name, slot) for slot in integration.recipe.mappings]


async def slot_entry(admin: AdminContext, name: str, slot: str) -> MappingSlotEntry:
    """One slot: its rules in force, where they come from, and its saved versions."""
    integration = _slot(admin, name, slot)
    versions = await admin.store.run(admin.store.mappings.versions, name, slot)
    spec = integration.recipe.mappings[slot]
    from_file = config_rules(integration, slot)
    newest = versions[0] if versions else None
    in_force = newest.mapping if newest and newest.mapping is not None else from_file
    return MappingSlotEntry(
        integration=name, slot=slot, description=spec.description,
        source_model=spec.source.__name__, target_model=spec.target.__name__,
        rules=in_force, config_rules=from_file,
        version=newest.version if newest and newest.mapping is not None else None,
        target_fields=target_fields(integration, slot),
        versions=[MappingVersionEntry(version=v.version, mapping=v.mapping, note=v.note,
                                      created_at=v.created_at) for v in versions])


def validate(admin: AdminContext, integration: Integration, slot: str,
             rules: dict[str, Any]) -> tuple[CompiledMapping | None, MappingCheck | None]:
    """The compiled mapping, or the check answer naming the first wrong field."""
    allowed = target_fields(integration, slot)
    for target, rule in rules.items():
        try:
            compile_rules(admin.runtime, integration, slot, {target: rule})
        except ConfigError as exc:
            return None, MappingCheck(ok=False, error=str(exc), field=target, allowed=allowed)
    return compile_rules(admin.runtime, integration, slot, rules), None


async def check(admin: AdminContext, name: str, slot: str,
                rules: dict[str, Any]) -> MappingCheck:
    """Validate edited rules and, when they are valid, apply them to a sample: the
    record of the newest event of the integration that loads as the slot's source."""
    integration = _slot(admin, name, slot)
    compiled, failed = validate(admin, integration, slot, rules)
    if failed is not None:
        return failed
    sample = await _sample(admin, integration, slot)
    if sample is None:
        return MappingCheck(ok=True, allowed=target_fields(integration, slot))
    event_id, record = sample
    try:
        preview = compiled.apply(record)
    except PontesError as exc:
        return MappingCheck(ok=False, error=str(exc), sample_event=event_id,
                            allowed=target_fields(integration, slot))
    return MappingCheck(ok=True, sample_event=event_id, preview=_jsonable(preview),
                        allowed=target_fields(integration, slot))


async def _sample(admin: AdminContext, integration: Integration,
                  slot: str) -> tuple[int, Any] | None:
    source = integration.recipe.mappings[slot].source
    store = admin.store
    recent = await store.run(store.events.list, integration=integration.name, limit=SAMPLES)
    for summary in recent:
        if summary.status in ("rejected", "ignored"):
            continue
        detail = await store.run(store.events.get, summary.id)
        if not detail or not detail.event:
            continue
        try:
            record = await integration.load(summary.role, Event.model_validate(detail.event))
        except Exception:  # a vendor that does not answer now: try an older event
            continue
        if isinstance(record, source):
            return summary.id, record
    return None


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return to_jsonable_python(values, fallback=str)


class InvalidMapping(ValueError):
    """Rules that do not compile; ``check`` is the answer naming the wrong field."""

    def __init__(self, check: MappingCheck):
        super().__init__(check.error)
        self.check = check


async def save(admin: AdminContext, name: str, slot: str,
               rules: dict[str, Any]) -> MappingSlotEntry:
    """Store the rules as the slot's next version and put them in force."""
    integration = _slot(admin, name, slot)
    compiled, failed = validate(admin, integration, slot, rules)
    if failed is not None:
        raise InvalidMapping(failed)
    await admin.store.run(admin.store.mappings.save, name, slot, rules, "saved")
    integration.mappings[slot] = compiled
    return await slot_entry(admin, name, slot)


async def rollback(admin: AdminContext, name: str, slot: str,
                   version: int) -> MappingSlotEntry:
    """Put a saved version back in force (0: the config file's mapping), as a new version."""
    integration = _slot(admin, name, slot)
    if version == 0:
        rules, note = None, "back to the config file"
    else:
        versions = await admin.store.run(admin.store.mappings.versions, name, slot)
        chosen = next((v for v in versions if v.version == version), None)
        if chosen is None:
            raise UnknownSlot(f"{name}.{slot} version {version}")
        rules, note = chosen.mapping, f"rolled back to version {version}"
    await admin.store.run(admin.store.mappings.save, name, slot, rules, note)
    integration.mappings[slot] = compile_rules(
        admin.runtime, integration, slot, config_rules(integration, slot) if rules is None
        else rules)
    return await slot_entry(admin, name, slot)


def export_rules(integration: Integration, slot: str,
                 version: MappingVersion | None) -> dict[str, Any]:
    """The slot's rules in force as the config file's ``mapping.<slot>`` table: a default
    rule the saved version dropped is written ``null``, which turns it off."""
    if version is None or version.mapping is None:
        return dict(integration.config.mapping.get(slot) or {})
    default = integration.recipe.mappings[slot].default
    dropped = {target: None for target in default if target not in version.mapping}
    return {**version.mapping, **dropped}
