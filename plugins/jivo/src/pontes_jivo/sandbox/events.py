"""The bodies Jivo posts for each Webhooks API event, built from a sample chat.

Each builder follows the documented example of its event: the same keys, the same
``null``s and the same inconsistent id types (``chat_id`` a number, ``widget_id`` and
``agent.id`` strings, ``messages[].agent_id`` a number, ``visitor.number`` a string except
in ``client_updated`` where it is a number and ``client_id`` a string). ``flip_ids`` gives
every id the other type, for proving a reader copes with both. ``apply_overrides``
deep-merges a caller's changes and then re-applies the call rules (``record_url`` only once
a call ended, ``reason`` only with an error).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .samples import WIDGET_ID, Sample

CALL_STATUSES = ("start", "end", "agent_connected", "client_connected", "error")
CALL_TYPES = ("callback", "incoming", "outgoing")


def _utm_text(utm: dict[str, str]) -> str:
    return "|".join(f"{k}={v}" for k, v in utm.items())


def _session(sample: Sample) -> dict[str, Any]:
    return {
        "geoip": dict(sample.geoip),
        "utm": _utm_text(sample.utm),
        "utm_json": dict(sample.utm),
        "ip_addr": sample.ip_addr,
        "user_agent": sample.user_agent,
    }


def _client(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    return {
        "visitor": visitor,
        "organization": copy.deepcopy(sample.organization),
        "status": copy.deepcopy(sample.status),
        "assigned_agent": copy.deepcopy(sample.assigned_agent),
        "tags": [dict(t) for t in sample.tags],
    }


def _topic(sample: Sample) -> dict[str, Any]:
    return dict(sample.topic or {"topic_id": 1, "title": "Geral", "parent_id": 0})


def chat_finished(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    """``chat_finished``: ``agents[]``, the transcript, no ``user_token`` (as documented)."""
    agents = [dict(sample.agent)] if sample.agent else []
    agent_id = int(sample.agent["id"]) if sample.agent else None
    messages = []
    for offset, kind, text in sample.lines:
        line: dict[str, Any] = {"message": text, "timestamp": sample.started + offset,
                                "type": kind}
        if kind == "agent":
            line["agent_id"] = agent_id
        messages.append(line)
    return {
        "event_name": "chat_finished",
        "widget_id": WIDGET_ID,
        **_client(sample, visitor),
        "chat_id": sample.chat_id,
        "topic": _topic(sample),
        "session": _session(sample),
        "page": dict(sample.page),
        "analytics": None,
        "agents": agents,
        "chat": {"messages": messages, "blacklisted": False, "rate": None},
        "plain_messages": "",
        "html_messages": "",
    }


def _live_chat(name: str, sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_name": name,
        "widget_id": WIDGET_ID,
        "user_token": None,
        **_client(sample, visitor),
        "chat_id": sample.chat_id,
        "topic": _topic(sample),
    }
    if sample.department:
        body["department"] = dict(sample.department)
    body.update({"session": _session(sample), "page": dict(sample.page), "analytics": {},
                 "agent": dict(sample.agent) if sample.agent else None})
    return body


def chat_accepted(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    """``chat_accepted``: the accepting ``agent`` and the visitor with ``social``."""
    return _live_chat("chat_accepted", sample, {**visitor, "social": {}})


def chat_updated(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    """``chat_updated``: like ``chat_accepted``, sent when the visitor's data changes."""
    return _live_chat("chat_updated", sample, visitor)


