"""Table and column names exactly as streams declare them.

dlt's default naming convention rewrites identifiers to snake_case
(``customFieldValues`` would land as ``custom_field_values``). A stream's names are a
contract with the people who query the warehouse, so this convention keeps them as they
are: case preserved, ``__`` between a parent table and its child tables. Only quotes and
line breaks, which no database identifier should hold, become ``_``; names longer than
the destination allows are shortened with a hash, as dlt does.

dlt finds the convention by module name: ``pontes.export.naming``.
"""

from __future__ import annotations

from typing import ClassVar

from dlt.common.normalizers.naming.naming import NamingConvention as BaseNamingConvention


class NamingConvention(BaseNamingConvention):
    """Case-sensitive identifiers kept as declared, with ``__`` as the path separator."""

    PATH_SEPARATOR: ClassVar[str] = "__"
    _CLEANUP = str.maketrans("\n\r'\"", "____")

    def normalize_identifier(self, identifier: str) -> str:
        """The identifier stripped of surrounding blanks, quotes and line breaks replaced."""
        identifier = super().normalize_identifier(identifier)
        cleaned = identifier.translate(self._CLEANUP)
        return self.shorten_identifier(cleaned, identifier, self.max_length)

    @property
    def is_case_sensitive(self) -> bool:
        """Names differing only in case are different names (dlt reads this to decide how a
        destination treats the case of identifiers)."""
        return True
