"""Text templates over a record: ``"Ticket {number}: {subject}"``.

Placeholders are field paths (``{requester.emails.0}``, ``{remote_data.ownerTeam}``) with
an optional format spec after a colon (``{created_at:%d/%m/%Y}``, ``{amount:.2f}``).
``{{`` and ``}}`` write literal braces. A missing value renders as an empty string and a
list as its items joined with ", ".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from string import Formatter
from typing import Any

from .paths import PathError, parse_path

__all__ = ["Template"]

_CONVERSIONS = {"s": str, "r": repr, "a": ascii}


@dataclass(frozen=True)
class _Part:
    literal: str
    path: tuple[str, ...] | None
    spec: str
    conversion: str | None


@dataclass(frozen=True)
class Template:
    """A parsed template; ``Template.parse(text)`` raises ``ValueError`` on bad syntax."""

    text: str
    parts: tuple[_Part, ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        """Parse ``text``; unbalanced braces or an empty placeholder raise ``ValueError``."""
        if not isinstance(text, str):
            raise ValueError(f"a template must be text, got {type(text).__name__}")
        parts = []
        try:
            pieces = list(Formatter().parse(text))
        except ValueError as exc:
            raise ValueError(f"bad template {text!r}: {exc} (write {{{{ and }}}} "
                             f"for literal braces)") from exc
        for literal, name, spec, conversion in pieces:
            if name is None:
                parts.append(_Part(literal, None, "", None))
                continue
            if "{" in (spec or ""):
                raise ValueError(f"bad template {text!r}: placeholders inside a format spec "
                                 f"are not supported ({{{name}:{spec}}})")
            if conversion is not None and conversion not in _CONVERSIONS:
                raise ValueError(f"bad template {text!r}: unknown conversion !{conversion} "
                                 f"in {{{name}}}; use !s, !r or !a")
            try:
                path = parse_path(name)
            except PathError as exc:
                raise ValueError(f"bad template {text!r}: empty or malformed placeholder "
                                 f"{{{name}}}") from exc
            parts.append(_Part(literal, path, spec or "", conversion))
        return cls(text, tuple(parts))

    @property
    def placeholders(self) -> list[str]:
        """The field paths the template reads, in order, as written."""
        return [".".join(p.path) for p in self.parts if p.path is not None]

    def render(self, read: Callable[[tuple[str, ...]], Any]) -> str:
        """Fill the placeholders with ``read(path)``; a bad format spec raises ``ValueError``."""
        out = []
        for part in self.parts:
            out.append(part.literal)
            if part.path is not None:
                out.append(_render_value(read(part.path), part.spec, part.conversion))
        return "".join(out)


def _render_value(value: Any, spec: str, conversion: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_render_value(item, spec, conversion) for item in value)
    if isinstance(value, Enum):
        value = value.value
    if conversion:
        value = _CONVERSIONS[conversion](value)
    return format(value, spec)
