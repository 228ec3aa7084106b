"""What every Movidesk API call goes through, and what happens after a ticket changes.

``Gate`` answers, in this order, for each request:

1. a token that is locked out: ``429 Too many failed requests`` with ``Retry-After``;
2. more than ``requests_per_minute`` calls in a rolling minute for the token: 429;
3. a missing or wrong ``token`` query parameter: 401 (a header does not count);
4. otherwise the endpoint itself.

Three failed answers (4xx/5xx other than the gate's own 429s) in a row lock the token
out for 60 s; three more after that for 120 s, then 300 s. A success ends the series.
The gate counts the lock-outs it imposed (``lockouts``). Its minute (``minute`` seconds,
60 unless a test shortens it) sets both the throughput window and the lock-out lengths.

``fire_automations`` emulates triggers whose action is "call webhook": a POST of JSON
naming the ticket, sent in the background like Movidesk's own deliveries.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pontes.plugin import WebhookSender, WindowLimiter
from starlette.requests import Request
from starlette.responses import Response

from .answers import ApiError
from .schema import pascal_case
from .state import MovideskState
from .tickets import view
from .timefmt import SandboxClock

Endpoint = Callable[[Request], Awaitable[Response]]

FAILURES_TO_LOCK = 3
LOCKOUT_STEPS = (60, 120, 300)
"""Seconds a token stays locked out at each escalation (in a 60-second minute)."""


@dataclass
class _Record:
    failures: int = 0
    level: int = 0
    locked_until: float = 0.0


@dataclass
class Gate:
    """Token check, throughput limit and failure lock-out of one sandbox account."""

    token: str
    limiter: WindowLimiter
    clock: SandboxClock
    minute: float = 60.0
    lockouts: int = 0
    _records: dict[str, _Record] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget failures and lock-outs (the limiter is reset by ``SandboxControl``)."""
        self._records.clear()
        self.lockouts = 0

    def guard(self, endpoint: Endpoint) -> Endpoint:
        """``endpoint`` behind the gate; ``ApiError`` raised inside becomes its answer."""

        async def guarded(request: Request) -> Response:
            token = request.query_params.get("token", "")
            record = self._records.setdefault(token, _Record())
            now = self.clock.monotonic()
            if record.locked_until > now:
                return _too_many("Too many failed requests", record.locked_until - now)
            wait = self.limiter.hit(token)
            if wait is not None:
                return _too_many("Too many requests: the API allows "
                                 f"{self.limiter.requests} per minute", wait)
            if token != self.token:
                response = ApiError(401, "Authorization has been denied for this request.").response()
            else:
                try:
                    response = await endpoint(request)
                except ApiError as error:
                    response = error.response()
            self._count(record, response.status_code, now)
            return response

        return guarded

    def _count(self, record: _Record, status: int, now: float) -> None:
        if status < 400:
            record.failures = 0
            record.level = 0
            return
        record.failures += 1
        if record.failures >= FAILURES_TO_LOCK:
            step = LOCKOUT_STEPS[min(record.level, len(LOCKOUT_STEPS) - 1)]
            record.locked_until = now + step * self.minute / 60
            record.level += 1
            record.failures = 0
            self.lockouts += 1


def _too_many(message: str, seconds: float) -> Response:
    wait = max(1, math.ceil(seconds))
    return ApiError(429, message, headers={"Retry-After": str(wait)}).response()


def fire_automations(state: MovideskState, sender: WebhookSender, before: dict[str, Any] | None,
                     after: dict[str, Any]) -> None:
    """Call the webhooks of the triggers that a ticket change (or creation) meets."""
    changed_status = before is not None and before.get("status") != after.get("status")
    for automation in state.automations:
        if automation.status_changed_to is None:
            meets = before is None or before != after
        else:
            meets = changed_status and str(after.get("status")).casefold() == \
                automation.status_changed_to.casefold()
        if meets:
            sender.send(automation.url, webhook_body(after, automation.body))


def webhook_body(ticket: dict[str, Any], shape: str) -> dict[str, Any]:
    """The JSON a "call webhook" action posts: the ticket in PascalCase, or its id only."""
    if shape == "id":
        return {"Id": ticket["id"]}
    return pascal_case(view(ticket))
