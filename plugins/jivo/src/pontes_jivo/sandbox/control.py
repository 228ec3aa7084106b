"""Jivo-specific ``/_sandbox`` endpoints (besides the shared faults, logs and reset).

They send the bodies Jivo would send to a URL and judge the answers the way Jivo would.
A ``contact_info`` accepted in an answer to ``chat_accepted`` becomes the visitor's data,
so the same chat's later events carry it (see ``state``).

- ``GET /_sandbox/samples``: the sample chats, ``[{name, description, event, chat_id}]``;
- ``POST /_sandbox/send`` with ``{"event": "chat_finished", "url": "...",
  "sample": "ana-first", "overrides": {...}, "ids": "examples" | "flipped",
  "retries": 0}``: post one event and answer with its outcome: ``{event, url, chat_id,
  payload, ok, failure, agent_panel, problems, attempts: [{status, answer, error}]}``.
  Only ``event`` and ``url`` are required; ``sample`` defaults to ``bruno-offline`` for
  ``offline_message`` and ``ana-first`` otherwise;
- ``POST /_sandbox/send-all`` with ``{"url": "...", "ids": ..., "retries": ...}``: every
  sample with its own event, in order; answers the list of outcomes;
- ``GET /_sandbox/outcomes``: every outcome so far;
- ``GET /_sandbox/chats/{chat_id}``: the chat as Jivo holds it: ``{chat_id, sample,
  visitor, agent_panel, log}``;
- ``POST /_sandbox/config`` with ``{"reply_timeout": 10.0, "retries": 0}``: how long an
  answer is awaited and how many times a failed delivery is repeated by default (Jivo
  documents neither, hence no retry by default).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pontes.plugin import CONTROL_PREFIX, WebhookSender
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .events import BUILDERS, CALL_STATUSES, CALL_TYPES, apply_overrides, flip_ids
from .replies import PANEL_EVENTS, judge
from .samples import SAMPLES, Sample
from .state import ChatState, JivoState

ID_STYLES = ("examples", "flipped")


class SendError(ValueError):
    """A control request the sandbox cannot act on; the message names the field."""


@dataclass
class SendSpec:
    """A validated ``/_sandbox/send`` request."""

    event: str
    url: str
    sample: Sample
    overrides: dict[str, Any]
    ids: str
    retries: int

    @classmethod
    def read(cls, spec: Any, default_retries: int) -> SendSpec:
        """Check a request body, naming the first field that is wrong."""
        if not isinstance(spec, dict):
            raise SendError("the body must be a JSON object")
        event = spec.get("event")
        if event not in BUILDERS:
            raise SendError(f"event {event!r} is not one of {', '.join(BUILDERS)}")
        url = spec.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise SendError(f"url {url!r} is not an http(s) URL")
        default_sample = "bruno-offline" if event == "offline_message" else "ana-first"
        name = spec.get("sample", default_sample)
        if name not in SAMPLES:
            raise SendError(f"sample {name!r} is not one of {', '.join(SAMPLES)}")
        overrides = spec.get("overrides") or {}
        if not isinstance(overrides, dict):
            raise SendError("overrides must be a JSON object")
        _check_call(overrides.get("call"))
        ids = spec.get("ids", "examples")
        if ids not in ID_STYLES:
            raise SendError(f"ids {ids!r} is not one of {', '.join(ID_STYLES)}")
        retries = spec.get("retries", default_retries)
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise SendError(f"retries {retries!r} is not a whole number >= 0")
        return cls(event, url, SAMPLES[name], overrides, ids, retries)


def body_for(state: JivoState, spec: SendSpec) -> tuple[dict[str, Any], ChatState]:
    """The body Jivo would post for ``spec``, with the chat's remembered visitor.

    Visitor fields the overrides put in the body are remembered for the chat's later
    events.
    """
    chat_id = spec.overrides.get("chat_id", spec.sample.chat_id)
    chat = state.chat_for(chat_id, spec.sample)
    body = BUILDERS[spec.event](spec.sample, copy.deepcopy(chat.visitor))
    body = apply_overrides(body, spec.overrides)
    if isinstance(body.get("visitor"), dict):
        chat.visitor.update({k: v for k, v in body["visitor"].items()
                             if k in ("name", "email", "phone", "description")})
    return (flip_ids(body) if spec.ids == "flipped" else body), chat


async def send(state: JivoState, webhooks: WebhookSender, spec: SendSpec) -> dict[str, Any]:
    """Post one event, retrying as asked, and record what Jivo made of the answers."""
    body, chat = body_for(state, spec)
    attempts = []
    for _ in range(spec.retries + 1):
        delivery = webhooks.send(spec.url, body)
        await webhooks.drain()
        verdict = judge(spec.event, delivery.status, delivery.answer, delivery.error)
        attempts.append({"status": delivery.status, "answer": delivery.answer,
                         "error": delivery.error})
        if verdict.ok:
            break
    if verdict.ok and spec.event in PANEL_EVENTS:
        chat.agent_panel = verdict.panel
        if verdict.panel and "contact_info" in verdict.panel:
            chat.merge_contact_info(verdict.panel["contact_info"])
    outcome = {
        "event": spec.event, "url": spec.url, "chat_id": chat.chat_id,
        "payload": body, "ok": verdict.ok, "failure": verdict.failure,
        "agent_panel": verdict.panel, "problems": verdict.problems, "attempts": attempts,
    }
    state.outcomes.append(outcome)
    return outcome


def control_routes(state: JivoState, webhooks: WebhookSender) -> list[Route]:
    """The Jivo-specific control endpoints (see the module docstring)."""

    async def samples(request: Request) -> Response:
        """``GET /_sandbox/samples``."""
        return JSONResponse([
            {"name": s.name, "description": s.description, "event": s.event,
             "chat_id": s.chat_id} for s in SAMPLES.values()
        ])

    async def send_one(request: Request) -> Response:
        """``POST /_sandbox/send``."""
        try:
            spec = SendSpec.read(await _json(request), state.default_retries)
        except SendError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(await send(state, webhooks, spec))

    async def send_all(request: Request) -> Response:
        """``POST /_sandbox/send-all``."""
        body = await _json(request)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        outcomes = []
        for sample in SAMPLES.values():
            try:
                spec = SendSpec.read({**body, "event": sample.event, "sample": sample.name},
                                     state.default_retries)
            except SendError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            outcomes.append(await send(state, webhooks, spec))
        return JSONResponse(outcomes)

    async def outcome_log(request: Request) -> Response:
        """``GET /_sandbox/outcomes``."""
        return JSONResponse(state.outcomes)

    async def chat(request: Request) -> Response:
        """``GET /_sandbox/chats/{chat_id}``."""
        found = state.chats.get(request.path_params["chat_id"])
        if found is None:
            return JSONResponse({"error": "no such chat has been sent"}, status_code=404)
        return JSONResponse({"chat_id": found.chat_id, "sample": found.sample,
                             "visitor": found.visitor, "agent_panel": found.agent_panel,
                             "log": found.log})

    async def config(request: Request) -> Response:
        """``POST /_sandbox/config``."""
        body = await _json(request)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
        timeout = body.get("reply_timeout", webhooks.timeout)
        retries = body.get("retries", state.default_retries)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            return JSONResponse({"error": f"reply_timeout {timeout!r} is not a positive "
                                          "number of seconds"}, status_code=400)
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            return JSONResponse({"error": f"retries {retries!r} is not a whole number >= 0"},
                                status_code=400)
        webhooks.timeout = float(timeout)
        state.default_retries = retries
        return JSONResponse({"reply_timeout": webhooks.timeout,
                             "retries": state.default_retries})

    return [
        Route(f"{CONTROL_PREFIX}/samples", samples, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/send", send_one, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/send-all", send_all, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/outcomes", outcome_log, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/chats/{{chat_id}}", chat, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/config", config, methods=["POST"]),
    ]


def _check_call(call: Any) -> None:
    """Jivo sends only the documented call types and statuses; refuse others."""
    if call is None:
        return
    if not isinstance(call, dict):
        raise SendError("overrides.call must be a JSON object")
    if "type" in call and call["type"] not in CALL_TYPES:
        raise SendError(f"overrides.call.type {call['type']!r} is not one of "
                        f"{', '.join(CALL_TYPES)}")
    if "status" in call and call["status"] not in CALL_STATUSES:
        raise SendError(f"overrides.call.status {call['status']!r} is not one of "
                        f"{', '.join(CALL_STATUSES)}")


async def _json(request: Request) -> Any:
    """The request's JSON body, or ``None`` when it is not JSON."""
    try:
        return await request.json()
    except ValueError:
        return None
