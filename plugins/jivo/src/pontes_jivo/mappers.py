"""The ``chat`` mapper: a Jivo event body to a canonical ``Chat`` and back.

``to_canonical`` reads any of the six events this plugin handles. ``from_canonical``
writes the body Jivo would send for the chat: ``offline_message`` for an offline chat,
``chat_finished`` otherwise, with the documented field names and id types (``chat_id``
and ``agent_id`` as numbers when they are digits; ``widget_id``, ``visitor.number`` and
``agents[].id`` as strings). Jivo holds one e-mail and one phone per visitor, so only the
first of each survives the trip. A chat that came from Jivo keeps its ``widget_id``; any
other gets ``"0"``, and ``chat_id`` is the chat's ref for ``connection``.
"""

from __future__ import annotations

from typing import Any

from pontes.connector import Mapper
from pontes.models import Chat, Direction, Message, UserRef

from .canonical import chat_from_event
from .connector import CONNECTOR
from .payloads import CHAT_FINISHED, OFFLINE_MESSAGE, parse_body
from .utm import format_utm_text


def chat_to_canonical(raw: dict[str, Any], connection: str) -> Chat:
    """Read a Jivo event body as a ``Chat`` (``InvalidPayload`` if it is not one)."""
    return chat_from_event(parse_body(raw), raw, connection)


def chat_from_canonical(chat: Chat, connection: str) -> dict[str, Any]:
    """The Jivo body (``chat_finished`` or ``offline_message``) that describes ``chat``."""
    remote = chat.remote_data or {}
    visitor = chat.visitor
    body: dict[str, Any] = {
        "event_name": OFFLINE_MESSAGE if chat.offline else CHAT_FINISHED,
        "widget_id": str(remote.get("widget_id") or "0"),
        "visitor": {
            "name": visitor.display_name() if visitor else None,
            "email": visitor.email if visitor else None,
            "phone": visitor.phones[0] if visitor and visitor.phones else None,
            "description": chat.description or "",
            "number": visitor.ref(connection) if visitor else None,
        },
        "organization": _organization(chat, connection),
        "status": None,
        "assigned_agent": _agent(visitor.owner) if visitor and visitor.owner else None,
        "tags": [{"title": tag} for tag in chat.tags],
        "chat_id": _number(chat.ref(connection)),
        "session": _session(chat),
        "page": {"url": chat.page_url, "title": chat.page_title} if chat.page_url else None,
        "analytics": None,
    }
    if chat.offline:
        body["message"] = "\n".join(m.text or "" for m in chat.messages)
        return body
    body["agents"] = [_agent(chat.agent)] if chat.agent else []
    body["chat"] = {
        "messages": [_line(m, chat) for m in chat.messages],
        "blacklisted": False,
        "rate": None,
    }
    body["plain_messages"] = chat.transcript()
    body["html_messages"] = ""
    return body


def _organization(chat: Chat, connection: str) -> dict[str, Any] | None:
    company = chat.visitor.company if chat.visitor else None
    name = chat.organization or (company.name if company else None)
    if not name:
        return None
    return {"id": company.ref(connection) if company else None, "name": name}


def _agent(user: UserRef) -> dict[str, Any]:
    return {"id": user.remote_id, "name": user.name, "email": user.email}


def _session(chat: Chat) -> dict[str, Any]:
    session: dict[str, Any] = {}
    if chat.geo is not None:
        session["geoip"] = {"country_code": chat.geo.country, "region": chat.geo.state,
                            "city": chat.geo.city}
    if chat.utm:
        session["utm"] = format_utm_text(chat.utm)
        session["utm_json"] = dict(chat.utm)
    return session


def _line(message: Message, chat: Chat) -> dict[str, Any]:
    line: dict[str, Any] = {
        "message": message.text or "",
        "timestamp": int(message.sent_at.timestamp()) if message.sent_at else None,
        "type": "agent" if message.direction == Direction.outbound else "visitor",
    }
    if line["type"] == "agent" and chat.agent is not None:
        line["agent_id"] = _number(chat.agent.remote_id)
    return line


def _number(value: str | None) -> int | str | None:
    """``"7601"`` -> ``7601``; text that would not read back the same stays text."""
    return int(value) if value and value.isdigit() and str(int(value)) == value else value


def chat_mapper() -> Mapper:
    """The registered ``chat`` mapper of the ``jivo`` connector."""
    return Mapper(connector=CONNECTOR, entity="chat", model=Chat,
                  to_canonical=chat_to_canonical, from_canonical=chat_from_canonical)
