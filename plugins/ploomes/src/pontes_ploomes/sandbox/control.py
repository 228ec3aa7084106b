"""Ploomes-specific ``/_sandbox`` endpoints (besides the shared faults, logs and reset).

- ``GET /_sandbox/ploomes/records/<resource>``: the stored rows of a resource as they
  are (``InteractionRecords``, ``Deals``, ``Webhooks``...); ``POST`` a row or a list of
  rows to add them, checked as the API checks them but sending no webhooks. Answers
  ``{"ids": [...]}``;
- ``GET /_sandbox/ploomes/config``: the rate limit, the webhook form and the demo
  account's key, user and account ids; ``POST`` ``{"requests_per_minute": n,
  "webhook_shape": "full" | "thin"}`` to change the rate limit or the delivery form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import seed
from .notify import FULL, THIN
from .schema import RESOURCES
from .writes import ApiError

if TYPE_CHECKING:
    from .app import PloomesSandbox

CONTROL = f"{CONTROL_PREFIX}/ploomes"


def control_routes(sandbox: PloomesSandbox) -> list[Route]:
    """The Ploomes-specific control endpoints of ``sandbox`` (see the module docstring)."""

    async def records(request: Request) -> Response:
        """``GET|POST /_sandbox/ploomes/records/<path>``."""
        path = request.path_params["path"]
        if path not in RESOURCES:
            return JSONResponse({"error": f"unknown resource {path!r}",
                                 "resources": sorted(RESOURCES)}, status_code=404)
        if request.method == "GET":
            return JSONResponse(sandbox.store.rows(path))
        body = await request.json()
        rows = body if isinstance(body, list) else [body]
        try:
            stored = [sandbox.insert(path, row) for row in rows]
        except ApiError as exc:
            return JSONResponse({"error": exc.message}, status_code=400)
        key = RESOURCES[path].key_field
        return JSONResponse({"ids": [row[key] for row in stored]})

    async def config(request: Request) -> Response:
        """``GET|POST /_sandbox/ploomes/config``."""
        if request.method == "POST":
            body = await request.json()
            limit = body.get("requests_per_minute")
            shape = body.get("webhook_shape")
            if limit is not None and (not isinstance(limit, int) or limit <= 0):
                return JSONResponse({"error": "requests_per_minute must be a positive integer"},
                                    status_code=400)
            if shape is not None and shape not in (FULL, THIN):
                return JSONResponse({"error": "webhook_shape must be 'full' or 'thin'"},
                                    status_code=400)
            if limit is not None:
                sandbox.limiter.requests = limit
                sandbox.limiter.reset()
            if shape is not None:
                sandbox.webhook_shape = shape
        return JSONResponse(_settings(sandbox))

    return [
        Route(f"{CONTROL}/records/{{path}}", records, methods=["GET", "POST"]),
        Route(f"{CONTROL}/config", config, methods=["GET", "POST"]),
    ]


def _settings(sandbox: PloomesSandbox) -> dict[str, Any]:
    """What ``/_sandbox/ploomes/config`` answers: the sandbox's current settings."""
    return {"requests_per_minute": sandbox.limiter.requests,
            "webhook_shape": sandbox.webhook_shape, "user_key": seed.SANDBOX_USER_KEY,
            "user_id": seed.ADMIN_ID, "account_id": seed.ACCOUNT_ID}
