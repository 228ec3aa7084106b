"""Finding, choosing and loading plugins.

stevedore lists the ``pontes.plugins`` entry points (what is installed); the operator's
``plugins:`` list chooses which to enable (default: every installed plugin that loads);
the chosen modules are registered with a pluggy ``PluginManager`` next to the core's own
default plugins, and their contributions are indexed in a ``Registry``.

Failure rules:

- a plugin that fails to import is reported, with its error, by ``pontes plugins``;
- it never affects a server that did not enable it (it is not even imported then);
- a plugin named in ``plugins:`` that is missing or fails stops start-up with a message
  naming it and the cause.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import Distribution, entry_points
from types import ModuleType

import pluggy
from stevedore import ExtensionManager, NamedExtensionManager

from . import ENTRY_POINT_GROUP, PROJECT_NAME, hookspecs
from .errors import PluginLoadError
from .registry import Registry

log = logging.getLogger("pontes.plugins")

DEFAULT_PLUGINS = ("pontes.mapping.builtin", "pontes.recipes.builtin")
"""Core modules registered as plugins, so the core uses the same hooks as everyone."""

TRACE_ENV = "PONTES_TRACE_PLUGINS"


@dataclass(frozen=True)
class PluginInfo:
    """An installed plugin: its entry point name, module, distribution and load status."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    error: str | None = None

    @property
    def loaded(self) -> bool:
        return self.error is None


@dataclass
class LoadedPlugins:
    """The result of loading: the plugin manager, the registry and what was found."""

    pm: pluggy.PluginManager
    registry: Registry
    plugins: list[PluginInfo]


def _dist_of(ep) -> tuple[str | None, str | None]:
    """Name and version of the distribution declaring ``ep``.

    stevedore may hand back entry points rebuilt from its cache, without ``dist``; the
    distribution is then found through ``importlib.metadata``.
    """
    dist: Distribution | None = getattr(ep, "dist", None)
    if dist is None:
        dist = next((candidate.dist for candidate in entry_points(group=ENTRY_POINT_GROUP)
                     if candidate.name == ep.name and candidate.value == ep.value), None)
    if dist is None:
        return None, None
    return dist.metadata["Name"], dist.version


def _load_error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def installed_plugins() -> list[PluginInfo]:
    """Every installed plugin, importing each to find out whether it loads."""
    failures: dict[str, str] = {}

    def on_failure(_manager, entry_point, error):
        failures[entry_point.name] = _load_error_text(error)

    manager = ExtensionManager(ENTRY_POINT_GROUP, invoke_on_load=False,
                               on_load_failure_callback=on_failure)
    found = []
    for ep in manager.list_entry_points():
        distribution, version = _dist_of(ep)
        found.append(PluginInfo(ep.name, ep.value, distribution, version, failures.get(ep.name)))
    return sorted(found, key=lambda p: p.name)


def _load_named(names: Sequence[str]) -> list[tuple[PluginInfo, ModuleType]]:
    failures: dict[str, str] = {}
    missing: list[str] = []

    def on_failure(_manager, entry_point, error):
        failures[entry_point.name] = _load_error_text(error)

    manager = NamedExtensionManager(
        ENTRY_POINT_GROUP, names=list(names), invoke_on_load=False, name_order=True,
        on_load_failure_callback=on_failure,
        on_missing_entrypoints_callback=lambda absent: missing.extend(sorted(absent)),
    )
    problems = [f"enabled plugin {name!r} failed to load: {error}"
                for name, error in failures.items()]
    if missing:
        available = ", ".join(p.name for p in installed_plugins()) or "none"
        install = " ".join(f"{PROJECT_NAME}-{name}" for name in missing)
        problems.append(f"enabled plugin(s) not installed: {', '.join(missing)}; installed: "
                        f"{available}; install with: pip install {install}")
    if problems:
        raise PluginLoadError("\n".join(problems))
    loaded = []
    for ext in manager:
        distribution, version = _dist_of(ext.entry_point)
        info = PluginInfo(ext.name, ext.entry_point.value, distribution, version)
        loaded.append((info, ext.plugin))
    return loaded


def _load_all() -> tuple[list[PluginInfo], list[tuple[PluginInfo, ModuleType]]]:
    infos = installed_plugins()
    usable = [p.name for p in infos if p.loaded]
    for broken in (p for p in infos if not p.loaded):
        log.warning("plugin %s is installed but failed to load and is skipped: %s",
                    broken.name, broken.error)
    return infos, _load_named(usable) if usable else []


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with the hook specs and the core's default plugins registered."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    if os.environ.get(TRACE_ENV):
        pm.trace.root.setwriter(lambda text: log.warning("%s", text.rstrip()))
        pm.enable_tracing()
    return pm


def load_plugins(enabled: Sequence[str] | None = None,
                 extra: Sequence[ModuleType] = ()) -> LoadedPlugins:
    """Load the enabled plugins (all installed ones when ``enabled`` is ``None``).

    ``extra`` modules are registered as well (tests and one-off local plugins). Raises
    ``PluginLoadError`` naming the plugin when an enabled plugin cannot be used.
    """
    if enabled is None:
        infos, chosen = _load_all()
    else:
        chosen = _load_named(enabled)
        infos = [info for info, _ in chosen]
    pm = new_plugin_manager()
    for info, module in chosen:
        try:
            pm.register(module, name=info.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginLoadError(f"plugin {info.name!r} is invalid: {exc}") from exc
    for module in extra:
        pm.register(module, name=getattr(module, "__name__", repr(module)))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(f"a plugin implements an unknown hook: {exc}") from exc
    return LoadedPlugins(pm, Registry.collect(pm), infos)
