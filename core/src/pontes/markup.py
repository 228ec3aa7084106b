"""Rich text as vendors keep it: HTML fragments read as plain text, plain text written as
HTML (a helpdesk's replies, a CRM's notes)."""

from __future__ import annotations

import html
import re

_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h\d)\s*/?\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment: tags dropped, line breaks kept, entities decoded."""
    text = _TAGS.sub("", _BREAKS.sub("\n", markup))
    lines = [line.strip() for line in html.unescape(text).splitlines()]
    return "\n".join(lines).strip()


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, with its line breaks as ``<br>``."""
    return "<br>".join(html.escape(line) for line in text.splitlines())
