"""Everything the enabled plugins contributed, indexed and checked for clashes.

``Registry.collect(pm)`` calls each registration hook once per plugin, so a clash (two
connectors with one name, an action for an unknown connector) is reported with the names
of the plugins involved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .capabilities import CAPABILITIES
from .connection import Connection
from .connector import (
    Action,
    ConnectionSettings,
    Connector,
    Mapper,
    PollingTrigger,
    Sandbox,
    Stream,
    WebhookTrigger,
)
from .errors import PluginLoadError

if TYPE_CHECKING:
    import pluggy

    from .mapping import Transform
    from .recipes import Recipe

Trigger = WebhookTrigger | PollingTrigger


@dataclass
class Registry:
    """The contributions of the enabled plugins, by kind and key."""

    connectors: dict[str, Connector] = field(default_factory=dict)
    actions: dict[tuple[str, str], Action] = field(default_factory=dict)
    triggers: dict[str, list[Trigger]] = field(default_factory=lambda: defaultdict(list))
    mappers: dict[tuple[str, str], Mapper] = field(default_factory=dict)
    streams: dict[tuple[str, str], Stream] = field(default_factory=dict)
    sandboxes: dict[str, Sandbox] = field(default_factory=dict)
    recipes: dict[str, Recipe] = field(default_factory=dict)
    transforms: dict[str, Transform] = field(default_factory=dict)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)

    def capabilities(self, connector: str) -> set[str]:
        """Action names, trigger events and automations a connector supports."""
        names = {name for (owner, name) in self.actions if owner == connector}
        if connector in self.connectors:
            names.update(self.connectors[connector].automations)
        for trigger in self.triggers.get(connector, []):
            names.update(trigger.events)
        return names

    def mapper(self, connector: str, entity: str) -> Mapper | None:
        """The connector's mapper for a canonical entity, if it registered one."""
        return self.mappers.get((connector, entity))

    def webhook_triggers(self, connector: str) -> list[WebhookTrigger]:
        """The connector's webhook triggers."""
        return [t for t in self.triggers.get(connector, []) if isinstance(t, WebhookTrigger)]

    def polling_triggers(self, connector: str) -> list[PollingTrigger]:
        """The connector's polling triggers."""
        return [t for t in self.triggers.get(connector, []) if isinstance(t, PollingTrigger)]

    def connect(self, name: str, connector: str, settings: ConnectionSettings) -> Connection:
        """A ``Connection`` called ``name`` to ``connector``, holding that connector's
        actions, triggers and streams; ``LookupError`` when no such connector is loaded."""
        if connector not in self.connectors:
            known = ", ".join(sorted(self.connectors)) or "none"
            raise LookupError(f"no connector {connector!r} is registered; registered: {known}")
        return Connection(
            name, self.connectors[connector], settings,
            actions=[a for (owner, _), a in self.actions.items() if owner == connector],
            triggers=self.triggers.get(connector, []),
            streams=[s for (owner, _), s in self.streams.items() if owner == connector],
        )

    # --- building ---------------------------------------------------------------------

    @classmethod
    def collect(cls, pm: pluggy.PluginManager) -> Registry:
        """Call every registration hook of every plugin and index the results."""
        registry = cls()
        for plugin, connector in _each(pm, "register_connectors"):
            _check_automations(plugin, connector)
            registry._add("connector", connector.name, plugin, registry.connectors, connector)
        for plugin, action in _each(pm, "register_actions"):
            registry._need_connector(plugin, action.connector, f"action {action.name!r}")
            _check_action_name(plugin, action)
            registry._add("action", f"{action.connector}:{action.name}", plugin,
                          registry.actions, action, key=(action.connector, action.name))
        for plugin, trigger in _each(pm, "register_triggers"):
            registry._need_connector(plugin, trigger.connector, f"trigger {trigger.name!r}")
            registry.triggers[trigger.connector].append(trigger)
        for plugin, mapper in _each(pm, "register_mappers"):
            registry._need_connector(plugin, mapper.connector, f"mapper {mapper.entity!r}")
            registry._add("mapper", f"{mapper.connector}:{mapper.entity}", plugin,
                          registry.mappers, mapper, key=(mapper.connector, mapper.entity))
        for plugin, stream in _each(pm, "register_streams"):
            registry._need_connector(plugin, stream.connector, f"stream {stream.name!r}")
            registry._add("stream", f"{stream.connector}:{stream.name}", plugin,
                          registry.streams, stream, key=(stream.connector, stream.name))
        for plugin, sandbox in _each(pm, "register_sandboxes"):
            registry._add("sandbox", sandbox.connector, plugin, registry.sandboxes, sandbox)
        for plugin, recipe in _each(pm, "register_recipes"):
            registry._add("recipe", recipe.name, plugin, registry.recipes, recipe)
        for plugin, transforms in _each(pm, "register_transforms", flatten=False):
            for name, transform in transforms.items():
                registry._add("transform", name, plugin, registry.transforms, transform)
        return registry

    def _add(self, kind: str, label: str, plugin: str, table: dict[Any, Any], item: Any,
             key: Any = None) -> None:
        key = label if key is None else key
        if key in table:
            first = self.origin[(kind, label)]
            raise PluginLoadError(
                f"plugin {plugin!r} registers {kind} {label!r}, already registered by "
                f"plugin {first!r}"
            )
        table[key] = item
        self.origin[(kind, label)] = plugin

    def _need_connector(self, plugin: str, connector: str, what: str) -> None:
        if connector not in self.connectors:
            raise PluginLoadError(
                f"plugin {plugin!r} registers {what} for unknown connector {connector!r}; "
                f"known connectors: {', '.join(sorted(self.connectors)) or 'none'}"
            )


def _check_automations(plugin: str, connector: Connector) -> None:
    for name in connector.automations:
        capability = CAPABILITIES.get(name)
        if capability is None or capability.kind != "trigger":
            raise PluginLoadError(
                f"plugin {plugin!r}: connector {connector.name!r} declares automation "
                f"{name!r}, which is not a canonical trigger capability"
            )


def _check_action_name(plugin: str, action: Action) -> None:
    if action.name in CAPABILITIES:
        return
    if not action.name.startswith(f"{action.connector}."):
        raise PluginLoadError(
            f"plugin {plugin!r}: action {action.name!r} is not a canonical capability; "
            f"vendor-specific actions must be named '{action.connector}.<name>'"
        )
    if action.input is None:
        raise PluginLoadError(
            f"plugin {plugin!r}: vendor-specific action {action.name!r} must declare its input model"
        )


def _each(pm: pluggy.PluginManager, hook_name: str,
          flatten: bool = True) -> Iterable[tuple[str, Any]]:
    """(plugin name, item) for everything each plugin returns from a registration hook.

    Each plugin's implementation is called through ``pm.hook`` (a caller limited to that
    plugin), so pluggy's tracing (``PONTES_TRACE_PLUGINS``) sees every registration and the
    plugin that made it is known.
    """
    impls = list(reversed(getattr(pm.hook, hook_name).get_hookimpls()))
    for impl in impls:
        others = [other.plugin for other in impls if other.plugin is not impl.plugin]
        call = pm.subset_hook_caller(hook_name, remove_plugins=others)
        try:
            results = call()
        except Exception as exc:  # a plugin's own bug: name it rather than crash blindly
            raise PluginLoadError(
                f"plugin {impl.plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
            ) from exc
        for result in results:
            if not flatten:
                yield impl.plugin_name, result
                continue
            for item in result:
                yield impl.plugin_name, item
