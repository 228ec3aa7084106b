"""The Usedesk sandbox's own ``/_sandbox`` endpoints (the shared ones are in
``pontes.sandbox``: faults, request and webhook logs, reset).

Setting the account up, as its settings pages do:

- ``POST /_sandbox/channel`` ``{"url": "...", "json": true, "events": ["ticket",
  "comment", "trigger", "csi"]}``: the API channel's "Redirect URL", its "JSON request"
  box and the events it sends (``url: null`` stops them); ``GET`` shows the set-up;
- ``POST /_sandbox/blocks`` ``{"name", "url", "title"?, "enabled"?, "secret_key"?,
  "parameters"?: {"language": "en"}}``: add (or replace, by name) a dynamic block;
  ``GET`` lists them, ``DELETE`` removes them all;
- ``POST /_sandbox/card-settings`` ``{"timeout": 60, "run_scripts": false}``: how long the
  card waits for a block, and whether scripts in a block's HTML run;
- ``POST /_sandbox/ticket-fields`` ``{"name": "Order #"}``: an additional ticket field;
- ``POST /_sandbox/rules`` ``{"name", "on": "ticket_created" | "ticket_changed",
  "status_id"?: 2, "url", "data": {...}, "headers"?: [{"name", "value"}]}``: add (or
  replace, by name) a rule whose action is a "POST request" (``rules``); ``GET`` lists
  them, ``DELETE`` removes them all.

What clients and agents do:

- ``POST /_sandbox/tickets/{id}/client-message`` ``{"message": "..."}``: the client
  writes in the ticket (a comment from the client, and its webhook);
- ``POST /_sandbox/tickets/{id}/rating`` ``{"rating": 1-5, "comment"?}``: the client
  rates the service (the ``csi`` webhook).

The ticket card (``card``):

- ``GET /_sandbox/tickets/{id}/card``: the ticket's page, which loads its blocks;
- ``POST /_sandbox/tickets/{id}/blocks`` ``{"automatic": true, "name"?: "..."}``: post to
  the blocks as the page does and answer what each shows;
- ``GET /_sandbox/card-log``: every block call so far, with its request and answer.
"""

from __future__ import annotations

import json
from typing import Any

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .card import card_page, load_blocks
from .notify import Notifier
from .rules import RULE_EVENTS, Rule
from .state import WEBHOOK_KINDS, Block, ChannelHooks, UsedeskState

RATINGS = range(1, 6)


class BadControl(ValueError):
    """A control request the sandbox cannot act on; the message names the field."""


def control_routes(state: UsedeskState, notifier: Notifier) -> list[Route]:
    """The Usedesk-specific control endpoints (see the module docstring)."""
    async def channel(request: Request) -> Response:
        """``GET``/``POST /_sandbox/channel``."""
        if request.method == "POST":
            spec = await _object(request)
            url = spec.get("url")
            if url is not None and not _is_url(url):
                raise BadControl(f"url {url!r} is not an http(s) URL")
            events = spec.get("events", list(WEBHOOK_KINDS))
            if not isinstance(events, list) or not set(events) <= set(WEBHOOK_KINDS):
                raise BadControl(f"events must be a list of {', '.join(WEBHOOK_KINDS)}")
            state.hooks = ChannelHooks(url=url, json=bool(spec.get("json", True)),
                                       kinds=set(events))
        hooks = state.hooks
        return JSONResponse({"url": hooks.url, "json": hooks.json,
                             "events": sorted(hooks.kinds)})

    async def blocks(request: Request) -> Response:
        """``GET``/``POST``/``DELETE /_sandbox/blocks``."""
        if request.method == "DELETE":
            state.blocks.clear()
        elif request.method == "POST":
            block = _block(await _object(request))
            state.blocks[block.name] = block
        return JSONResponse([vars(b) for b in state.blocks.values()])

    async def rules(request: Request) -> Response:
        """``GET``/``POST``/``DELETE /_sandbox/rules``."""
        if request.method == "DELETE":
            state.rules.clear()
        elif request.method == "POST":
            rule = _rule(await _object(request))
            state.rules[rule.name] = rule
        return JSONResponse([vars(r) for r in state.rules.values()])

    async def card_settings(request: Request) -> Response:
        """``POST /_sandbox/card-settings``."""
        spec = await _object(request)
        timeout = spec.get("timeout", state.block_timeout)
        if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
            raise BadControl(f"timeout {timeout!r} is not a positive number of seconds")
        state.block_timeout = float(timeout)
        state.run_block_scripts = bool(spec.get("run_scripts", state.run_block_scripts))
        return JSONResponse({"timeout": state.block_timeout,
                             "run_scripts": state.run_block_scripts})

    async def ticket_fields(request: Request) -> Response:
        """``POST /_sandbox/ticket-fields``."""
        name = (await _object(request)).get("name")
        if not isinstance(name, str) or not name.strip():
            raise BadControl("name is required")
        return JSONResponse(state.add_ticket_field(name.strip()))

    async def client_message(request: Request) -> Response:
        """``POST /_sandbox/tickets/{id}/client-message``."""
        ticket = _ticket(state, request)
        message = (await _object(request)).get("message")
        if not isinstance(message, str) or not message.strip():
            raise BadControl("message is required")
        comment = state.add_comment(ticket, message, origin="client")
        notifier.comment_added(ticket, comment)
        return JSONResponse(comment)

    async def rating(request: Request) -> Response:
        """``POST /_sandbox/tickets/{id}/rating``."""
        ticket = _ticket(state, request)
        spec = await _object(request)
        value = spec.get("rating")
        if not isinstance(value, int) or isinstance(value, bool) or value not in RATINGS:
            raise BadControl("rating must be a whole number from 1 to 5")
        csi = state.add_rating(ticket, value, str(spec.get("comment") or ""))
        notifier.rated(csi)
        return JSONResponse(csi)

    async def card(request: Request) -> Response:
        """``GET /_sandbox/tickets/{id}/card``."""
        return HTMLResponse(card_page(state, _ticket(state, request)))

    async def load(request: Request) -> Response:
        """``POST /_sandbox/tickets/{id}/blocks``."""
        ticket = _ticket(state, request)
        spec = await _object(request, empty_ok=True)
        only = spec.get("name")
        if only is not None and only not in state.blocks:
            raise BadControl(f"no block is named {only!r}")
        return JSONResponse(await load_blocks(state, ticket,
                                              automatic=bool(spec.get("automatic", True)),
                                              only=only))

    async def card_log(request: Request) -> Response:
        """``GET /_sandbox/card-log``."""
        return JSONResponse(state.card_log)

    routes = [
        ("/channel", channel, ["GET", "POST"]),
        ("/blocks", blocks, ["GET", "POST", "DELETE"]),
        ("/rules", rules, ["GET", "POST", "DELETE"]),
        ("/card-settings", card_settings, ["POST"]),
        ("/ticket-fields", ticket_fields, ["POST"]),
        ("/tickets/{ticket_id}/client-message", client_message, ["POST"]),
        ("/tickets/{ticket_id}/rating", rating, ["POST"]),
        ("/tickets/{ticket_id}/card", card, ["GET"]),
        ("/tickets/{ticket_id}/blocks", load, ["POST"]),
        ("/card-log", card_log, ["GET"]),
    ]
    return [Route(CONTROL_PREFIX + path, _answering_bad_control(endpoint), methods=methods)
            for path, endpoint, methods in routes]


