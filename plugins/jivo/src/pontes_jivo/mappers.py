"""The ``chat`` mapper: a Jivo event body to a canonical ``Chat`` and back.

Reading (``chat_to_canonical``; ``chat_from_event`` for the trigger's ``load``): Jivo has
no API to fetch a chat again, so the body is the whole record: ``remote_data`` keeps it
untouched and everything a recipe needs is read from it here. Any of the six events this
plugin handles is read.

- ``visitor`` becomes a ``Contact``: name, e-mail, phone (E.164 when it parses, read in
  the connection's region), the call's phone for ``call_event``, Jivo's client number in
  ``refs``, the organization as its company and the responsible agent as its owner;
- the agent (``agent``, or for a finished chat the one who answered first among
  ``agents``) becomes a ``UserRef``;
- ``chat.messages`` become messages: visitor lines inbound, agent lines outbound, each
  with its author and time; an offline message is one inbound message;
- ``page``, ``session.utm``/``utm_json``, ``session.geoip`` (as an ``Address``), tag
  titles, the visitor's description and the organization's name fill the rest.

Writing (``chat_from_canonical``): the body Jivo would send for the chat:
``offline_message`` for an offline chat, ``chat_finished`` otherwise, with the documented
field names and id types (``chat_id`` and ``agent_id`` as numbers when they are digits;
``widget_id``, ``visitor.number`` and ``agents[].id`` as strings). Jivo holds one e-mail
and one phone per visitor, so only the first of each survives the trip. A chat that came
from Jivo keeps its ``widget_id``; any other gets ``"0"``, and ``chat_id`` is the chat's
ref for the connection.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pontes.plugin import (
    DEFAULT_PHONE_REGION,
    Address,
    Chat,
    Company,
    Contact,
    Direction,
    Message,
    UserRef,
    normalize_phone,
)

from .connector import kit
from .payloads import CALL_EVENT, CHAT_FINISHED, OFFLINE_MESSAGE, Agent, JivoEvent, parse_body
from .utm import format_utm_text, read_utm


def chat_to_canonical(raw: dict[str, Any], connection_name: str) -> Chat:
    """Read a Jivo event body as a ``Chat`` (``InvalidPayload`` if it is not one)."""
    return chat_from_event(parse_body(raw), raw, connection_name)


def chat_from_canonical(record: Chat, connection_name: str) -> dict[str, Any]:
    """The Jivo body (``chat_finished`` or ``offline_message``) that describes ``record``."""
    remote = record.remote_data or {}
    visitor = record.visitor
    body: dict[str, Any] = {
        "event_name": OFFLINE_MESSAGE if record.offline else CHAT_FINISHED,
        "widget_id": str(remote.get("widget_id") or "0"),
        "visitor": {
            "name": visitor.display_name() if visitor else None,
            "email": visitor.email if visitor else None,
            "phone": visitor.phones[0] if visitor and visitor.phones else None,
            "description": record.description or "",
            "number": visitor.ref(connection_name) if visitor else None,
        },
        "organization": _organization(record, connection_name),
        "status": None,
        "assigned_agent": _agent(visitor.owner) if visitor and visitor.owner else None,
        "tags": [{"title": tag} for tag in record.tags],
        "chat_id": _number(record.ref(connection_name)),
        "session": _session(record),
        "page": {"url": record.page_url, "title": record.page_title} if record.page_url else None,
        "analytics": None,
    }
    if record.offline:
        body["message"] = "\n".join(m.text or "" for m in record.messages)
        return body
    body["agents"] = [_agent(record.agent)] if record.agent else []
    body["chat"] = {
        "messages": [_line(m, record) for m in record.messages],
        "blacklisted": False,
        "rate": None,
    }
    body["plain_messages"] = record.transcript()
    body["html_messages"] = ""
    return body


kit.mapper("chat", Chat, to_canonical=chat_to_canonical, from_canonical=chat_from_canonical)


# --- reading a Jivo body -------------------------------------------------------------


def chat_from_event(event: JivoEvent, raw: dict[str, Any], connection_name: str, *,
                    phone_region: str = DEFAULT_PHONE_REGION) -> Chat:
    """The canonical chat an event body describes; ``raw`` is kept as ``remote_data``."""
    agents = {a.id: a for a in event.agents or [] if a.id}
    agent = _chat_agent(event, agents)
    messages = _messages(event, agents, agent)
    times = [m.sent_at for m in messages if m.sent_at is not None]
    session = event.session
    page = event.page
    return Chat(
        refs={connection_name: event.chat_id} if event.chat_id else {},
        remote_data=raw,
        visitor=_visitor(event, connection_name, phone_region),
        agent=_user(agent),
        messages=messages,
        started_at=min(times) if times else None,
        finished_at=max(times) if times and event.event_name == CHAT_FINISHED else None,
        page_url=_text(page.url) if page else None,
        page_title=_text(page.title) if page else None,
        utm=read_utm(session.utm, session.utm_json) if session else {},
        geo=_geo(event),
        tags=[t.label for t in event.tags or [] if t.label],
        description=_text(event.visitor.description) if event.visitor else None,
        organization=_text(event.organization.label) if event.organization else None,
        offline=event.event_name == OFFLINE_MESSAGE,
    )


def _visitor(event: JivoEvent, connection_name: str, region: str) -> Contact | None:
    visitor = event.visitor
    if visitor is None:
        return None
    phones = [visitor.phone]
    if event.event_name == CALL_EVENT and event.call is not None:
        phones.append(event.call.phone)
    organization = event.organization
    company = None
    if organization is not None and organization.label:
        company = Company(name=organization.label,
                          refs={connection_name: organization.id} if organization.id else {})
    client = event.client_key
    return Contact(
        refs={connection_name: client} if client else {},
        name=_text(visitor.name),
        emails=[e for e in [_text(visitor.email)] if e],
        phones=_unique(normalize_phone(p, region) for p in phones if _text(p)),
        company=company,
        owner=_user(event.assigned_agent),
    )


def _chat_agent(event: JivoEvent, agents: dict[str, Agent]) -> Agent | None:
    if event.agent is not None:
        return event.agent
    for line in event.chat.messages if event.chat else []:
        if line.type == "agent" and line.agent_id in agents:
            return agents[line.agent_id]
    return (event.agents or [None])[0]


def _messages(event: JivoEvent, agents: dict[str, Agent],
              chat_agent: Agent | None) -> list[Message]:
    visitor_name = _text(event.visitor.name) if event.visitor else None
    if event.event_name == OFFLINE_MESSAGE:
        return [Message(author=visitor_name, direction=Direction.inbound,
                        text=event.message)]
    lines = []
    for line in event.chat.messages if event.chat else []:
        from_agent = line.type == "agent"
        agent = agents.get(line.agent_id) if line.agent_id else chat_agent
        lines.append(Message(
            author=_text(agent.name if agent else None) if from_agent else visitor_name,
            direction=Direction.outbound if from_agent else Direction.inbound,
            text=line.message,
            sent_at=_time(line.timestamp),
        ))
    return lines


def _geo(event: JivoEvent) -> Address | None:
    geoip = event.session.geoip if event.session else None
    if geoip is None:
        return None
    address = Address(
        city=_text(geoip.city),
        state=_text(geoip.region) or _text(geoip.region_code),
        country=(_text(geoip.country_code) or "").upper() or None,
    )
    return address if address.model_dump(exclude_none=True) else None


def _user(agent: Agent | None) -> UserRef | None:
    if agent is None or not (agent.id or agent.name or agent.email):
        return None
    return UserRef(remote_id=agent.id, name=_text(agent.name), email=_text(agent.email))


def _time(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _unique(values) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


# --- writing a Jivo body -------------------------------------------------------------


def _organization(chat: Chat, connection_name: str) -> dict[str, Any] | None:
    company = chat.visitor.company if chat.visitor else None
    name = chat.organization or (company.name if company else None)
    if not name:
        return None
    return {"id": company.ref(connection_name) if company else None, "name": name}


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
