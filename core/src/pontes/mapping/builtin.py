"""The core's built-in value transforms, registered through ``register_transforms``."""

from .. import hookimpl


@hookimpl
def register_transforms():
    """The transforms that ship with pontes."""
    return {}
