"""``POST /requests/<integration>/<token>``: a helpdesk automation's JSON request, stored in
the inbox and run by the engine with retries (``pontes.recipes.requests``).

This is where a helpdesk rule's "send a POST request" goes (``pontes hooks`` prints the
URL and a body to paste); ``/actions/<connection>/<action>`` stays for direct calls, run
at once and never retried. The token is compared in constant time; a wrong one, an
unknown integration or one whose recipe takes no requests gets the 404 of any unknown
path. Answers:

- 202 ``{"status": "accepted", "event": id}`` once the request is stored;
- 200 ``{"status": "duplicate"}`` when the same request (by the recipe's key: for
  ``deal_request``, the ticket) was stored before: it is done once;
- 400 for a body that is not a JSON object, 422 naming each field the body's model or the
  other systems' metadata refuses (``{"error", "fields": [{"field", "message"}]}``), 413
  for a large body, 408 for a slow one: each stored as ``rejected`` with the reason;
- 503 when the store cannot take it (the automation may send it again).

When the metadata cannot be read in time (the CRM is down), the request is stored all the
same and checked when it runs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..engine import Delivery
from ..engine.explain import explain_failure
from ..engine.inbox import kept_headers, storable_text, stored_key, without_secrets
from ..engine.json_bodies import read_json
from ..engine.masking import masked_data
from ..errors import InvalidPayload
from ..keys import tokens_equal
from ..logs import event_fields
from ..models import Event
from ..recipes import Integration
from ..store import NewEvent
from .actions import field_errors
from .bodies import BodyTooLarge, BodyTooSlow, closing, error, json_response, not_found, read_body

log = logging.getLogger("pontes.server")

SOURCE = "webhook"
"""The ``source`` of the events (and rejections) stored from requests: like a webhook, an
HTTP delivery from a vendor."""

TRIGGER = "request"
"""The ``trigger`` of those events, which tells them from the vendor triggers' events."""

CHECK_TIMEOUT = 10.0
"""Seconds the metadata check may take before the request is stored unchecked."""


def resolve_request(request: Request) -> Integration | None:
    """The integration a request URL belongs to, or ``None`` (unknown, disabled, takes no
    requests, or a wrong token)."""
    integration = request.app.state.runtime.integrations.get(request.path_params["integration"])
    if (integration is None or not integration.config.enabled
            or integration.recipe.request is None or not integration.request_token):
        return None
    return integration if tokens_equal(request.path_params["token"],
                                       integration.request_token) else None


async def receive_request(request: Request) -> Response:
    """Check one automation request, store it and answer."""
    integration = resolve_request(request)
    if integration is None:
        return not_found()
    delivery = Delivery(b"", request.headers.get("content-type", "")[:200],
                        dict(request.headers), dict(request.query_params))
    try:
        return await _receive(request, integration, delivery)
    except Exception:
        log.exception("could not store a request for %s", integration.name)
        return error(503, "the request could not be stored; send it again later")


async def _receive(request: Request, integration: Integration, delivery: Delivery) -> Response:
    settings = request.app.state.settings
    try:
        body = await read_body(request, settings.body_limit, settings.body_timeout)
    except BodyTooLarge:
        reason = f"body is larger than the limit of {settings.body_limit} bytes"
        await _reject(request, integration, delivery, reason)
        return error(413, reason)
    except BodyTooSlow:
        reason = f"body did not arrive within {settings.body_timeout:g} s"
        await _reject(request, integration, delivery, reason)
        return closing(error(408, reason))
    delivery = Delivery(body, delivery.content_type, delivery.headers, delivery.query)
    try:
        data = read_json(body)
    except InvalidPayload as exc:
        await _reject(request, integration, delivery, str(exc))
        return error(400, str(exc))
    if not isinstance(data, dict):
        reason = f"body must be a JSON object, got {type(data).__name__}"
        await _reject(request, integration, delivery, reason)
        return error(400, reason)
    spec = integration.recipe.request
    try:
        parsed = spec.model.model_validate(data)
    except ValidationError as exc:
        return await _refuse(request, integration, delivery, field_errors(exc))
    problems = await _problems(integration, parsed)
    if problems:
        return await _refuse(request, integration, delivery, problems)
    return await _store(request, integration, delivery, parsed)


async def _problems(integration: Integration, parsed: Any) -> list[dict[str, str]]:
    """The fields the other systems refuse; none when their metadata cannot be read in
    time (the run checks again)."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            found = await integration.recipe.request.check(integration, parsed)
    except Exception as exc:
        log.warning("request for %s stored unchecked (checked again when it runs): %s",
                    integration.name, explain_failure(exc, integration.connections.values()))
        return []
    return [{"field": p.field, "message": p.message} for p in found]


async def _store(request: Request, integration: Integration, delivery: Delivery,
                 parsed: Any) -> Response:
    spec = integration.recipe.request
    engine = request.app.state.engine
    connection = integration.connections[spec.role]
    key = stored_key(spec.key(parsed), integration)
    entity = stored_key(spec.entity_key(parsed), integration)
    event = Event(type=spec.event, connection=connection.name, idempotency_key=key,
                  entity_key=entity, trigger=TRIGGER,
                  payload=parsed.model_dump(mode="json", by_alias=True, exclude_none=True))
    stored = without_secrets(delivery, integration)
    row = NewEvent(integration=integration.name, role=spec.role, connection=connection.name,
                   source=SOURCE, trigger=TRIGGER, type=spec.event, idempotency_key=key,
                   entity_key=entity,
                   event=masked_data(event.model_dump(mode="json"),
                                     integration.connections.values()),
                   body=stored.body, content_type=stored.content_type,
                   headers=kept_headers(stored.headers))
    (event_id,) = await engine.inbox.committer.submit([row])
    if event_id is None:
        engine.metrics.duplicates.labels(integration.name).inc()
        return json_response({"status": "duplicate",
                              "detail": "this request was received before; it is done once"})
    engine.metrics.received.labels(integration.name, SOURCE).inc()
    log.info("received event %d (%s) for %s from an automation request", event_id, spec.event,
             integration.name, extra=event_fields(integration.name, event_id))
    engine.inbox.on_stored()
    return json_response({"status": "accepted", "event": event_id}, 202)


async def _refuse(request: Request, integration: Integration, delivery: Delivery,
                  fields: list[dict[str, str]]) -> Response:
    reason = "invalid request: " + "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    await _reject(request, integration, delivery, reason)
    return error(422, "invalid request",
                 fields=[{"field": f["field"], "message": f["message"]} for f in fields])


async def _reject(request: Request, integration: Integration, delivery: Delivery,
                  reason: str) -> None:
    """Store the request as ``rejected`` with ``reason`` (without its body when none was
    read)."""
    engine = request.app.state.engine
    role = integration.recipe.request.role
    stored = without_secrets(delivery, integration)
    row = NewEvent(integration=integration.name, role=role,
                   connection=integration.connections[role].name, source=SOURCE,
                   status="rejected", trigger=TRIGGER, error=storable_text(reason),
                   body=stored.body or None, content_type=stored.content_type,
                   headers=kept_headers(stored.headers))
    await engine.inbox.committer.submit([row])
    engine.metrics.rejected.labels(integration.name).inc()
    log.info("rejected a request for %s: %s", integration.name, storable_text(reason))


routes = [Route("/requests/{integration}/{token}", receive_request, methods=["POST"])]
