"""The error of a warehouse export."""

from __future__ import annotations

from ..errors import PontesError


class ExportError(PontesError):
    """An export cannot go on: a stream is declared wrongly, a value does not fit its
    column, the destination is unusable, or loading failed. The message says which."""
