"""Keeping credentials out of URLs, headers, logs and error text.

A ``Redactor`` masks two things: query parameters and headers whose *names* mark them as
credentials, and known secret *values* wherever they appear, in every spelling a URL,
JSON, an HTML page or base64 gives them (``_secret_pattern``). The names
known here are generic ones (``Authorization``, ``Cookie``, ``X-Api-Key``, ``api_key``,
``access_token``, ``client_secret``...); a vendor's own names are declared by its plugin
(``VendorClient(secret_headers=..., secret_params=...)``).

httpx logs every request's full URL at INFO, query-string credentials included. A filter
on the ``httpx`` and ``httpcore`` loggers masks those records with the redactor of every
open ``VendorClient``; since those loggers belong to the whole process, so does the set
of redactors the filter consults (``redact_http_logs``).
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
import weakref
from collections.abc import Collection, Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import httpx

REDACTED = "***"
"""What a masked value is replaced with."""

SECRET_PARAM_NAMES = frozenset(
    {"access_token", "refresh_token", "api_key", "apikey", "key", "client_secret", "secret",
     "password", "code"}
)
"""Query parameters that carry a credential whatever the vendor (compared lower-case)."""

SECRET_HEADER_NAMES = frozenset({"authorization", "x-api-key", "cookie", "set-cookie"})
"""Headers that carry a credential whatever the vendor (compared lower-case)."""

_SECRET_HEADER_HINTS = ("token", "secret", "key", "auth", "password", "session", "signature")


def is_secret_header(name: str, vendor_names: Collection[str] = ()) -> bool:
    """Whether a header of this name carries a credential.

    True for the generic credential headers (``SECRET_HEADER_NAMES``), for names that look
    like a credential (``X-Auth-Token``), and for ``vendor_names``, a vendor's own
    (all compared without regard to case).
    """
    lowered = name.lower()
    return (lowered in SECRET_HEADER_NAMES
            or lowered in {vendor.lower() for vendor in vendor_names}
            or any(hint in lowered for hint in _SECRET_HEADER_HINTS))


MIN_BASE64_FRAGMENT = 8
"""Shortest run of base64 characters masked as part of an encoded secret: a shorter one
turns up in ordinary text too often to stand for a secret."""

_ENTITIES = {"&": ("&amp;",), "<": ("&lt;",), ">": ("&gt;",),
             '"': ("&quot;", "&#34;"), "'": ("&#39;", "&#x27;")}
"""How HTML pages write the characters they must escape (html.escape's and Jinja's ways)."""


def _character_forms(char: str) -> list[str]:
    """Regular expressions for one character of a secret, written as itself or escaped for
    a URL (``%2F`` or ``%2f``, ``+`` for a space), percent-encoded twice (``%252F``, and
    ``%2B`` for a space a form encoded twice), for JSON (``\\u00e9``, ``\\/``) or for HTML
    (``&amp;``). Each starts with a plain character, so that a pattern made of them lets
    the regular expression engine skip every position no spelling can start at."""
    forms = {re.escape(char), "".join(_percent_byte(byte) for byte in char.encode())}
    if char == " ":
        forms.update((r"\+", "%(?i:2B)"))
    if char == "/":
        forms.add(re.escape("\\/"))
    escaped = json.dumps(char)[1:-1]
    if escaped != char:
        forms.add(re.escape(escaped[0]) + "(?i:" + re.escape(escaped[1:]) + ")")
    forms.update(re.escape(entity) for entity in _ENTITIES.get(char, ()))
    return sorted(forms, key=len, reverse=True)


def _percent_byte(byte: int) -> str:
    """A byte percent-encoded once (``%2F``) or twice (``%252F``), hex in either case.

    One alternative for both, its ``25`` possessive (never given back), so that text full
    of ``%`` costs no more to scan than before; ``%25`` itself (the ``%`` character) keeps
    a plain optional, since its own ``25`` may be what follows."""
    hexes = f"(?i:{byte:02X})"
    return f"%(?:25)?{hexes}" if byte == 0x25 else f"%(?:25)?+{hexes}"


def _spelling_patterns(spelling: str) -> list[str]:
    """The alternatives that match ``spelling`` with any of its characters escaped, one
    per way of writing its first character."""
    rest = "".join("(?:" + "|".join(_character_forms(char)) + ")" for char in spelling[1:])
    return [first + rest for first in _character_forms(spelling[0])]


_URLSAFE = str.maketrans("+/", "-_")


def _base64_spellings(secret: str) -> list[str]:
    """The base64 texts (standard and URL-safe, padded or not) that only ``secret`` makes.

    The secret encoded alone, whole; and, for a secret encoded inside a longer value (the
    ``user:secret`` of HTTP basic auth), the characters that depend on its bytes alone at
    each of the three positions it can take within base64's 3-byte groups.
    """
    data = secret.encode()
    whole = base64.b64encode(data).decode()
    found = {whole, whole.rstrip("=")}
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode()
        first = -(-8 * offset // 6)
        last = 8 * (offset + len(data)) // 6
        if last - first >= MIN_BASE64_FRAGMENT:
            found.add(encoded[first:last])
    urlsafe = {form.translate(_URLSAFE) for form in found}
    return sorted(found | urlsafe, key=len, reverse=True)


def _percent_encodings(secret: str) -> set[str]:
    """``secret`` as the usual URL encoders write it, when that differs from the secret:
    Python's ``quote`` and ``quote_plus`` (with ``/`` safe or not) and JavaScript's
    ``encodeURIComponent``. Their base64 is a spelling too (``base64(quote(secret))``)."""
    encoded = {quote(secret), quote(secret, safe=""), quote(secret, safe="!*'()"),
               quote_plus(secret), quote_plus(secret, safe="/")}
    return encoded - {secret}


def _credentials(secret: str) -> set[str]:
    """``secret``, and the credential it carries after an auth scheme (``Bearer abc``), and
    the password inside an HTTP basic credential (``Basic dXNlcjpwYXNz``)."""
    found = {secret}
    scheme_and_credential = secret.split()
    if len(scheme_and_credential) > 1:
        credential = scheme_and_credential[-1]
        found.add(credential)
        if scheme_and_credential[0].lower() == "basic":
            try:
                decoded = base64.b64decode(credential, validate=True).decode()
            except ValueError:
                decoded = ""
            found.add(decoded.partition(":")[2])
    return found


def _secret_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression for every spelling of ``secrets``, or ``None`` for none.

    A secret matches raw; percent-encoded as ``quote``, ``quote_plus`` or any other URL
    encoder writes it (any characters encoded, hex digits in either case, ``+`` for a
    space); JSON- or HTML-escaped; and in base64, standard or URL-safe, padded or not,
    alone or inside a longer value such as ``user:secret`` (itself possibly
    percent-encoded). Encoded twice too: percent-encoded twice, and base64 of the secret
    percent-encoded (``_percent_encodings``). Values shorter than 4 characters are left
    out: they would mask ordinary words.
    """
    spellings: set[str] = set()
    for secret in secrets:
        if len(secret) >= 4:
            spellings.add(secret)
            for plain in (secret, *_percent_encodings(secret)):
                spellings.update(_base64_spellings(plain))
    if not spellings:
        return None
    longest_first = sorted(spellings, key=len, reverse=True)
    return re.compile("|".join(alternative for spelling in longest_first
                               for alternative in _spelling_patterns(spelling)))


