"""The plugins page's queries: which plugins loaded and which failed (with the reason),
and for each recipe, the configured connections that can play each of its roles."""

from __future__ import annotations

from ..plugins import DEFAULT_PLUGINS, installed_plugins
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


def recipe_fits(admin: AdminContext) -> list[RecipeFit]:
    """Every registered recipe with, per role, the configured connections able to play it
    (they have every capability the role requires and, for a trigger role, send one of
    its events)."""
    fits = []
    connections = admin.runtime.connections
    for name, recipe in sorted(admin.runtime.registry.recipes.items()):
        roles = {}
        for role, spec in recipe.roles.items():
            roles[role] = sorted(
                c.name for c in connections.values()
                if all(c.has(capability) for capability in spec.requires)
                and (not spec.triggers or any(c.has(t) for t in spec.triggers)))
        fits.append(RecipeFit(name=name, description=recipe.description, roles=roles))
    return fits


def plugins_page(admin: AdminContext) -> PluginsAnswer:
    """Plugins and recipe fits together."""
    return PluginsAnswer(plugins=plugin_entries(admin), recipes=recipe_fits(admin))
