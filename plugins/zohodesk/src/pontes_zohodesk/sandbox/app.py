"""A sandbox of Zoho Desk's API v1 and of its data centre's Zoho accounts server.

- ``/api/v1``: organizations, departments, agents and their profiles (``agents``),
  support addresses; tickets (list,
  search, lists by contact and account, get, create, PATCH), threads (list, get,
  ``sendReply``: reply and forward), comments (list, add, edit); contacts and accounts (list, get, create,
  PATCH, search); customer happiness; webhooks (see ``api``, ``records``, ``events``);
  the ticket fields (``organizationFields``, see ``fields``);
- ``/.well-known/jwks.json``: the public key of the ``X-ZDesk-JWT`` that signs every
  webhook delivery (``signing``);
- ``/accounts/oauth/v2/...``: Zoho's accounts server (``pontes.plugin.ZohoAccounts``),
  whose token answers name this sandbox as ``api_domain``.

Every API call needs ``Authorization: Zoho-oauthtoken <token>`` (401 ``INVALID_OAUTH``)
and, except ``GET /organizations``, the ``orgId`` header (400 without it, 403 with another
portal's). Each call spends one API credit of the day's allowance (the edition's base
credits plus its credits per agent) and may run only while fewer calls than the edition's
concurrency are in flight; beyond either, 429 ``TOO_MANY_REQUESTS``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any

from pontes.plugin import SandboxControl, ZohoAccounts, sandbox_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .agents import DeskAgents, agent_control_routes, agent_routes
from .api import API, api_routes
from .control import control_routes
from .events import DeskWebhooks
from .records import DeskError
from .signing import DeliverySigner
from .state import ORG_ID, DeskState

SANDBOX_CLIENT_ID = "1000.ZOHODESKSANDBOX"
SANDBOX_CLIENT_SECRET = "zohodesk-sandbox-client-secret"
SANDBOX_REFRESH_TOKEN = "1000.zohodesk-sandbox-self-client-refresh-token"
"""A refresh token made for the sandbox's self client, good until revoked."""
SANDBOX_ACCESS_TOKEN = "1000.zohodesk-sandbox-standing-access-token"
"""An access token the sandbox always accepts, for demos and tests that skip OAuth."""
EDITIONS = {
    # edition: (base credits a day, credits per agent, calls in flight)
    "free": (5_000, 0, 5),
    "express": (25_000, 100, 10),
    "standard": (25_000, 100, 10),
    "professional": (75_000, 500, 15),
    "enterprise": (100_000, 1_000, 25),
}
"""Each edition's daily API credits and concurrency (Standard's credits are not
published: the sandbox gives it Express's)."""
DAY = 86_400.0
DELIVERY_DEADLINE = 5.0
"""Seconds a webhook receiver has to answer before Zoho Desk counts the delivery failed."""


def _error(error: DeskError, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


def build_app(*, edition: str = "enterprise", agents: int = 1,
              credits_per_day: int | None = None, concurrency: int | None = None,
              latency: float = 0.0, auto_approve: bool = False,
              client_id: str = SANDBOX_CLIENT_ID, client_secret: str = SANDBOX_CLIENT_SECRET,
              clock: Callable[[], float] | None = None) -> Starlette:
    """Zoho Desk for one portal on ``edition`` with ``agents`` agents (``credits_per_day``
    and ``concurrency`` override the edition's), each API call taking ``latency``
    seconds; its accounts server approves logins at once with ``auto_approve``."""
    if edition not in EDITIONS:
        raise ValueError(f"edition: one of {', '.join(EDITIONS)}")
    base, per_agent, in_flight_limit = EDITIONS[edition]
    allowance = credits_per_day if credits_per_day is not None else base + per_agent * agents
    in_flight_limit = concurrency if concurrency is not None else in_flight_limit
    state = DeskState()
    agents_of_portal = DeskAgents(state)
    accounts = ZohoAccounts(client_id, client_secret, auto_approve=auto_approve,
                            self_client_tokens=(SANDBOX_REFRESH_TOKEN,),
                            standing_tokens=(SANDBOX_ACCESS_TOKEN,))
    if clock is not None:
        accounts.clock = clock

    def reset() -> None:
        state.reset()
        agents_of_portal.reset()
        accounts.reset()

    control = SandboxControl(reset, secrets=[client_secret, SANDBOX_REFRESH_TOKEN,
                                             SANDBOX_ACCESS_TOKEN])
    control.webhooks.timeout = DELIVERY_DEADLINE
    credits = control.limiter(allowance, DAY)
    signer = DeliverySigner(ORG_ID)
    webhooks = DeskWebhooks(state, control.webhooks, signer)
    in_flight = 0

    def refusal(request: Request, needs_org: bool) -> Response | None:
        if not accounts.authorized(request):
            return _error(DeskError(401, "INVALID_OAUTH",
                                    "The OAuth Token you provided is invalid."))
        org = request.headers.get("orgId")
        if needs_org and not org:
            return _error(DeskError(400, "INVALID_DATA", "orgId is missing in the header",
                                    [{"fieldName": "orgId", "errorMessage": "mandatory"}]))
        if needs_org and org != ORG_ID:
            return _error(DeskError(403, "FORBIDDEN",
                                    "You do not have permission to access this organization"))
        wait = credits.hit(ORG_ID)
        if wait is not None:
            return _error(DeskError(429, "TOO_MANY_REQUESTS",
                                    "The API credits of the day are used up"),
                          {"Retry-After": str(max(1, math.ceil(wait)))})
        if in_flight >= in_flight_limit:
            return _error(DeskError(429, "TOO_MANY_REQUESTS",
                                    f"More than {in_flight_limit} concurrent API calls"))
        return None

    def guarded(endpoint: Callable[[Request], Any], needs_org: bool) -> Callable:
        async def answer(request: Request) -> Response:
            nonlocal in_flight
            refused = refusal(request, needs_org)
            if refused is not None:
                return refused
            in_flight += 1
            try:
                if latency:
                    await asyncio.sleep(latency)
                return await endpoint(request)
            except DeskError as error:
                return _error(error)
            finally:
                in_flight -= 1
        return answer

    routes = [Route(route.path, guarded(route.endpoint, route.path != f"{API}/organizations"),
                    methods=[m for m in route.methods or () if m != "HEAD"])
              for route in [*api_routes(state, webhooks, edition=edition),
                            *agent_routes(agents_of_portal, API)]]
    app = sandbox_app([*routes, signer.route(), *accounts.routes(),
                       *control_routes(state, webhooks),
                       *agent_control_routes(agents_of_portal)], control)
    app.state.desk = state
    app.state.accounts = accounts
    return app
