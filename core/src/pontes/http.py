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
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    """An async token bucket: ``acquire()`` waits until a call fits the rate limit."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic):
        self.rate = limit.requests / limit.per_seconds
        self.capacity = float(limit.burst or limit.requests)
        self.tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> float:
        """Take one token, sleeping as long as needed; returns the seconds waited."""
        waited = 0.0
        async with self._lock:
            self._refill()
            while self.tokens < 1:
                delay = (1 - self.tokens) / self.rate
                await asyncio.sleep(delay)
                waited += delay
                self._refill()
            self.tokens -= 1
        return waited


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

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based) without a Retry-After."""
        return random.uniform(0, min(self.cap, self.base * 2**retry))


class Redactor:
    """Removes secrets from URLs, headers and text before they are logged or shown.

    Query parameters whose names look like credentials are masked, and so is every known
    secret value wherever it appears (in a URL path, a vendor's error message, a header).
    """

    def __init__(self, secrets: Iterable[str] = (), params: Iterable[str] = ()):
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
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
            k: REDACTED if k.lower() in SECRET_HEADER_NAMES else self.text(v)
            for k, v in headers.items()
        }


class _HttpxLogFilter(logging.Filter):
    """Masks credentials in the records of the ``httpx`` logger, which logs full URLs.

    Every ``VendorClient`` tells it its secrets; secret query parameters are masked by
    name as well, so a token in a query string never reaches a log handler.
    """

    def __init__(self) -> None:
        super().__init__()
        self.redactor = Redactor()

    def remember(self, secrets: Iterable[str], params: Iterable[str]) -> None:
        """Add the secret values and query parameter names of one more client."""
        self.redactor = Redactor([*self.redactor.secrets, *secrets],
                                 [*self.redactor.params, *params])

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._clean(arg) for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = self.redactor.text(record.msg)
        return True

    def _clean(self, value: Any) -> Any:
        if isinstance(value, httpx.URL):
            return self.redactor.url(value)
        if isinstance(value, str):
            return self.redactor.text(value)
        return value


_httpx_log_filter = _HttpxLogFilter()
logging.getLogger("httpx").addFilter(_httpx_log_filter)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (it may be a number or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_MESSAGE_KEYS = ("message", "Message", "error_description", "error", "detail", "title",
                 "errors", "ExceptionMessage", "msg", "description")


def vendor_message(response: httpx.Response) -> str:
    """The vendor's own explanation of an error answer, as short text."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text.strip()
        return re.sub(r"\s+", " ", text)[:500] or response.reason_phrase or "error"
    return _message_in(body) or response.reason_phrase or "error"


def _message_in(body: Any) -> str | None:
    if isinstance(body, str):
        return body[:500]
    if isinstance(body, list) and body:
        return _message_in(body[0])
    if isinstance(body, dict):
        for key in _MESSAGE_KEYS:
            if key in body and body[key]:
                found = _message_in(body[key])
                if found:
                    return found
        return json.dumps(body, ensure_ascii=False)[:500]
    return None


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
    if status >= 500:
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
    every request (Ploomes' ``User-Key``). Both are treated as secrets. ``describe_error``
    may replace ``vendor_message`` for vendors with unusual error bodies.
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
    sleep: Callable[[float], Any] = asyncio.sleep

    def __post_init__(self) -> None:
        secret_values = [*self.secrets, *self.auth_params.values(),
                         *(v for k, v in self.headers.items()
                           if k.lower() in SECRET_HEADER_NAMES)]
        self.redactor = Redactor(secret_values, params=self.auth_params.keys())
        _httpx_log_filter.remember(secret_values, self.auth_params.keys())
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
        try:
            response = await self._http.send(request)
        except httpx.TimeoutException as exc:
            self._observe(method, None, started)
            raise VendorUnavailable(f"timed out: {type(exc).__name__}", url=safe_url) from None
        except httpx.TransportError as exc:
            self._observe(method, None, started)
            reason = self.redactor.text(str(exc) or type(exc).__name__)
            raise VendorUnavailable(f"connection failed: {reason}", url=safe_url) from None
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
            observer(self.connection, method, status, elapsed)

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
