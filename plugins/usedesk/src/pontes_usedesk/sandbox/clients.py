"""The sandbox's client methods: ``/clients``, ``/client``, ``/create/client`` and
``/update/client``.

- ``/clients`` finds clients by ``query`` (name, e-mail or phone; ``search_type``
  ``full_match`` for the whole value, ``partial_match`` by default), 100 a call, ``offset``
  numbering the pages; items are ``{id, name, tickets, phone, emails}`` with the phone and
  e-mails as text. Without a query it lists every client;
- ``/client`` answers one client with its lists (``emails``, ``phones``, ``addresses``...);
- ``/create/client`` and ``/update/client`` take ``name``, ``emails`` (a list; on update
  they are added), ``phone`` with ``phone_type`` (added), ``note`` (``is_new_note``
  appends), ``position``, ``status`` (``vip`` or ``spammer``) and ``client_country``,
  ``client_city``, ``client_address``; both answer ``{"client_id": N, "status": true}``.
"""

from __future__ import annotations

import copy
from typing import Any

from .params import Refusal, choice, flag, listed, number, text
from .state import UsedeskState
from .views import client_item

PAGE_SIZE = 100
PHONE_TYPES = ("home", "mobile", "stationary", "fax", "other")
CLIENT_STATUSES = ("vip", "spammer")


def list_clients(state: UsedeskState, params: dict[str, Any]) -> list[dict[str, Any]]:
    """``/clients``."""
    page = number(params, "offset", default=0)
    if page is None or page < 0:
        raise Refusal("The offset must be at least 0.")
    search = choice(params, "search_type", ("partial_match", "full_match"),
                    default="partial_match")
    query = text(params, "query")
    found = (state.find_clients(query, whole=search == "full_match") if query
             else list(state.clients.values()))
    for name, after in (("created_after", True), ("created_before", False)):
        bound = text(params, name)
        if bound is not None:
            found = [c for c in found if _within(c["created_at"][:len(bound)], bound, after)]
    return [client_item(c) for c in found[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]]


def _within(stamp: str, bound: str, after: bool) -> bool:
    """Whether ``stamp`` is at or after ``bound`` (``after``), or at or before it."""
    return stamp >= bound if after else stamp <= bound


def get_client(state: UsedeskState, params: dict[str, Any]) -> dict[str, Any]:
    """``/client``."""
    return copy.deepcopy(_client(state, params))


def _client(state: UsedeskState, params: dict[str, Any]) -> dict[str, Any]:
    client_id = number(params, "client_id", required=True)
    client = state.clients.get(client_id)  # type: ignore[arg-type]
    if client is None:
        raise Refusal("Client not found", 404)
    return client


def create_client(state: UsedeskState, params: dict[str, Any]) -> dict[str, Any]:
    """``/create/client``."""
    phone = text(params, "phone")
    kind = choice(params, "phone_type", PHONE_TYPES, default="other")
    client = state.add_client(
        name=text(params, "name") or "", emails=listed(params, "emails"),
        phones=[(phone, kind)] if phone else [],  # type: ignore[list-item]
        note=text(params, "note") or "", position=text(params, "position") or "",
        address=_address(params), status=choice(params, "status", CLIENT_STATUSES))
    return {"client_id": client["id"], "status": True}


def update_client(state: UsedeskState, params: dict[str, Any]) -> dict[str, Any]:
    """``/update/client``."""
    client = _client(state, params)
    kind = choice(params, "phone_type", PHONE_TYPES, default="other")
    status = choice(params, "status", CLIENT_STATUSES)
    if (name := text(params, "name")) is not None:
        client["name"] = name
    for email in listed(params, "emails"):
        state.add_email(client, email)
    if (phone := text(params, "phone")) is not None:
        state.add_phone(client, phone, kind)  # type: ignore[arg-type]
    if (note := text(params, "note")) is not None:
        new_note = flag(params, "is_new_note") and client["note"]
        client["note"] = f"{client['note']}\n{note}" if new_note else note
    if (position := text(params, "position")) is not None:
        client["position"] = position
    if status is not None:
        client["vip"], client["spammer"] = int(status == "vip"), int(status == "spammer")
    if (address := _address(params)) is not None:
        if client["addresses"] and not flag(params, "new_address"):
            client["addresses"][0].update(address)
        else:
            state.add_address(client, address)
    client["updated_at"] = state.clock()
    return {"client_id": client["id"], "status": True}


def _address(params: dict[str, Any]) -> dict[str, str] | None:
    parts = {"country": text(params, "client_country"), "city": text(params, "client_city"),
             "address": text(params, "client_address")}
    if not any(parts.values()):
        return None
    return {key: value or "" for key, value in parts.items()}
