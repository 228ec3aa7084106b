"""The amoCRM sandbox's own ``/_sandbox`` endpoints (the shared ones are in
``pontes.sandbox``: faults, request and webhook logs, reset).

- ``POST /_sandbox/tokens/expire``: every access token expires now (refresh tokens stay
  good), as a day passing would do;
- ``POST /_sandbox/tokens/revoke``: every token is revoked, as a user disconnecting the
  integration does;
- ``GET /_sandbox/tokens``: how many token pairs were issued and how many live;
- ``GET /_sandbox/records/<entity>``: every stored contact, company or lead.
"""

from __future__ import annotations

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import AmocrmState


def control_routes(state: AmocrmState) -> list[Route]:
    """The amoCRM-specific control endpoints (see the module docstring)."""

    async def expire(request: Request) -> Response:
        state.tokens.expire_access()
        return JSONResponse({"expired": len(state.tokens.access)})

    async def revoke(request: Request) -> Response:
        state.tokens.revoke()
        return JSONResponse({"revoked": True})

    async def tokens(request: Request) -> Response:
        return JSONResponse({"issued": state.tokens.issued,
                             "live_refresh_tokens": len(state.tokens.refresh)})

    async def records(request: Request) -> Response:
        entity = request.path_params["entity"]
        if entity not in state.records:
            return JSONResponse({"error": f"no entity {entity}"}, status_code=404)
        return JSONResponse(list(state.records[entity].values()))

    return [
        Route(f"{CONTROL_PREFIX}/tokens/expire", expire, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/tokens/revoke", revoke, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/tokens", tokens, methods=["GET"]),
        Route(CONTROL_PREFIX + "/records/{entity}", records, methods=["GET"]),
    ]
