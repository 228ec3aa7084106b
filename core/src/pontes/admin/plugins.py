"""The plugins page's queries: which plugins loaded and which failed (with the reason),
for each recipe the configured connections that can play each of its roles, and every
recipe x pair of installed connectors (``pontes.recipes.pairs``, as ``pontes recipes
--pairs`` prints it)."""

from __future__ import annotations

from ..plugins import DEFAULT_PLUGINS, installed_plugins
from ..recipes.pairs import all_pairs, fits
from .context import AdminContext
from .models import PluginEntry, PluginsAnswer, RecipeFit, RecipePair


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


def recipe_fits(admin: AdminContext) -> list[RecipeFit]:
    """Every registered recipe with, per role, the installed connectors and the configured
    connections able to play it."""
    matrix = {name: set(caps) for name, caps in capability_matrix(admin).items()}
    connections = admin.runtime.connections
    found = []
    for name, recipe in sorted(admin.runtime.registry.recipes.items()):
        found.append(RecipeFit(
            name=name, description=recipe.description,
            roles={role: [c for c, caps in matrix.items() if fits(spec, caps)]
                   for role, spec in recipe.roles.items()},
            connections={role: sorted(n for n, c in connections.items()
                                      if fits(spec, set(c.capabilities)))
                         for role, spec in recipe.roles.items()}))
    return found


def recipe_pairs(admin: AdminContext) -> list[RecipePair]:
    """Every recipe with every assignment of installed connectors to its roles."""
    return [RecipePair(recipe=pair.recipe, roles=pair.roles, supported=pair.supported,
                       missing=[str(m) for m in pair.missing])
            for pair in all_pairs(admin.runtime.registry)]


def plugins_page(admin: AdminContext) -> PluginsAnswer:
    """Plugins, the capability matrix, recipe fits and recipe pairs together."""
    return PluginsAnswer(plugins=plugin_entries(admin), capabilities=capability_matrix(admin),
                         recipes=recipe_fits(admin), pairs=recipe_pairs(admin))
