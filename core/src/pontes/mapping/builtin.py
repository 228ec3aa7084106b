"""The core's built-in value transforms, registered through ``register_transforms``."""

from .. import hookimpl
from .transforms import builtin_transforms


@hookimpl
def register_transforms():
    """The transforms that ship with pontes (``utc_datetime``, ``br_decimal``...)."""
    return builtin_transforms()
