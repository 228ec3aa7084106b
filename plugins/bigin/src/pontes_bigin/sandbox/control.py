"""The Bigin sandbox's own ``/_sandbox`` endpoints (the shared ones are in
``pontes.sandbox``: faults, request and webhook logs, reset; Zoho's accounts server adds
``/_sandbox/accounts/...``).

- ``POST /_sandbox/records/<module>`` with a list of records: stores them as if they had
  always been there (no notification), answers their ``ids``;
- ``GET /_sandbox/records/<module>``: every stored record; ``GET /_sandbox/notes`` every
  note;
- ``POST /_sandbox/users`` with a user (``full_name``, ``email``): adds an active user;
- ``GET /_sandbox/watch``: every channel, live or not; ``POST /_sandbox/watch/expire``
  with ``{"seconds": n}``: every channel expires ``n`` seconds from now;
- ``PUT /_sandbox/tab`` with ``{"url": ...}``: the address of the record page's Tickets
  tab (``{module}``, ``{id}``, ``{email}``, ``{org_id}`` are filled in).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import BiginState, now_text


def control_routes(state: BiginState) -> list[Route]:
    """The Bigin-specific control endpoints (see the module docstring)."""

    async def seed(request: Request) -> Response:
        module = request.path_params["module"]
        rows = await request.json()
        if module not in state.records or not isinstance(rows, list):
            return JSONResponse({"error": "a list of records of Contacts, Accounts or "
                                          "Pipelines"}, status_code=400)
        ids = []
        for row in rows:
            record = {"Owner": state.user_lookup(), "Created_Time": now_text(),
                      "Modified_Time": now_text(), **row, "id": str(row.get("id") or
                                                                    state.next_id())}
            state.records[module][record["id"]] = record
            ids.append(record["id"])
        return JSONResponse({"ids": ids})

    async def records(request: Request) -> Response:
        module = request.path_params["module"]
        if module not in state.records:
            return JSONResponse({"error": f"no module {module}"}, status_code=404)
        return JSONResponse(list(state.records[module].values()))

    async def notes(request: Request) -> Response:
        return JSONResponse(list(state.notes.values()))

    async def add_user(request: Request) -> Response:
        body = await request.json()
        user = {"id": state.next_id(), "status": "active", "first_name": None,
                "last_name": body.get("full_name"), "role": state.users[0]["role"],
                "profile": state.users[0]["profile"], **body}
        state.users.append(user)
        return JSONResponse(user)

    async def channels(request: Request) -> Response:
        return JSONResponse(list(state.channels.values()))

    async def expire(request: Request) -> Response:
        seconds = float((await request.json()).get("seconds", 0))
        when = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)
        for channel in state.channels.values():
            channel["channel_expiry"] = when.isoformat()
        return JSONResponse({"expiry": when.isoformat()})

    async def tab(request: Request) -> Response:
        state.tab_url = (await request.json()).get("url") or None
        return JSONResponse({"url": state.tab_url})

    return [
        Route(CONTROL_PREFIX + "/records/{module}", seed, methods=["POST"]),
        Route(CONTROL_PREFIX + "/records/{module}", records, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/notes", notes, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/users", add_user, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/watch", channels, methods=["GET"]),
        Route(f"{CONTROL_PREFIX}/watch/expire", expire, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/tab", tab, methods=["PUT"]),
    ]
