"""Movidesk-specific ``/_sandbox`` endpoints (besides the shared faults, logs and reset).

- ``POST /_sandbox/automations`` ``{"url": "...", "status_changed_to": "Resolvido",
  "body": "full"}``: a trigger that calls ``url`` when a ticket's status changes to
  that name (any change when ``status_changed_to`` is left out); ``body`` is ``full``
  (the ticket in PascalCase) or ``id`` (``{"Id": n}``). Answers ``{"id": n}``.
- ``GET /_sandbox/automations``, ``DELETE /_sandbox/automations``: list, remove all.
- ``POST /_sandbox/tickets/{id}/status`` ``{"status": "Resolvido", "justification":
  null, "agent_id": "agent-ana"}``: an agent changes the status in the Movidesk UI
  (no token, no rate limit); automations fire. Answers the ticket.
- ``POST /_sandbox/seed`` ``{"persons": [...], "tickets": [...]}``: add records.
- ``GET /_sandbox/state``: every person and ticket as stored (deleted items included).
- ``POST /_sandbox/clock`` ``{"advance_seconds": 61}``: move the sandbox's time forward
  (lock-outs and rate windows expire; tickets age towards ``/tickets/past``).
- ``GET /_sandbox/lockouts``: ``{"lockouts": n}``, how many times a token was locked out
  for failing three times in a row since the last reset.
"""

from __future__ import annotations

import json
from typing import Any

from pontes.plugin import CONTROL_PREFIX, WebhookSender
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import tickets
from .answers import ApiError
from .behaviours import Gate, fire_automations
from .seeding import load_seed
from .state import Automation, MovideskState
from .timefmt import SandboxClock, format_instant

BODY_SHAPES = ("full", "id")


def control_routes(state: MovideskState, sender: WebhookSender,
                   clock: SandboxClock, gate: Gate) -> list[Route]:
    """The Movidesk-specific control endpoints (see the module docstring)."""

    async def add_automation(request: Request) -> Response:
        spec = await _json_object(request)
        url, status = spec.get("url"), spec.get("status_changed_to")
        shape = spec.get("body", "full")
        unknown = set(spec) - {"url", "status_changed_to", "body"}
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ApiError(400, "url: an http(s) URL is required")
        if status is not None and state.tenant.status(str(status)) is None:
            raise ApiError(400, f"status_changed_to: no status named {status!r}")
        if shape not in BODY_SHAPES or unknown:
            raise ApiError(400, f"body must be one of {BODY_SHAPES}; fields allowed: url, "
                                "status_changed_to, body")
        automation = Automation(len(state.automations) + 1, url, status, shape)
        state.automations.append(automation)
        return JSONResponse({"id": automation.id}, status_code=201)

    async def list_automations(request: Request) -> Response:
        return JSONResponse([a.__dict__ for a in state.automations])

    async def clear_automations(request: Request) -> Response:
        state.automations.clear()
        return JSONResponse({"automations": 0})

    async def agent_sets_status(request: Request) -> Response:
        ticket_id = request.path_params["ticket_id"]
        current = state.tickets.get(ticket_id)
        if current is None:
            raise ApiError(404, f"Ticket {ticket_id} not found.")
        spec = await _json_object(request)
        if not isinstance(spec.get("status"), str):
            raise ApiError(400, "status: the status name is required")
        updated = tickets.set_status_as_agent(state, current, spec["status"],
                                              spec.get("justification"), spec.get("agent_id"))
        state.tickets[ticket_id] = updated
        fire_automations(state, sender, current, updated)
        return JSONResponse(tickets.view(updated))

    async def seed(request: Request) -> Response:
        return JSONResponse(load_seed(state, await _json_object(request)))

    async def dump(request: Request) -> Response:
        return JSONResponse({"persons": list(state.persons.values()),
                             "tickets": list(state.tickets.values())})

    async def advance_clock(request: Request) -> Response:
        seconds = (await _json_object(request)).get("advance_seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise ApiError(400, "advance_seconds: a number of seconds, zero or more")
        clock.advance(float(seconds))
        return JSONResponse({"now": format_instant(clock.now())})

    async def lockouts(request: Request) -> Response:
        return JSONResponse({"lockouts": gate.lockouts})

    return [
        Route(f"{CONTROL_PREFIX}/lockouts", _answering(lockouts), methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/automations", _answering(add_automation), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/automations", _answering(list_automations), methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/automations", _answering(clear_automations),
              methods=["DELETE"]),
        Route(CONTROL_PREFIX + "/tickets/{ticket_id:int}/status", _answering(agent_sets_status),
              methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/seed", _answering(seed), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/state", _answering(dump), methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/clock", _answering(advance_clock), methods=["POST"]),
    ]


def _answering(endpoint):
    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as error:
            return error.response()

    return answered


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return body
