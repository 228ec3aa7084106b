"""The sandbox's API routes: every Usedesk method is a POST at the API's root
(``/tickets``, ``/create/ticket``...), authorized by the ``api_token`` parameter (the API
channel's token). ``/client`` and ``/channels`` also answer GET, as public clients call
them that way.

A refused call is answered with an ``error`` body, ``{"error": "..."}``. How Usedesk sets
the HTTP status of such an answer is not documented and the public clients read the body
whatever the status, so the sandbox answers 200 by default (``errors="in_body"``), or
401/400/404 with ``errors="http"``. Above ``requests_per_minute`` (unset: no limit) a
call gets 429 with ``Retry-After``.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable
from typing import Any, Literal

from pontes.plugin import WindowLimiter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import clients, tickets
from .notify import Notifier
from .params import Refusal, read_params, text
from .state import UsedeskState

ErrorStyle = Literal["in_body", "http"]
Handler = Callable[[dict[str, Any]], Any]


class RateLimited(Exception):
    """More calls than the sandbox's limit; ``wait`` seconds until the next is taken."""

    def __init__(self, wait: float):
        super().__init__(wait)
        self.wait = wait


class UsedeskApi:
    """Usedesk's API methods over one sandbox account."""

    def __init__(self, state: UsedeskState, notifier: Notifier, *, token: str,
                 errors: ErrorStyle, limiter: WindowLimiter | None):
        self.state = state
        self.notifier = notifier
        self.token = token
        self.errors = errors
        self.limiter = limiter

    def routes(self) -> list[Route]:
        """One route per method."""
        state, notifier = self.state, self.notifier
        methods: list[tuple[str, Handler, bool]] = [
            ("/channels", self.channels, True),
            ("/tickets", lambda p: tickets.list_tickets(state, p), False),
            ("/ticket", lambda p: tickets.get_ticket(state, p), False),
            ("/create/ticket", lambda p: tickets.create_ticket(state, notifier, p), False),
            ("/update/ticket", lambda p: tickets.update_ticket(state, notifier, p), False),
            ("/create/comment", lambda p: tickets.create_comment(state, notifier, p), False),
            ("/clients", lambda p: clients.list_clients(state, p), False),
            ("/client", lambda p: clients.get_client(state, p), True),
            ("/create/client", lambda p: clients.create_client(state, p), False),
            ("/update/client", lambda p: clients.update_client(state, p), False),
        ]
        return [Route(path, self._endpoint(handler),
                      methods=["POST", "GET"] if also_get else ["POST"])
                for path, handler, also_get in methods]

    def _endpoint(self, handler: Handler) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            """Read, authorize and answer one call of the method."""
            try:
                params = await read_params(request)
                self._authorize(params)
                answer = handler(params)
            except Refusal as refusal:
                return self.error(refusal)
            except RateLimited as limited:
                return JSONResponse({"error": "Too Many Attempts."}, status_code=429,
                                    headers={"Retry-After": str(math.ceil(limited.wait))})
            return JSONResponse(answer)

        return endpoint

    def error(self, refusal: Refusal) -> Response:
        """The ``error`` answer of a refused call."""
        status = refusal.status if self.errors == "http" else 200
        return JSONResponse({"error": refusal.message}, status_code=status)

    def _authorize(self, params: dict[str, Any]) -> None:
        token = text(params, "api_token")
        if token is None:
            raise Refusal("The api token field is required.", 401)
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            raise Refusal("Invalid api token.", 401)
        if self.limiter is not None:
            wait = self.limiter.hit(token)
            if wait is not None:
                raise RateLimited(wait)

    def channels(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """``/channels``: the account's channels, of one ``channel_type`` if given."""
        kind = text(params, "channel_type")
        return [dict(c) for c in self.state.channels.values()
                if kind is None or c["channel_type"] == kind]