def _answering_bad_control(endpoint: Any) -> Any:
    async def guarded(request: Request) -> Response:
        """The endpoint, with a bad request answered 400 and a missing ticket 404."""
        try:
            return await endpoint(request)
        except BadControl as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except LookupError as exc:
            return JSONResponse({"error": str(exc.args[0])}, status_code=404)

    return guarded


async def _object(request: Request, *, empty_ok: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip() and empty_ok:
        return {}
    try:
        spec = json.loads(raw or b"null")
    except ValueError:
        spec = None
    if not isinstance(spec, dict):
        raise BadControl("the body must be a JSON object")
    return spec


def _ticket(state: UsedeskState, request: Request) -> dict[str, Any]:
    raw = request.path_params["ticket_id"]
    ticket = state.tickets.get(int(raw)) if raw.isdigit() else None
    if ticket is None:
        raise LookupError(f"no ticket {raw}")
    return ticket


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _rule(spec: dict[str, Any]) -> Rule:
    name, url, on = spec.get("name"), spec.get("url"), spec.get("on", "ticket_changed")
    if not isinstance(name, str) or not name.strip():
        raise BadControl("name is required")
    if not _is_url(url):
        raise BadControl(f"url {url!r} is not an http(s) URL")
    if on not in RULE_EVENTS:
        raise BadControl(f"on must be one of {', '.join(RULE_EVENTS)}")
    if "data" not in spec:
        raise BadControl("data is required: the JSON the rule posts")
    status = spec.get("status_id")
    if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
        raise BadControl("status_id must be a whole number")
    headers = spec.get("headers") or []
    if not isinstance(headers, list) or not all(
            isinstance(h, dict) and isinstance(h.get("name"), str)
            and isinstance(h.get("value"), str) for h in headers):
        raise BadControl("headers must be a list of {\"name\": ..., \"value\": ...}")
    return Rule(name=name.strip(), on=on, url=url, data=spec["data"],
                headers={h["name"]: h["value"] for h in headers}, status_id=status)


def _block(spec: dict[str, Any]) -> Block:
    name, url = spec.get("name"), spec.get("url")
    if not isinstance(name, str) or not name.strip():
        raise BadControl("name is required")
    if not _is_url(url):
        raise BadControl(f"url {url!r} is not an http(s) URL")
    parameters = spec.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int | float) for k, v in parameters.items()):
        raise BadControl("parameters must be an object of names and values")
    secret = spec.get("secret_key")
    if secret is not None and not isinstance(secret, str):
        raise BadControl("secret_key must be text")
    return Block(name=name.strip(), url=url, title=str(spec.get("title") or ""),
                 enabled=bool(spec.get("enabled", True)), secret_key=secret or None,
                 parameters={k: str(v) for k, v in parameters.items()})
