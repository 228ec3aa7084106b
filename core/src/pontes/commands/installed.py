"""Commands that installed distributions add without being plugins.

A distribution that only brings commands (the demo's ``pontes demo``) declares an entry
point in the ``pontes.commands`` group naming a function ``register(cli)``. Unlike a
plugin (``pontes.plugins``), it is not listed by ``pontes plugins`` or the admin API and
has no hooks. A command distribution that fails to load is reported as a warning; the
core commands still work.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import click

COMMANDS_GROUP = "pontes.commands"


def register(cli: click.Group) -> None:
    """Add every installed distribution's commands to ``cli``."""
    for entry_point in sorted(entry_points(group=COMMANDS_GROUP), key=lambda ep: ep.name):
        try:
            entry_point.load()(cli)
        except Exception as exc:
            click.echo(f"warning: commands of {entry_point.name!r} unavailable: "
                       f"{type(exc).__name__}: {exc}", err=True)
