"""Ploomes-specific ``/_sandbox`` endpoints (besides the shared faults, logs and reset).

- ``GET /_sandbox/ploomes/records/<resource>``: the stored rows of a resource as they
  are (``InteractionRecords``, ``Deals``, ``Webhooks``...); ``POST`` a row or a list of
  rows to add them, checked as the API checks them but sending no webhooks. Answers
  ``{"ids": [...]}``;
- ``GET /_sandbox/ploomes/config``: the settings below and the demo account's key, user
  and account ids; ``POST`` any of them to change it until the next reset:
  ``requests_per_minute`` (120), ``webhook_shape`` (``"full"`` or ``"thin"``),
  ``page_size`` (the most rows one answer holds, 300) and ``deactivate_after_failures``
  (turn a webhook off after that many failed deliveries in a row; ``null``, the
  default, never does).
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
            if not isinstance(body, dict):
                return JSONResponse({"error": "the config must be a JSON object"},
                                    status_code=400)
            problem = _config_problem(body)
            if problem is not None:
                return JSONResponse({"error": problem}, status_code=400)
            _configure(sandbox, body)
        return JSONResponse(_settings(sandbox))

    return [
        Route(f"{CONTROL}/records/{{path}}", records, methods=["GET", "POST"]),
        Route(f"{CONTROL}/config", config, methods=["GET", "POST"]),
    ]


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _config_problem(body: dict[str, Any]) -> str | None:
    """Why ``body`` is not a config the sandbox takes, naming the key; ``None`` if it is."""
    known = {"requests_per_minute", "webhook_shape", "page_size", "deactivate_after_failures"}
    unknown = sorted(set(body) - known)
    if unknown:
        return f"unknown config key(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
    for key in ("requests_per_minute", "page_size"):
        if key in body and not _positive(body[key]):
            return f"{key} must be a positive integer"
    if "webhook_shape" in body and body["webhook_shape"] not in (FULL, THIN):
        return "webhook_shape must be 'full' or 'thin'"
    after = body.get("deactivate_after_failures")
    if after is not None and not _positive(after):
        return "deactivate_after_failures must be a positive integer or null"
    return None


def _configure(sandbox: PloomesSandbox, body: dict[str, Any]) -> None:
    """Apply a checked config ``body`` to ``sandbox``."""
    if "requests_per_minute" in body:
        sandbox.limiter.requests = body["requests_per_minute"]
        sandbox.limiter.reset()
    if "webhook_shape" in body:
        sandbox.webhook_shape = body["webhook_shape"]
    if "page_size" in body:
        sandbox.set_page_size(body["page_size"])
    if "deactivate_after_failures" in body:
        sandbox.deactivation.after = body["deactivate_after_failures"]


def _settings(sandbox: PloomesSandbox) -> dict[str, Any]:
    """What ``/_sandbox/ploomes/config`` answers: the sandbox's current settings."""
    return {"requests_per_minute": sandbox.limiter.requests,
            "webhook_shape": sandbox.webhook_shape, "page_size": sandbox.page_size,
            "deactivate_after_failures": sandbox.deactivation.after,
            "user_key": sandbox.user_key, "user_id": seed.ADMIN_ID,
            "account_id": seed.ACCOUNT_ID}
