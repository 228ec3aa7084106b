"""``POST /hooks/<integration>/<token>``: vendor webhooks into the inbox.

The token (``pontes.webhook_tokens``) is compared in constant time and a wrong one (or an
unknown integration) gets the same 404 as any unknown path. The body is stored before the
answer: the trigger's acknowledgement (2xx) once committed, also for a delivery whose
events the recipe does not use (stored as ignored); 4xx with the reason when it cannot be
parsed or a trigger crashes on it (stored as rejected); 413 when it is too large and 408
when it arrives too slowly (both stored as rejected, without the body); 503 when the store
cannot take it (so the vendor delivers it again).
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..engine import Delivery
from .bodies import BodyTooLarge, BodyTooSlow, answer, closing, error, not_found, read_body

log = logging.getLogger("pontes.server")

CONTENT_TYPE_LIMIT = 200
"""The longest Content-Type kept with a delivery (the store's column); the rest is cut."""


async def receive_hook(request: Request) -> Response:
    """Store one webhook delivery and answer it."""
    state = request.app.state
    found = state.runtime.resolve_hook(request.path_params["integration"],
                                       request.path_params["token"])
    if found is None:
        return not_found()
    integration, role = found
    content_type = request.headers.get("content-type", "")[:CONTENT_TYPE_LIMIT]
    headers, query = dict(request.headers), dict(request.query_params)
    settings = state.settings
    inbox = state.engine.inbox
    cut_short = False
    try:
        try:
            body = await read_body(request, settings.body_limit, settings.body_timeout)
        except BodyTooLarge:
            result = await inbox.refuse(
                integration, role, Delivery(b"", content_type, headers, query),
                f"body is larger than the limit of {settings.body_limit} bytes", 413,
                keep_body=False)
        except BodyTooSlow:
            cut_short = True
            result = await inbox.refuse(
                integration, role, Delivery(b"", content_type, headers, query),
                f"body did not arrive within {settings.body_timeout:g} s", 408,
                keep_body=False)
        else:
            result = await inbox.deliver(
                integration, role, Delivery(body, content_type, headers, query))
    except Exception:
        log.exception("could not store a delivery for %s", integration.name)
        return error(503, "the delivery could not be stored; deliver it again later")
    log.debug("delivery for %s: %d stored, %d already stored, rejected: %s",
              integration.name, len(result.stored), result.duplicates, result.rejected)
    response = answer(result.status, result.body)
    return closing(response) if cut_short else response


routes = [Route("/hooks/{integration}/{token}", receive_hook, methods=["POST"])]
