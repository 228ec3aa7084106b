"""The ``/_sandbox`` control routes and the state behind them: queued faults, the log of
requests received, the log of webhooks sent, rate windows, and reset."""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..http import Redactor
from .faults import Fault
from .limits import WindowLimiter
from .webhooks import WebhookSender

CONTROL_PREFIX = "/_sandbox"

FAULT_SEED = 0
"""The seed of the draws behind faults with a ``chance``: a run is the same every time."""


class SandboxControl:
    """The steerable part of a sandbox: faults, request log, webhook log, reset.

    ``reset_state`` empties the vendor state the sandbox keeps. ``secret_params`` are
    query parameters masked in the request log (credential-like names always are), and
    ``secrets`` are values masked wherever they appear in a logged path or query. Faults
    with a ``chance`` draw from a generator seeded with ``FAULT_SEED`` (again at reset),
    so the same requests in the same order meet the same faults.
    """

    def __init__(self, reset_state: Callable[[], None], *,
                 secret_params: Sequence[str] = (), secrets: Sequence[str] = ()):
        self._reset_state = reset_state
        self.faults: list[Fault] = []
        self.requests: list[dict[str, Any]] = []
        self.webhooks = WebhookSender()
        self.redactor = Redactor(secrets, params=secret_params)
        self.limiters: list[WindowLimiter] = []
        self.draws = random.Random(FAULT_SEED)

    def limiter(self, requests: int, per_seconds: float = 60.0,
                clock: Callable[[], float] = time.monotonic) -> WindowLimiter:
        """A new ``WindowLimiter`` that ``reset()`` also empties."""
        limiter = WindowLimiter(requests, per_seconds, clock)
        self.limiters.append(limiter)
        return limiter

    def reset(self) -> None:
        """Forget all state, logs, faults and rate-limit windows."""
        self._reset_state()
        self.faults.clear()
        self.draws.seed(FAULT_SEED)
        self.requests.clear()
        self.webhooks.reset()
        for limiter in self.limiters:
            limiter.reset()

    def take_fault(self, path: str, method: str | None = None) -> Fault | None:
        """The first queued fault that matches the request and hits it (see
        ``Fault.chance``), counted as used; or ``None``."""
        for fault in self.faults:
            if fault.matches(path, method) and (fault.chance >= 1
                                                or self.draws.random() < fault.chance):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def routes(self) -> list[BaseRoute]:
        """The ``/_sandbox`` routes (described in ``pontes.sandbox``)."""

        async def add_fault(request: Request) -> Response:
            try:
                fault = Fault.from_spec(json.loads(await request.body() or b"null"))
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": f"bad fault: {exc}"}, status_code=400)
            self.faults.append(fault)
            return JSONResponse({"queued": len(self.faults)})

        async def clear_faults(request: Request) -> Response:
            self.faults.clear()
            return JSONResponse({"queued": 0})

        async def request_log(request: Request) -> Response:
            return JSONResponse(self.requests)

        async def delivery_log(request: Request) -> Response:
            await self.webhooks.drain()
            return JSONResponse([dataclasses.asdict(d) for d in self.webhooks.deliveries])

        async def reset(request: Request) -> Response:
            self.reset()
            return JSONResponse({"reset": True})

        return [
            Route(f"{CONTROL_PREFIX}/faults", add_fault, methods=["POST"]),
            Route(f"{CONTROL_PREFIX}/faults", clear_faults, methods=["DELETE"]),
            Route(f"{CONTROL_PREFIX}/requests", request_log, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/deliveries", delivery_log, methods=["GET"]),
            Route(f"{CONTROL_PREFIX}/reset", reset, methods=["POST"]),
        ]
