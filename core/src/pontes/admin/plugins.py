"""The plugins page's queries: which plugins loaded and which failed (with the reason),
and for each recipe, the configured connections that can play each of its roles."""

from __future__ import annotations

from ..plugins import DEFAULT_PLUGINS, installed_plugins
from ..recipes import RoleSpec
from .context import AdminContext
from .models import PluginEntry, PluginsAnswer, RecipeFit


def plugin_entries(admin: AdminContext) -> list[PluginEntry]:
    """Installed plugins (enabled or not, loaded or failed) and locally loaded ones."""
    loaded = admin.runtime.plugins
    enabled = {p.name: p for p in loaded.plugins}
    entries = []
    for info in installed_plugins():
        active = enabled.get(info.name)
        entries.append(PluginEntry(
            name=info.name, module=info.module, distribution=info.distribution,
            version=info.version, enabled=active is not None and active.loaded,
            error=info.error or (active.error if active else None)))
    listed = {entry.name for entry in entries}
    for name, _module in loaded.pm.list_name_plugin():
        if name not in listed and name not in enabled and name not in DEFAULT_PLUGINS:
            entries.append(PluginEntry(name=name, module=name, distribution=None, version=None,
                                       enabled=True, error=None))
    return entries


def capability_matrix(admin: AdminContext) -> dict[str, list[str]]:
    """Each installed connector's capabilities."""
    registry = admin.runtime.registry
    return {name: sorted(registry.capabilities(name)) for name in sorted(registry.connectors)}


def _fits(spec: RoleSpec, capabilities: set[str]) -> bool:
    """Whether something with ``capabilities`` can play a role: every capability the role
    requires and, for a trigger role, one of its events."""
    return (all(c in capabilities for c in spec.requires)
            and (not spec.triggers or any(t in capabilities for t in spec.triggers)))


def recipe_fits(admin: AdminContext) -> list[RecipeFit]:
    """Every registered recipe with, per role, the installed connectors and the configured
    connections able to play it."""
    matrix = {name: set(caps) for name, caps in capability_matrix(admin).items()}
    connections = admin.runtime.connections
    fits = []
    for name, recipe in sorted(admin.runtime.registry.recipes.items()):
        fits.append(RecipeFit(
            name=name, description=recipe.description,
            roles={role: [c for c, caps in matrix.items() if _fits(spec, caps)]
                   for role, spec in recipe.roles.items()},
            connections={role: sorted(n for n, c in connections.items()
                                      if _fits(spec, set(c.capabilities)))
                         for role, spec in recipe.roles.items()}))
    return fits


def plugins_page(admin: AdminContext) -> PluginsAnswer:
    """Plugins, the capability matrix and recipe fits together."""
    return PluginsAnswer(plugins=plugin_entries(admin), capabilities=capability_matrix(admin),
                         recipes=recipe_fits(admin))
