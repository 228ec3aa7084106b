"""Mapping overrides in force: versions saved in the store (from the admin pages) over the
config file's mappings, compiled into a runtime's integrations.

A saved version is the whole table of a slot (the recipe's defaults included), so a rule
deleted on the page stays deleted. A version without a mapping puts the config file's
back. ``OverrideRefresher`` keeps a process's runtime up to date with versions saved by
another process (a PostgreSQL installation's workers), checking at most once a second.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .compiler import CompiledMapping, compile_mapping

if TYPE_CHECKING:
    from ..recipes import Integration
    from ..runtime import Runtime
    from ..store import Store
    from ..store.mappings import MappingVersion

REFRESH_SECONDS = 1.0
"""How often a process looks for versions saved elsewhere."""


def config_rules(integration: Integration, slot: str) -> dict[str, Any]:
    """The slot's rules from the recipe's defaults and the config file."""
    spec = integration.recipe.mappings[slot]
    given = integration.config.mapping.get(slot) or {}
    return {target: rule for target, rule in {**spec.default, **given}.items()
            if rule is not None}


def compile_rules(runtime: Runtime, integration: Integration, slot: str,
                  rules: dict[str, Any]) -> CompiledMapping:
    """Compile ``rules`` for the slot; ``ConfigError`` names the first wrong field."""
    spec = integration.recipe.mappings[slot]
    return compile_mapping(rules, source_model=spec.source, target_model=spec.target,
                           transforms=runtime.registry.transforms,
                           where=f"integrations.{integration.name}.mapping.{slot}")


def apply_overrides(runtime: Runtime, versions: dict[tuple[str, str], MappingVersion]) -> None:
    """Compile the versions in force into the runtime's integrations. A stored mapping
    that no longer compiles (the recipe changed since) is left out: the config file's
    stays in force."""
    for (name, slot), version in versions.items():
        integration = runtime.integrations.get(name)
        if integration is None or slot not in integration.recipe.mappings:
            continue
        from_file = config_rules(integration, slot)
        try:
            integration.mappings[slot] = compile_rules(
                runtime, integration, slot, from_file if version.mapping is None
                else version.mapping)
        except ConfigError:
            integration.mappings[slot] = compile_rules(runtime, integration, slot, from_file)


class OverrideRefresher:
    """Applies versions saved by any process to this process's runtime before a run."""

    def __init__(self, runtime: Runtime, store: Store, interval: float = REFRESH_SECONDS):
        self.runtime = runtime
        self.store = store
        self.interval = interval
        self._checked = -float("inf")
        self._seen: int | None = None

    async def refresh(self) -> None:
        """Apply new versions, looking in the store at most once per ``interval``."""
        now = time.monotonic()
        if now - self._checked < self.interval:
            return
        self._checked = now
        newest = await self.store.run(self.store.mappings.newest_id)
        if newest != self._seen:
            apply_overrides(self.runtime, await self.store.run(self.store.mappings.in_force))
            self._seen = newest
