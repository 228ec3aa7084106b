"""The HTTP client every plugin uses to call its vendor.

``VendorClient`` wraps ``httpx.AsyncClient`` with what every vendor integration needs and
none should write twice:

- a token bucket per connection, set from the vendor's published limit, shared by every
  client of that connection in the process;
- retries on 429, 5xx, timeouts and connection errors, with exponential backoff, full
  jitter and a cap, honouring ``Retry-After``; a wait longer than ``max_inline_wait`` is
  not slept through but raised, so the engine reschedules the event instead of holding a
  worker (Movidesk locks a token out for 60 s and more);
- typed errors carrying the vendor's own message (``pontes.errors``);
- secrets redacted from URLs, headers, logs and error text: credentials sent in the
  query string (Movidesk's ``token``) never leave this module in clear.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import re
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import httpx

from .errors import (
    AuthError,
    NotFoundError,
    RateLimitedError,
    VendorError,
    VendorUnavailable,
    VendorValidationError,
)

log = logging.getLogger("pontes.http")

REDACTED = "***"
SECRET_PARAM_NAMES = frozenset(
    {"token", "access_token", "refresh_token", "api_key", "apikey", "key", "user_key",
     "client_secret", "secret", "password", "code"}
)
SECRET_HEADER_NAMES = frozenset({"authorization", "user-key", "x-api-key", "cookie", "set-cookie"})


@dataclass(frozen=True)
class RateLimit:
    """A vendor's published request budget: ``requests`` per ``per_seconds``.

    ``burst`` is how many calls may go at once after a quiet spell (default: all of them,
    which is how per-minute vendor limits behave).
    """

    requests: int
    per_seconds: float = 60.0
    burst: int | None = None


class TokenBucket:
    """An async token bucket: ``acquire()`` waits until a call fits the rate limit.

    Each caller reserves its token at once (the balance may go below zero) and then sleeps
    until the balance it borrowed from has refilled, so callers are served in order with
    no lock held across an ``await``. That keeps one bucket usable from any event loop.
    ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        if limit.requests <= 0 or limit.per_seconds <= 0:
            raise ValueError(f"a rate limit needs positive requests and per_seconds, got {limit}")
        self.rate = limit.requests / limit.per_seconds
        self.capacity = float(limit.burst or limit.requests)
        self.tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._guard = threading.Lock()

    def _reserve(self) -> float:
        with self._guard:
            now = self._clock()
            self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate)
            self._updated = now
            self.tokens -= 1
            return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def acquire(self) -> float:
        """Take one token, sleeping as long as needed; returns the seconds waited."""
        delay = self._reserve()
        if delay <= 0:
            return 0.0
        try:
            await self._sleep(delay)
        except BaseException:
            with self._guard:
                self.tokens += 1
            raise
        return delay


_buckets: dict[tuple[str, RateLimit], TokenBucket] = {}


def bucket_for(connection: str, limit: RateLimit) -> TokenBucket:
    """The process-wide token bucket of a connection (one per connection and limit)."""
    key = (connection, limit)
    if key not in _buckets:
        _buckets[key] = TokenBucket(limit)
    return _buckets[key]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed call within one run.

    Backoff before retry ``n`` (from 1) is a random value in ``[0, min(cap, base * 2**n)]``
    (full jitter), unless the vendor said ``Retry-After``, which is honoured exactly.
    """

    attempts: int = 4
    base: float = 0.5
    cap: float = 20.0
    max_inline_wait: float = 20.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, got {self.attempts}")
        for name in ("base", "cap", "max_inline_wait"):
            if getattr(self, name) < 0:
                raise ValueError(f"RetryPolicy.{name} must not be negative, got {getattr(self, name)}")

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based) without a Retry-After."""
        return random.uniform(0, min(self.cap, self.base * 2**retry))


_SECRET_HEADER_HINTS = ("token", "secret", "key", "auth", "password", "session", "signature")


def is_secret_header(name: str) -> bool:
    """Whether a header of this name carries a credential (``Authorization``, ``User-Key``...)."""
    lowered = name.lower()
    return lowered in SECRET_HEADER_NAMES or any(hint in lowered for hint in _SECRET_HEADER_HINTS)


def _spellings(secret: str) -> set[str]:
    """A secret as it may appear in text: raw, percent-encoded, form-encoded, JSON-escaped."""
    return {secret, quote(secret, safe=""), quote_plus(secret, safe=""),
            json.dumps(secret)[1:-1]}


