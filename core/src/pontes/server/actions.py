"""``POST /actions/<connection>/<action>``: run one action with a JSON body.

For direct calls: the action runs while the caller waits, nothing is stored and nothing
is retried. A helpdesk rule's "POST request" goes to its integration's request URL
instead (``pontes.server.requests``: stored first, run with retries, done once). The
caller proves it may use the connection with its action token (``Authorization: Bearer
<token>``, or ``?token=`` for senders that cannot set headers). Answers:

- 200 with the action's result as JSON;
- 400 for a body that is not a JSON object (or JSON unsafe to carry: NaN, nested too
  deep...), 401 for a missing or wrong token (or an unknown connection), 404 for an action
  the connection cannot do, 408 for a body that arrives too slowly, 413 for a large body;
- 422 for invalid input (every field listed), input the action refused (a ``ValueError``
  naming the problem, such as an id that is not the vendor's kind of id, or a value too
  long for the vendor's URL) or input the vendor rejected;
- 502 when the vendor failed or refused our credentials, 503 when it asked us to slow
  down (with ``Retry-After``).

Vendor messages are passed on with every secret of the connection masked.
"""

from __future__ import annotations

import logging
import math

import httpx
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..capabilities import canonical_capability
from ..connection import Connection
from ..engine.explain import explain_failure
from ..engine.json_bodies import read_json
from ..errors import (
    AuthError,
    CapabilityError,
    InvalidPayload,
    NotFoundError,
    PermanentFailure,
    RateLimitedError,
    VendorError,
    VendorValidationError,
)
from .auth import action_token, bearer, token_matches
from .bodies import BodyTooLarge, BodyTooSlow, closing, error, json_response, read_body

log = logging.getLogger("pontes.server")


async def run_action(request: Request) -> Response:
    """Run one action of one connection and answer its result."""
    state = request.app.state
    name = request.path_params["connection"]
    connection: Connection | None = state.runtime.connections.get(name)
    given = bearer(request) or request.query_params.get("token")
    expected = action_token(state.key, name) if connection is not None else None
    if not token_matches(given, expected):
        return error(401, "missing or invalid action token")
    action_name = request.path_params["action"]
    try:
        action = connection.action(action_name)
    except CapabilityError as exc:
        return error(404, str(exc))
    settings = state.settings
    try:
        body = await read_body(request, settings.body_limit, settings.body_timeout)
    except BodyTooLarge:
        return error(413, f"body is larger than the limit of {settings.body_limit} bytes")
    except BodyTooSlow:
        return closing(error(408, f"body did not arrive within {settings.body_timeout:g} s"))
    try:
        params = read_json(body) if body.strip() else {}
    except InvalidPayload as exc:
        return error(400, str(exc))
    if not isinstance(params, dict):
        return error(400, f"body must be a JSON object, got {type(params).__name__}")
    capability = canonical_capability(action_name)
    model = capability.input if capability else action.input
    if model is not None:
        try:
            params = model.model_validate(params)
        except ValidationError as exc:
            return error(422, "invalid input", fields=field_errors(exc))
    try:
        result = await connection.call(action_name, params)
    except Exception as exc:
        return _vendor_failure(connection, action_name, exc)
    return json_response(result)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as ``[{"field": "a.b", "message": ...}]`` (input values left out)."""
    return [{"field": ".".join(str(p) for p in item["loc"]) or "<body>",
             "message": item["msg"], "type": item["type"]} for item in exc.errors()]


def _vendor_failure(connection: Connection, action: str, exc: Exception) -> Response:
    message = explain_failure(exc, [connection])
    if isinstance(exc, VendorValidationError | PermanentFailure):
        return error(422, "the vendor rejected the input", message=message)
    if isinstance(exc, NotFoundError):
        return error(404, "not found at the vendor", message=message)
    if isinstance(exc, AuthError):
        return error(502, "the vendor refused this connection's credentials", message=message)
    if isinstance(exc, RateLimitedError):
        response = error(503, "the vendor asked us to slow down", message=message)
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(math.ceil(exc.retry_after))
        return response
    if isinstance(exc, VendorError):
        return error(502, "the vendor failed", message=message)
    if isinstance(exc, ValidationError):
        log.error("action %s of %s answered out of contract: %s", action, connection.name,
                  message)
        return error(502, "the vendor's answer did not match the action's output model")
    if isinstance(exc, ValueError | httpx.InvalidURL):  # the input cannot make a request
        log.info("action %s of %s refused its input: %s", action, connection.name, message)
        return error(422, "the action refused the input", message=message)
    log.error("action %s of %s failed: %s", action, connection.name, message,
              exc_info=(type(exc), exc, exc.__traceback__))
    return error(500, "the action failed unexpectedly; see the server log")


routes = [Route("/actions/{connection}/{action}", run_action, methods=["POST"])]
