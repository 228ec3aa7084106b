"""``pontes mappings export INTEGRATION``: the mappings in force, as YAML for the config
file.

Mappings edited on the admin pages are stored as versions in the store, in force over the
config file. This prints every slot's rules in force, ``mapping:`` ready to paste under
the integration in the config file (a default rule a saved version dropped is written
``null``, which turns it off). It loads the plugins the server loads
(``PONTES_EXTRA_PLUGINS`` included), reads the store and never creates one.
"""

from __future__ import annotations

import click
import yaml

from ..admin.mappings import export_rules
from ..config import load_config
from ..paths import require_existing_store
from ..plugins import load_plugins
from ..runtime import Runtime
from ..server import extra_plugins
from ..store import Store
from .common import clean_failures, config_option


@click.group("mappings")
def mappings_group() -> None:
    """Field mappings, as the config file and the admin pages set them."""


@mappings_group.command("export")
@click.argument("integration")
@config_option
def export_command(integration: str, config_path: str) -> None:
    """Print INTEGRATION's mappings in force as YAML for the config file."""
    with clean_failures():
        config = load_config(config_path)
        runtime = Runtime.build(config, load_plugins(config.plugins, extra=extra_plugins()))
        chosen = runtime.integrations.get(integration)
        if chosen is None:
            known = ", ".join(sorted(runtime.integrations)) or "none"
            raise click.ClickException(f"no integration {integration!r} in {config_path}; "
                                       f"expected one of: {known}")
        require_existing_store(runtime.config.store, runtime.config.source)
        store = Store.open(runtime.config.store)
    try:
        in_force = store.mappings.in_force()
    finally:
        store.close()
    mapping = {}
    for slot in chosen.recipe.mappings:
        rules = export_rules(chosen, slot, in_force.get((integration, slot)))
        if rules:
            mapping[slot] = rules
    click.echo(f"# integrations.{integration}: the mappings in force", nl=True)
    click.echo(yaml.safe_dump({"mapping": mapping}, sort_keys=False, allow_unicode=True),
               nl=False)


def register(cli: click.Group) -> None:
    """Add ``pontes mappings`` to the ``pontes`` command group."""
    cli.add_command(mappings_group)
