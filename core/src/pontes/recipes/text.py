"""Text the recipes write from their options: subjects, descriptions, titles, links.

An option such as ``subject: "Ticket {number}: {subject}"`` is a Python format string; a
recipe fills it with the fields it knows, and a placeholder it does not know fails the run
with the option's key path and the placeholders there are.
"""

from __future__ import annotations

from ..errors import PermanentFailure


def render(template: str, fields: dict[str, str], where: str) -> str:
    """Fill ``template`` with ``fields``; ``where`` is the option's key path for errors."""
    try:
        return template.format(**fields)
    except (KeyError, IndexError) as exc:
        raise PermanentFailure(
            f"{where}: unknown placeholder {exc}; known: {', '.join(sorted(fields))}"
        ) from None
