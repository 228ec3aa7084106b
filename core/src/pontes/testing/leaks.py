"""Finding secrets in what a user can read, however they are spelled.

``find_leaks(text, secrets, where)`` looks for each secret raw, percent-encoded once or
twice (any characters encoded, ``+`` for a space), JSON- or HTML-escaped, and in base64
(standard or URL-safe, padded or not, alone or inside a longer value such as the
``user:secret`` of HTTP basic auth, itself possibly percent-encoded, or of the secret
percent-encoded). It decodes what it reads instead of
encoding the secrets, so it shares nothing with the way ``pontes.http.Redactor``
recognises them, and a test built on it can catch the redactor missing a spelling.

```python
leaks = find_leaks(server_log, {"movidesk token": token}, "the server log")
assert not leaks, describe_leaks(leaks)
```
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus

_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}")
_JSON_ESCAPES = re.compile(r'(?:\\u[0-9a-fA-F]{4}|\\["\\/bfnrt])+')
_CONTEXT = 40


@dataclass(frozen=True)
class Leak:
    """One secret found in one place: which secret, where, in what spelling, and the text
    around it."""

    secret: str
    where: str
    spelling: str
    context: str

    def __str__(self) -> str:
        return f"{self.secret} in {self.where} ({self.spelling}): ...{self.context}..."


def find_leaks(text: str, secrets: Mapping[str, str], where: str) -> list[Leak]:
    """Every secret of ``secrets`` (name -> value) that ``text`` holds, in any spelling.

    ``where`` names the text in the leaks found. Each secret is reported once per
    spelling it shows in; a decoding of the text counts only for what it adds to the
    plain text (the raw secret is not reported again as percent-encoded).
    """
    found: list[Leak] = []
    for spelling, readable in _readings(text):
        for name, value in secrets.items():
            if spelling != "base64" and readable.count(value) <= (
                    0 if spelling == "plain" else text.count(value)):
                continue
            position = readable.find(value)
            if position < 0 or any(leak.secret == name and leak.spelling == spelling
                                   for leak in found):
                continue
            context = readable[max(0, position - _CONTEXT):position + len(value) + _CONTEXT]
            found.append(Leak(name, where, spelling, context))
    return found


def describe_leaks(leaks: list[Leak]) -> str:
    """The leaks one per line, for an assertion message."""
    return f"{len(leaks)} secret(s) leaked:\n" + "\n".join(str(leak) for leak in leaks)


def _readings(text: str) -> Iterator[tuple[str, str]]:
    """``text`` as written and decoded every way a secret may have been encoded in it,
    each with the name of that spelling."""
    decoded = [("plain", text), ("percent-encoded", unquote(text)),
               ("percent-encoded", unquote_plus(text)),
               ("percent-encoded", unquote(unquote(text))),
               ("percent-encoded", unquote_plus(unquote_plus(text))),
               ("HTML-escaped", html.unescape(text)), ("JSON-escaped", _json_unescaped(text))]
    yield from decoded
    for _spelling, readable in decoded:
        for run in _BASE64_RUN.findall(readable):
            for value in _base64_decodings(run):
                yield "base64", value
                yield "base64", unquote(value)
                yield "base64", unquote_plus(value)


def _json_unescaped(text: str) -> str:
    def unescape(match: re.Match[str]) -> str:
        try:
            return json.loads(f'"{match.group(0)}"')
        except ValueError:
            return match.group(0)

    return _JSON_ESCAPES.sub(unescape, text)


def _base64_decodings(run: str) -> Iterator[str]:
    """What a run of base64 characters decodes to, read from each of the four positions
    it may start at within a 4-character group (it may be a piece of a longer value)."""
    standard = run.translate(str.maketrans("-_", "+/"))
    for shift in range(4):
        piece = standard[shift:]
        if len(piece) % 4 == 1:
            piece = piece[:-1]
        try:
            data = base64.b64decode(piece + "=" * (-len(piece) % 4))
        except binascii.Error:
            continue
        yield data.decode("utf-8", "replace")
