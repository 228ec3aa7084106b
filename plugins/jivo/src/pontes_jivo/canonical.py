"""A Jivo event body as a canonical ``Chat``.

Jivo has no API to fetch a chat again, so the body is the whole record: ``remote_data``
keeps it untouched and everything a recipe needs is read from it here.

- ``visitor`` becomes a ``Contact``: name, e-mail, phone (E.164 when it parses, read in
  the connection's region), the call's phone for ``call_event``, Jivo's client number in
  ``refs``, the organization as its company and the responsible agent as its owner;
- the agent (``agent``, or for a finished chat the one who answered first among
  ``agents``) becomes a ``UserRef``;
- ``chat.messages`` become messages: visitor lines inbound, agent lines outbound, each
  with its author and time; an offline message is one inbound message;
- ``page``, ``session.utm``/``utm_json``, ``session.geoip`` (as an ``Address``), tag
  titles, the visitor's description and the organization's name fill the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pontes.models import (
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

from .payloads import CALL_EVENT, CHAT_FINISHED, OFFLINE_MESSAGE, Agent, JivoEvent
from .utm import read_utm


def chat_from_event(event: JivoEvent, raw: dict[str, Any], connection: str, *,
                    phone_region: str = DEFAULT_PHONE_REGION) -> Chat:
    """The canonical chat an event body describes; ``raw`` is kept as ``remote_data``."""
    agents = {a.id: a for a in event.agents or [] if a.id}
    agent = _chat_agent(event, agents)
    messages = _messages(event, agents, agent)
    times = [m.sent_at for m in messages if m.sent_at is not None]
    session = event.session
    page = event.page
    return Chat(
        refs={connection: event.chat_id} if event.chat_id else {},
        remote_data=raw,
        visitor=_visitor(event, connection, phone_region),
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


def _visitor(event: JivoEvent, connection: str, region: str) -> Contact | None:
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
                          refs={connection: organization.id} if organization.id else {})
    client = event.client_key
    return Contact(
        refs={connection: client} if client else {},
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
