"""Explaining a failure in one line that is safe to store, show and log.

Vendor errors already carry the vendor's own words with credentials masked
(``pontes.http``); anything else is described by its type and text, and every secret of
the connections involved is masked as well, in every spelling (``masking``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..connection import Connection
from ..errors import PontesError
from .masking import redactor_for

MAX_MESSAGE = 2000


def explain_failure(error: BaseException, connections: Iterable[Connection] = ()) -> str:
    """A one-line message for ``error`` with the connections' secrets masked."""
    text = str(error).strip()
    if not isinstance(error, PontesError) or not text:
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    text = redactor_for(connections).text(text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."