class Redactor:
    """Removes secrets from URLs, headers and text before they are logged or shown.

    Query parameters whose names look like credentials are masked, and so is every known
    secret value wherever it appears (in a URL path, a vendor's error message, a header),
    raw or percent-encoded. A credential header such as ``Authorization: Bearer abc`` is
    masked whole, and its credential part (``abc``) wherever it is echoed.
    """

    def __init__(self, secrets: Iterable[str] = (), params: Iterable[str] = ()):
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
            k: REDACTED if is_secret_header(k) else self.text(v)
            for k, v in headers.items()
        }


_live_redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()
_SECRET_QUERY = re.compile(  # a credential-named query parameter and its value
    r"(?i)\b(" + "|".join(sorted(SECRET_PARAM_NAMES, key=len, reverse=True)) + r")=[^&\s\"']+"
)


class _RedactingFilter(logging.Filter):
    """Masks the secrets of every open ``VendorClient`` in httpx's and httpcore's own logs.

    httpx logs each request's full URL at INFO, query-string credentials included; this
    filter rewrites such records before any handler sees them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = message
        for redactor in list(_live_redactors):
            cleaned = redactor.text(cleaned)
        cleaned = _SECRET_QUERY.sub(lambda m: f"{m.group(1)}={REDACTED}", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_RedactingFilter())


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (it may be a number or an HTTP date).

    ``None`` when the header is absent or unreadable; a date in the past gives 0.
    """
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - time.time())


_MESSAGE_KEYS = ("message", "Message", "error_description", "error", "detail", "title",
                 "errors", "ExceptionMessage", "msg", "description")
"""Keys that hold the main explanation in the error bodies vendors send."""

_DETAIL_KEYS = ("errors", "validation-errors", "ModelState")
"""Keys that hold per-field details next to the main explanation."""

_FIELD_KEYS = ("path", "field", "property", "param")
"""Keys that name the field a detail is about."""

MAX_MESSAGE = 500


def vendor_message(response: httpx.Response) -> str:
    """The vendor's own explanation of an error answer, as short text.

    Reads the usual JSON shapes (``{"message"}``, ``{"Message"}`` with ASP.NET's
    ``ModelState``, ``{"error": {"message"}}``, ``{"errors": [...]}``, problem+json with
    ``validation-errors``), and falls back to the body as text with HTML tags removed.
    """
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text
        if "html" in response.headers.get("content-type", ""):
            text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", text, flags=re.S | re.I)
        text = re.sub(r"\s+", " ", text).strip()
        return text[:MAX_MESSAGE] or response.reason_phrase or "error"
    messages = list(dict.fromkeys(_messages_in(body)))
    if messages:
        return "; ".join(messages)[:MAX_MESSAGE]
    if isinstance(body, dict) and body:
        return json.dumps(body, ensure_ascii=False)[:MAX_MESSAGE]
    return response.reason_phrase or "error"


def _messages_in(body: Any, depth: int = 0) -> list[str]:
    """Every explanation found in a decoded error body, main one first."""
    if depth > 5:
        return []
    if isinstance(body, str):
        return [body.strip()] if body.strip() else []
    if isinstance(body, list):
        return [m for item in body for m in _messages_in(item, depth + 1)]
    if not isinstance(body, dict):
        return []
    found: list[str] = []
    used = None
    for key in _MESSAGE_KEYS:
        if body.get(key):
            found = _messages_in(body[key], depth + 1)
            if found:
                used = key
                break
    where = next((str(body[k]) for k in _FIELD_KEYS if body.get(k)), None)
    if where and found:
        found[0] = f"{where}: {found[0]}"
    for key in _DETAIL_KEYS:
        if key == used or not body.get(key):
            continue
        details = body[key]
        if isinstance(details, dict):
            found += [f"{field}: {'; '.join(_messages_in(value, depth + 1))}"
                      for field, value in details.items() if _messages_in(value, depth + 1)]
        else:
            found += _messages_in(details, depth + 1)
    return found


def error_for(response: httpx.Response, message: str, url: str) -> VendorError:
    """The typed error for a failed answer (``message`` and ``url`` already redacted)."""
    status = response.status_code
    if status in (401, 403):
        return AuthError(message, status=status, url=url)
    if status == 404:
        return NotFoundError(message, status=status, url=url)
    if status == 429:
        return RateLimitedError(message, status=status, url=url,
                                retry_after=retry_after_seconds(response))
    if status >= 500 or status == 408:
        return VendorUnavailable(message, status=status, url=url,
                                 retry_after=retry_after_seconds(response))
    return VendorValidationError(message, status=status, url=url)


CallObserver = Callable[[str, str, int | None, float], None]
"""Called after every vendor call with (connection, method, status or None, seconds)."""

call_observers: list[CallObserver] = []
"""Observers of every vendor call (the server's metrics register one)."""


