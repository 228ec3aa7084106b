"""Text the recipes write from their options: subjects, descriptions, titles, links.

An option such as ``subject: "Ticket {number}: {subject}"`` is a Python format string; a
recipe fills it with the fields it knows. Its options model checks every placeholder when
the configuration is loaded (``check_template``), so ``{numbr}`` is a configuration error
naming the closest placeholder, not a run that dies on the first event.
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from pydantic_core import PydanticCustomError

from ..errors import PermanentFailure
from ..suggest import hint


def check_template(template: str | None, known: Iterable[str]) -> str | None:
    """``template`` when each of its placeholders is in ``known``; otherwise a pydantic
    error (raised from an options model's validator) naming the first unknown one, the
    closest known one and the list."""
    if template is None:
        return None
    allowed = sorted(known)
    try:
        names = [field for _text, field, _spec, _conv in string.Formatter().parse(template)
                 if field is not None]
    except ValueError as exc:
        raise PydanticCustomError("value_error", "not a valid template: {reason}",
                                  {"reason": str(exc)}) from None
    for name in names:
        base = name.split(".", 1)[0].split("[", 1)[0]
        if base not in allowed:
            shown = "{" + name + "}"
            raise PydanticCustomError(
                "value_error", "unknown placeholder {shown}; {hint}",
                {"shown": shown, "hint": hint(base, allowed, "known placeholders")})
    return template


def render(template: str, fields: dict[str, str], where: str) -> str:
    """Fill ``template`` with ``fields``; ``where`` is the option's key path for errors."""
    try:
        return template.format(**fields)
    except (KeyError, IndexError) as exc:
        raise PermanentFailure(
            f"{where}: unknown placeholder {exc}; known: {', '.join(sorted(fields))}"
        ) from None