def offline_message(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    """``offline_message``: the form's text and ``offline_message_id`` (a number)."""
    return {
        "event_name": "offline_message",
        "widget_id": WIDGET_ID,
        "user_token": None,
        **_client(sample, visitor),
        "chat_id": sample.chat_id,
        "topic": _topic(sample),
        "session": _session(sample),
        "page": dict(sample.page),
        "analytics": {},
        "message": sample.offline_text or (sample.lines[0][2] if sample.lines else ""),
        "offline_message_id": sample.offline_message_id or sample.started * 1000,
    }


def client_updated(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    """``client_updated``: no chat; ``visitor.number`` a number, ``client_id`` a string."""
    number = visitor.get("number")
    changed = {**visitor, "number": int(number) if str(number).isdigit() else number}
    return {
        "event_name": "client_updated",
        "widget_id": WIDGET_ID,
        "user_token": None,
        **_client(sample, changed),
        "client_id": str(number),
    }


def client_attribute_updated(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    """``client_attribute_updated``, with ``attributes`` as an object.

    Jivo's own example is not valid JSON (an array of ``key: value`` pairs); an object is
    the closest valid reading.
    """
    number = visitor.get("number")
    return {
        "event_name": "client_attribute_updated",
        "widget_id": WIDGET_ID,
        "user_token": None,
        "client_id": int(number) if str(number).isdigit() else number,
        "attributes": {"plan": "pro", "seats": 20},
    }


def call_event(sample: Sample, visitor: dict[str, Any]) -> dict[str, Any]:
    """``call_event``: a callback to the visitor's phone, starting (override ``call``)."""
    body: dict[str, Any] = {
        "event_name": "call_event",
        "chat_id": sample.chat_id,
        "topic": _topic(sample),
        "widget_id": WIDGET_ID,
        "visitor": {**visitor, "social": {}},
        "agent": dict(sample.agent) if sample.agent else None,
    }
    if sample.department:
        body["department"] = dict(sample.department)
    body.update({
        "session": _session(sample),
        "page": dict(sample.page),
        "call": {"type": "callback", "phone": visitor.get("phone") or "", "status": "start"},
        "analytics": {},
    })
    return body


BUILDERS: dict[str, Callable[[Sample, dict[str, Any]], dict[str, Any]]] = {
    "chat_finished": chat_finished,
    "chat_accepted": chat_accepted,
    "chat_updated": chat_updated,
    "offline_message": offline_message,
    "client_updated": client_updated,
    "client_attribute_updated": client_attribute_updated,
    "call_event": call_event,
}
"""Every event the sandbox can send, by ``event_name``."""


def apply_overrides(body: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``body`` with ``overrides`` merged in (objects merged key by key, other values replaced)."""
    merged = _merge(body, overrides)
    call = merged.get("call")
    if isinstance(call, dict):
        if call.get("status") == "end":
            call.setdefault("record_url", f"https://records.example.org/{merged.get('chat_id')}.mp3")
        else:
            call.pop("record_url", None)
        if call.get("status") == "error":
            call.setdefault("reason", "no_answer")
        else:
            call.pop("reason", None)
    return merged


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


_ID_PATHS = (
    ("chat_id",), ("widget_id",), ("client_id",), ("offline_message_id",),
    ("visitor", "number"), ("organization", "id"), ("status", "id"),
    ("assigned_agent", "id"), ("agent", "id"), ("department", "id"),
    ("topic", "topic_id"), ("topic", "parent_id"), ("agents", "*", "id"),
    ("tags", "*", "id"), ("chat", "messages", "*", "agent_id"),
    ("session", "geoip", "latitude"), ("session", "geoip", "longitude"),
)


def flip_ids(body: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``body`` where every id number is a string and every id string a number."""
    flipped = copy.deepcopy(body)
    for path in _ID_PATHS:
        _flip(flipped, path)
    return flipped


def _flip(node: Any, path: tuple[str, ...]) -> None:
    if not path or node is None:
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            _flip(item, rest)
        return
    if not isinstance(node, dict) or head not in node:
        return
    if rest:
        _flip(node[head], rest)
        return
    value = node[head]
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        node[head] = str(value)
    elif isinstance(value, str):
        try:
            node[head] = int(value)
        except ValueError:
            try:
                node[head] = float(value)
            except ValueError:
                return
