"""pontes-ploomes: the Ploomes CRM as a pontes plugin.

Registers the ``ploomes`` connector, its canonical actions, its webhook trigger, the
mappers between Ploomes records and canonical ones, and a sandbox of the Ploomes API.

The entry point names ``kit`` (``pontes_ploomes.connector.kit``), which implements the vendor
hooks itself; importing this package declares everything on it.
"""

from . import actions, mappers, sandbox, triggers  # noqa: F401 (each declares its part on the kit)
from .connector import kit

__all__ = ["kit"]
