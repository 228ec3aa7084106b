"""The one error the OData engine raises."""

from __future__ import annotations


class ODataError(ValueError):
    """A query the vendor would refuse; a sandbox answers it with 400 in the vendor's own
    error shape. The message names the query option at fault."""