@dataclass
class VendorClient:
    """An HTTP client for one connection to one vendor.

    ``auth_params`` are added to every query string (Movidesk's ``token``); ``headers`` to
    every request (Ploomes' ``User-Key``). The values of ``auth_params``, of credential
    headers (``is_secret_header``) and of ``secrets`` are masked wherever they would show.
    ``describe_error`` may replace ``vendor_message`` for vendors with unusual error bodies;
    ``sleep`` is what retries wait with (tests pass one that records the waits).
    """

    connection: str
    base_url: str
    rate_limit: RateLimit | None = None
    auth_params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    secrets: Iterable[str] = ()
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 30.0
    describe_error: Callable[[httpx.Response], str] = vendor_message
    transport: httpx.AsyncBaseTransport | None = None
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    def __post_init__(self) -> None:
        secret_values = [*self.secrets, *self.auth_params.values(),
                         *(v for k, v in self.headers.items() if is_secret_header(k))]
        self.redactor = Redactor(secret_values, params=self.auth_params.keys())
        _live_redactors.add(self.redactor)
        self._bucket = bucket_for(self.connection, self.rate_limit) if self.rate_limit else None
        self._http = httpx.AsyncClient(
            base_url=self.base_url.rstrip("/"),
            headers=dict(self.headers),
            timeout=self.timeout,
            transport=self.transport,
        )

    async def aclose(self) -> None:
        """Close the underlying connections."""
        await self._http.aclose()

    async def __aenter__(self) -> VendorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, data: Any = None,
                      headers: Mapping[str, str] | None = None) -> httpx.Response:
        """Send a request within the rate limit, retrying what is worth retrying.

        Returns the successful response; raises a ``VendorError`` subclass otherwise.
        """
        query = {**(params or {}), **self.auth_params}
        for attempt in range(1, self.retry.attempts + 1):
            try:
                response = await self._send_once(method, path, query, json, data, headers)
            except VendorError as error:
                if not error.retriable or attempt == self.retry.attempts:
                    raise
                wait = getattr(error, "retry_after", None)
                if wait is None:
                    wait = self.retry.backoff(attempt)
                elif wait > self.retry.max_inline_wait:
                    raise
                log.info("retrying %s %s in %.2fs after: %s", method, error.url, wait, error)
                await self.sleep(wait)
                continue
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _send_once(self, method: str, path: str, query: Mapping[str, Any], json: Any,
                         data: Any, headers: Mapping[str, str] | None) -> httpx.Response:
        if self._bucket is not None:
            await self._bucket.acquire()
        request = self._http.build_request(method, path, params=query, json=json, data=data,
                                           headers=headers)
        safe_url = self.redactor.url(request.url)
        started = time.perf_counter()
        failure: VendorError | None = None
        try:
            response = await self._http.send(request)
        except httpx.TimeoutException as exc:
            failure = VendorUnavailable(f"timed out: {type(exc).__name__}", url=safe_url)
        except httpx.TransportError as exc:
            reason = self.redactor.text(str(exc) or type(exc).__name__)
            failure = VendorUnavailable(f"connection failed: {reason}", url=safe_url)
        if failure is not None:
            self._observe(method, None, started)
            raise failure
        self._observe(method, response.status_code, started)
        log.debug("%s %s -> %s", method, safe_url, response.status_code)
        if response.is_success:
            return response
        await response.aread()
        message = self.redactor.text(self.describe_error(response))
        raise error_for(response, message, safe_url)

    def _observe(self, method: str, status: int | None, started: float) -> None:
        elapsed = time.perf_counter() - started
        for observer in call_observers:
            try:
                observer(self.connection, method, status, elapsed)
            except Exception:
                log.exception("call observer %r failed", observer)

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET and decode the JSON answer (``None`` for an empty body)."""
        return _json_of(await self.request("GET", path, **kwargs))

    async def post_json(self, path: str, **kwargs: Any) -> Any:
        """POST and decode the JSON answer (``None`` for an empty body)."""
        return _json_of(await self.request("POST", path, **kwargs))

    async def patch_json(self, path: str, **kwargs: Any) -> Any:
        """PATCH and decode the JSON answer (``None`` for an empty body)."""
        return _json_of(await self.request("PATCH", path, **kwargs))

    async def put_json(self, path: str, **kwargs: Any) -> Any:
        """PUT and decode the JSON answer (``None`` for an empty body)."""
        return _json_of(await self.request("PUT", path, **kwargs))

    async def delete(self, path: str, **kwargs: Any) -> Any:
        """DELETE and decode the JSON answer (``None`` for an empty body)."""
        return _json_of(await self.request("DELETE", path, **kwargs))


def _json_of(response: httpx.Response) -> Any:
    if not response.content:
        return None
    return response.json()
