"""``pontes recipes``: the installed recipes, and with ``--pairs`` which connectors can
play them together.

``pontes recipes`` lists each recipe with its roles. ``--pairs`` lists every assignment
of installed connectors to every recipe's roles, supported or with the capability that
is missing at which connector (``pontes.recipes.pairs``, which the admin Plugins page
reads too); ``--json`` prints the same as JSON and ``--markdown`` as the page
``docs/pairs.md``.
"""

from __future__ import annotations

import json

import click

from ..plugins import installed_plugins, load_plugins
from ..recipes.pairs import all_pairs, pairs_markdown
from ..tables import echo_table
from .common import fails_cleanly


@click.command("recipes")
@click.option("--pairs", "show_pairs", is_flag=True,
              help="List every assignment of installed connectors to each recipe's roles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--markdown", is_flag=True, help="Print the pairs as the docs/pairs.md page.")
@fails_cleanly
def recipes_command(show_pairs: bool, as_json: bool, markdown: bool) -> None:
    """List the installed recipes; with --pairs, who can play them together."""
    registry = load_plugins([p.name for p in installed_plugins() if p.loaded]).registry
    if show_pairs or markdown:
        pairs = all_pairs(registry)
        if markdown:
            click.echo(pairs_markdown(pairs), nl=False)
        elif as_json:
            click.echo(json.dumps([pair.as_json() for pair in pairs], indent=2))
        else:
            echo_table(["RECIPE", "ROLES", "STATUS"],
                       [[pair.recipe, ", ".join(f"{r}={c}" for r, c in pair.roles.items()),
                         "supported" if pair.supported
                         else "missing: " + "; ".join(str(m) for m in pair.missing)]
                        for pair in pairs])
        return
    recipes = sorted(registry.recipes.items())
    if as_json:
        click.echo(json.dumps([{"name": name, "description": recipe.description,
                                "roles": list(recipe.roles)} for name, recipe in recipes],
                              indent=2))
        return
    echo_table(["RECIPE", "ROLES", "DESCRIPTION"],
               [[name, ", ".join(recipe.roles), recipe.description] for name, recipe in recipes])


def register(cli: click.Group) -> None:
    """Add ``recipes`` to the ``pontes`` command group."""
    cli.add_command(recipes_command)
