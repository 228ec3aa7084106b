"""Markers at Bigin, so a run cut short finds the record it created instead of creating
another (``<entity>.find_created``).

A contact, account or pipeline record pontes creates carries its marker
(``pontes:<id>``) on the last line of its ``Description``, found again with Bigin's
``word`` search and checked in the ``Description`` of each match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pontes.plugin import Connection, Record, has_marker, marker_token

from ..mappers import MARKER_FIELD
from .records import search

R = TypeVar("R", bound=Record)


def with_marker(payload: dict[str, Any], draft: Record) -> dict[str, Any]:
    """``payload`` with the draft's marker as the last line of its ``Description``."""
    text = str(payload.get(MARKER_FIELD) or "")
    return {**payload, MARKER_FIELD: f"{text}\n{marker_token(draft)}".lstrip("\n")}


async def find_marked(connection: Connection, module: str, draft: Record,
                      to_canonical: Callable[[dict[str, Any], str], R]) -> R | None:
    """The record of ``module`` whose ``Description`` holds the draft's marker, or
    ``None``."""
    for raw in await search(connection, module, word=marker_token(draft)):
        if has_marker(raw.get(MARKER_FIELD), draft):
            return to_canonical(raw, connection.name)
    return None
