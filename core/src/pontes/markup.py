"""Rich text as vendors keep it: HTML fragments read as plain text, plain text written as
HTML (a helpdesk's replies, a CRM's notes).

HTML is read with the standard library's ``html.parser``, a real tokenizer that follows
the HTML5 rules for tags, attributes (a ``>`` inside a quoted value included), comments,
character references and unclosed tags, so vendor markup is never cut by a pattern.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

_BLOCKS = frozenset({"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt",
                     "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
                     "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
                     "table", "tr", "ul"})
"""Elements that start and end a line of text."""
_HIDDEN = frozenset({"head", "script", "style", "template", "title", "noscript"})
"""Elements whose content is not text a reader sees."""


class _TextCollector(HTMLParser):
    """Collects the visible text of a fragment, with a line break around each block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment: tags, comments, scripts and styles dropped, a line
    per block or ``<br>``, entities decoded, blank lines and edge spaces removed."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = (line.strip() for line in "".join(collector.parts).splitlines())
    return "\n".join(line for line in lines if line)


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, with its line breaks as ``<br>``."""
    return "<br>".join(html.escape(line) for line in text.splitlines())
