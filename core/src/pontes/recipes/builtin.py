"""The core's own recipes, registered through ``register_recipes`` like any plugin's."""

from .. import hookimpl


@hookimpl
def register_recipes():
    """The recipes that ship with pontes."""
    return []