class Redactor:
    """Removes secrets from URLs, headers and text before they are logged or shown.

    Query parameters named like credentials (``SECRET_PARAM_NAMES`` and ``params``) are
    masked, and so is every known secret value wherever it appears (in a URL path, a
    vendor's error message, a header), in every spelling: raw, percent-encoded, JSON- or
    HTML-escaped, or in base64 (alone or inside ``user:secret``). A credential header
    (``is_secret_header``, or one of ``headers``) is masked whole; a secret such as
    ``Bearer abc`` is masked whole, and its credential part (``abc``) wherever it is
    echoed, as is the password of a ``Basic`` credential.
    """

    def __init__(self, secrets: Iterable[str] = (), params: Iterable[str] = (),
                 headers: Iterable[str] = ()):
        values = {value for secret in secrets if secret for value in _credentials(secret)}
        self._fixed = values
        self._pattern = _secret_pattern(values)
        self.params = SECRET_PARAM_NAMES | {p.lower() for p in params}
        self.secret_headers = frozenset(h.lower() for h in headers)

    def mask_changing(self, secrets: Iterable[str]) -> None:
        """Also mask ``secrets``, in place of those this method was given before: values
        that change while the client lives, such as OAuth tokens."""
        changing = {value for secret in secrets if secret for value in _credentials(secret)}
        self._pattern = _secret_pattern(self._fixed | changing)

    def text(self, value: str) -> str:
        """``value`` with every spelling of every known secret replaced by ``***``."""
        if self._pattern is None:
            return value
        return self._pattern.sub(REDACTED, value)

    def url(self, url: str | httpx.URL) -> str:
        """The URL with secret query parameters and secret values masked."""
        parts = urlsplit(str(url))
        query = [
            (k, REDACTED if k.lower() in self.params else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        safe = urlunsplit(parts._replace(query=urlencode(query, safe="*$(),'")))
        return self.text(safe)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """A copy of the headers with credential headers masked."""
        return {
            k: REDACTED if is_secret_header(k, self.secret_headers) else self.text(v)
            for k, v in headers.items()
        }


@functools.lru_cache(maxsize=64)
def _secret_query(names: frozenset[str]) -> re.Pattern[str]:
    """A credential-named query parameter and its value, as it shows in a log line."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(r"(?i)\b(" + alternatives + r")=[^&\s\"']+")


class _RedactingFilter(logging.Filter):
    """Masks the secrets of every watched ``Redactor`` in httpx's and httpcore's own logs.

    httpx logs each request's full URL at INFO, query-string credentials included; this
    filter rewrites such records before any handler sees them. A redactor is watched for
    as long as it lives (its client holds it).
    """

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = message
        redactors = list(self.redactors)
        for redactor in redactors:
            cleaned = redactor.text(cleaned)
        names = SECRET_PARAM_NAMES.union(*(redactor.params for redactor in redactors))
        cleaned = _secret_query(names).sub(lambda m: f"{m.group(1)}={REDACTED}", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_log_filter = _RedactingFilter()
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_log_filter)


def redact_http_logs(redactor: Redactor) -> None:
    """Mask ``redactor``'s secrets and parameters in httpx's and httpcore's log records,
    for as long as ``redactor`` lives."""
    _log_filter.redactors.add(redactor)
