"""``POST /hooks/<integration>/<token>``: vendor webhooks into the inbox.

The token (``pontes.webhook_tokens``) is compared in constant time and a wrong one (or an
unknown integration) gets the same 404 as any unknown path. The body is stored before the
answer: the trigger's acknowledgement (2xx) once committed, 4xx with the reason when it
cannot be parsed (it is stored as rejected), 413 when it is too large, 503 when the store
cannot take it (so the vendor delivers it again).
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..engine import Delivery
from .bodies import BodyTooLarge, answer, error, not_found, read_body

log = logging.getLogger("pontes.server")


async def receive_hook(request: Request) -> Response:
    """Store one webhook delivery and answer it."""
    state = request.app.state
    found = state.runtime.resolve_hook(request.path_params["integration"],
                                       request.path_params["token"])
    if found is None:
        return not_found()
    integration, role = found
    content_type = request.headers.get("content-type", "")
    headers, query = dict(request.headers), dict(request.query_params)
    limit = state.settings.body_limit
    try:
        try:
            body = await read_body(request, limit)
        except BodyTooLarge:
            result = await state.engine.inbox.refuse(
                integration, role, Delivery(b"", content_type, headers, query),
                f"body is larger than the limit of {limit} bytes", 413, keep_body=False)
        else:
            result = await state.engine.inbox.deliver(
                integration, role, Delivery(body, content_type, headers, query))
    except Exception:
        log.exception("could not store a delivery for %s", integration.name)
        return error(503, "the delivery could not be stored; deliver it again later")
    log.debug("delivery for %s: %d stored, %d already stored, rejected: %s",
              integration.name, len(result.stored), result.duplicates, result.rejected)
    return answer(result.status, result.body)


routes = [Route("/hooks/{integration}/{token}", receive_hook, methods=["POST"])]
