"""``VendorClient``: the HTTP client of one connection to one vendor.

It wraps ``httpx.AsyncClient`` and puts together the other modules of ``pontes.http``:
every call first takes a token from the connection's rate-limit bucket (``ratelimit``),
failures are retried by the ``RetryPolicy`` (``retry``), error answers become typed errors
with the vendor's own message (``vendor_errors``), and secrets are masked in every URL,
message and log line (``redaction``). Each call is reported to the call observers (the
server's metrics, an export's call count).

A plugin builds the client; the ``Connection`` that asked for it then ``attach``es the
rate budgets and call observers of the runtime it belongs to.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..errors import RateLimitedError, VendorError, VendorUnavailable, VendorUnreachable
from .ratelimit import BudgetUsage, InProcessRateBudgets, RateBucket, RateBudgets, RateLimit
from .redaction import Redactor, is_secret_header, redact_http_logs
from .retry import RetryPolicy, may_resend, resend_safe
from .vendor_errors import error_for, vendor_message

log = logging.getLogger("pontes.http")

CallObserver = Callable[[str, str, int | None, float], None]
"""Called after every vendor call with (connection, method, status or None, seconds)."""


@dataclass
class VendorClient:
    """An HTTP client for one connection to one vendor.

    ``auth_params`` are added to every query string (Movidesk's ``token``); ``headers`` to
    every request (Ploomes' ``User-Key``). The values of ``auth_params``, of credential
    headers and of ``secrets`` are masked wherever they would show. Credential headers are
    the generic ones (``is_secret_header``) and the vendor's own ``secret_headers``; query
    parameters named in ``secret_params`` (and the generic credential names) are masked in
    every URL shown. ``describe_error`` may replace ``vendor_message`` for vendors with
    unusual error bodies; ``sleep`` is what retries wait with (tests pass one that records
    the waits).

    With a ``rate_limit``, every call first takes its turn from the bucket of this
    client's ``account`` in the budgets given to ``attach``; until then the client keeps a
    private bucket and reports its calls to no observer. A turn further away than
    ``retry.max_inline_wait`` is raised as a ``RateLimitedError`` instead of waited for, and
    a vendor's 429 or ``Retry-After`` pauses the bucket for every client sharing it.
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
    secret_headers: Iterable[str] = ()
    secret_params: Iterable[str] = ()
    account: str = field(init=False)
    """Whom the vendor counts this client's calls against: a digest of the API address and
    the credentials. Clients of one account share its rate budget, whatever connection
    they belong to."""

    def __post_init__(self) -> None:
        self.secret_headers = tuple(self.secret_headers)
        self.secret_params = tuple(self.secret_params)
        secret_values = [*self.secrets, *self.auth_params.values(),
                         *(v for k, v in self.headers.items()
                           if is_secret_header(k, self.secret_headers))]
        self.redactor = Redactor(secret_values, params=[*self.auth_params, *self.secret_params],
                                 headers=self.secret_headers)
        redact_http_logs(self.redactor)
        self.account = hashlib.sha256("\n".join(
            [self.base_url.rstrip("/"), *sorted(secret_values)]).encode()).hexdigest()
        self.call_observers: Sequence[CallObserver] = ()
        self._bucket: RateBucket | None = None
        if self.rate_limit is not None:
            self._bucket = InProcessRateBudgets().bucket(self.connection, self.rate_limit,
                                                         self.account)
        self._http = httpx.AsyncClient(
            base_url=self.base_url.rstrip("/"),
            headers=dict(self.headers),
            timeout=self.timeout,
            transport=self.transport,
        )

    def attach(self, budgets: RateBudgets,
               call_observers: Sequence[CallObserver] = ()) -> VendorClient:
        """Share the rate budget and call observers of the runtime this client works for.

        From now on calls take their turns from ``budgets.bucket(connection, rate_limit,
        account)``, which every client of this account in the runtime shares (in every
        process, with budgets kept in the store), and are reported to
        ``call_observers`` (kept by reference: observers added to that list later are called
        too). A ``Connection`` attaches the client its connector built; returns the client.
        """
        if self.rate_limit is not None:
            self._bucket = budgets.bucket(self.connection, self.rate_limit, self.account)
        self.call_observers = call_observers
        return self

    def authenticate(self, auth: httpx.Auth) -> None:
        """Sign every call with ``auth`` (an OAuth connection's tokens, which it refreshes
        and retries once on a 401 by itself)."""
        self._http.auth = auth

    async def pause(self, seconds: float) -> None:
        """Hold every call of this client's account for ``seconds``, in every client and
        process sharing its budget (a vendor lock-out the plugin knows of). Without a
        ``rate_limit`` there is no budget to hold and nothing happens."""
        if self._bucket is not None and seconds > 0:
            await self._bucket.pause(seconds)

    async def budget_usage(self) -> BudgetUsage | None:
        """How much of this client's rate budget is taken now (``None`` without a
        ``rate_limit``)."""
        if self._bucket is None:
            return None
        return await self._bucket.usage()

    async def aclose(self) -> None:
        """Close the underlying connections."""
        await self._http.aclose()

    async def __aenter__(self) -> VendorClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, data: Any = None,
                      headers: Mapping[str, str] | None = None,
                      retry_safe: bool | None = None) -> httpx.Response:
        """Send a request within the rate limit, retrying what is worth retrying.

        A failed call is sent again only when that cannot do the work twice (see
        ``retry.may_resend``): after a 429 or a connection that was never made, always;
        after a timeout, a dropped connection or a 5xx, only when the call is safe to
        repeat: GET, HEAD, OPTIONS, PUT and DELETE are, POST and PATCH are not unless
        ``retry_safe`` says so (the vendor takes an idempotency key, or the body only sets
        values). Returns the successful response; raises a ``VendorError`` subclass
        otherwise.
        """
        query = {**(params or {}), **self.auth_params}
        safe = resend_safe(method, retry_safe)
        for attempt in range(1, self.retry.attempts + 1):
            if self._bucket is not None:
                await self._bucket.acquire(self.retry.max_inline_wait)
            try:
                response = await self._send_once(method, path, query, json, data, headers)
            except VendorError as error:
                retry_after = getattr(error, "retry_after", None)
                wait = self.retry.backoff(attempt) if retry_after is None else retry_after
                if retry_after is not None or isinstance(error, RateLimitedError):
                    await self.pause(wait)
                if not may_resend(error, safe=safe) or attempt == self.retry.attempts:
                    raise
                if retry_after is not None and wait > self.retry.max_inline_wait:
                    raise
                log.info("retrying %s %s in %.2fs after: %s", method, error.url, wait, error)
                await self.sleep(wait)
                continue
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _send_once(self, method: str, path: str, query: Mapping[str, Any], json: Any,
                         data: Any, headers: Mapping[str, str] | None) -> httpx.Response:
        request = self._http.build_request(method, path, params=query, json=json, data=data,
                                           headers=headers)
        safe_url = self.redactor.url(request.url)
        started = time.perf_counter()
        failure: VendorError | None = None
        try:
            response = await self._http.send(request)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            reason = self.redactor.text(str(exc) or type(exc).__name__)
            failure = VendorUnreachable(f"connection failed: {reason}", url=safe_url)
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
        for observer in tuple(self.call_observers):
            try:
                observer(self.connection, method, status, elapsed)
            except Exception:
                log.exception("call observer %r failed", observer)

    async def get_json(self, path: str, **kwargs: Any) -> Any:
        """GET and decode the JSON answer (``None`` for an empty body)."""
        return _json_of(await self.request("GET", path, **kwargs))

    async def post_json(self, path: str, *, retry_safe: bool = False, **kwargs: Any) -> Any:
        """POST and decode the JSON answer (``None`` for an empty body).

        After a timeout, a dropped connection or a 5xx the POST is not sent again unless
        ``retry_safe`` (see ``request``): the vendor may have created the record already.
        """
        return _json_of(await self.request("POST", path, retry_safe=retry_safe, **kwargs))

    async def patch_json(self, path: str, *, retry_safe: bool = False, **kwargs: Any) -> Any:
        """PATCH and decode the JSON answer (``None`` for an empty body).

        Sent again after an ambiguous failure only when ``retry_safe``: a PATCH that only
        sets values is; one that appends (a reply to a ticket) is not.
        """
        return _json_of(await self.request("PATCH", path, retry_safe=retry_safe, **kwargs))

    async def delete(self, path: str, **kwargs: Any) -> Any:
        """DELETE and decode the JSON answer (``None`` for an empty body)."""
        return _json_of(await self.request("DELETE", path, **kwargs))


def _json_of(response: httpx.Response) -> Any:
    if not response.content:
        return None
    return response.json()
