"""Keeping credentials out of URLs, headers, logs and error text.

A ``Redactor`` masks two things: query parameters and headers whose *names* mark them as
credentials, and known secret *values* wherever they appear, raw or encoded. The names
known here are generic ones (``Authorization``, ``Cookie``, ``X-Api-Key``, ``api_key``,
``access_token``, ``client_secret``...); a vendor's own names are declared by its plugin
(``VendorClient(secret_headers=..., secret_params=...)``).

httpx logs every request's full URL at INFO, query-string credentials included. A filter
on the ``httpx`` and ``httpcore`` loggers masks those records with the redactor of every
open ``VendorClient``; since those loggers belong to the whole process, so does the set
of redactors the filter consults (``redact_http_logs``).
"""

from __future__ import annotations

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


def _spellings(secret: str) -> set[str]:
    """A secret as it may appear in text: raw, percent-encoded, form-encoded, JSON-escaped."""
    return {secret, quote(secret, safe=""), quote_plus(secret, safe=""),
            json.dumps(secret)[1:-1]}


class Redactor:
    """Removes secrets from URLs, headers and text before they are logged or shown.

    Query parameters named like credentials (``SECRET_PARAM_NAMES`` and ``params``) are
    masked, and so is every known secret value wherever it appears (in a URL path, a
    vendor's error message, a header), raw or percent-encoded. A credential header
    (``is_secret_header``, or one of ``headers``) is masked whole; a secret such as
    ``Bearer abc`` is masked whole, and its credential part (``abc``) wherever it is echoed.
    """

    def __init__(self, secrets: Iterable[str] = (), params: Iterable[str] = (),
                 headers: Iterable[str] = ()):
        values: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            values.add(secret)
            scheme_and_credential = secret.split()
            if len(scheme_and_credential) > 1:
                values.add(scheme_and_credential[-1])
        spelled = {form for value in values if len(value) >= 4 for form in _spellings(value)}
        self.secrets = sorted(spelled, key=len, reverse=True)
        self.params = SECRET_PARAM_NAMES | {p.lower() for p in params}
        self.secret_headers = frozenset(h.lower() for h in headers)

    def text(self, value: str) -> str:
        """``value`` with every known secret replaced by ``***``."""
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
        return value

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
