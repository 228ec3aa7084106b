"""``pontes init``: create what an installation keeps beside its configuration.

The installation key (``pontes.keys``) and the store's database, both where the
configuration says (relative paths are taken against the configuration file's
directory). What exists already is left as it is; the command says what it did.
"""

from __future__ import annotations

import os

import click

from ..config import load_config
from ..keys import KEY_ENV, create_installation_key, installation_key, key_file_location
from ..store import Store
from .common import config_option, fails_cleanly


@click.command("init")
@config_option
@fails_cleanly
def init_command(config_path: str) -> None:
    """Create the installation key and the store's database for a configuration."""
    config = load_config(config_path)
    created = create_installation_key(config.key_file)
    if created is not None:
        click.echo(f"created the installation key {created} (keep it: a new key changes "
                   "every webhook URL)")
    else:
        installation_key(config.key_file)  # an unreadable or empty key file is an error
        source = (f"${KEY_ENV}" if os.environ.get(KEY_ENV)
                  else key_file_location(config.key_file))
        click.echo(f"installation key: {source} (kept)")
    store = Store.open(config.store, key=installation_key(config.key_file))
    try:
        click.echo(f"store: {store.url} (ready)")
    finally:
        store.close()


def register(cli: click.Group) -> None:
    """Add ``pontes init`` to the ``pontes`` command group."""
    cli.add_command(init_command)
