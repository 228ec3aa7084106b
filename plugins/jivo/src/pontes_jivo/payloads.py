"""Reading Jivo Webhooks API bodies.

Every body is a JSON object whose ``event_name`` says what happened. The official examples
disagree with the field tables (and with each other) about id types: ``agent.id`` is
``"2016"`` while ``messages[].agent_id`` is ``1``, ``visitor.number`` is ``"2198"`` in chat
events but ``1217`` in ``client_updated``, ``organization.id`` is ``"1"`` although the table
says number. Every id is therefore read as text, whichever type it came in, and geo
coordinates likewise. Unknown fields are kept (``extra="allow"``), so nothing Jivo adds
later is refused.

``parse_body`` is the single entry: it checks the event name and the parts that event
cannot do without, and raises ``InvalidPayload`` naming the field otherwise.
"""

from __future__ import annotations

from typing import Annotated, Any

from pontes.plugin import InvalidPayload
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

CHAT_FINISHED = "chat_finished"
CHAT_ACCEPTED = "chat_accepted"
CHAT_UPDATED = "chat_updated"
OFFLINE_MESSAGE = "offline_message"
CLIENT_UPDATED = "client_updated"
CALL_EVENT = "call_event"

EVENT_NAMES = (CHAT_FINISHED, CHAT_ACCEPTED, CHAT_UPDATED, OFFLINE_MESSAGE, CLIENT_UPDATED,
               CALL_EVENT)
"""The Webhooks API events this plugin reads."""

NOT_READ = {
    "client_attribute_updated": "its documented body is not valid JSON and it carries no "
                                "contact data",
    "chat_assigned": "it is a legacy event no longer in Jivo's documentation",
}
"""Jivo events that reach the same URL but are not read, with the reason: the webhook
trigger acknowledges them with no event (the server records them as ignored)."""

REQUIRED = {
    CHAT_FINISHED: ("widget_id", "chat_id", "visitor", "chat"),
    CHAT_ACCEPTED: ("widget_id", "chat_id", "visitor"),
    CHAT_UPDATED: ("widget_id", "chat_id", "visitor"),
    OFFLINE_MESSAGE: ("widget_id", "visitor", "message"),
    CLIENT_UPDATED: ("widget_id", "visitor"),
    CALL_EVENT: ("widget_id", "call"),
}
"""The parts each event cannot do without; everything else is optional."""


def id_text(value: Any) -> Any:
    """An id as text: ``7636`` and ``"7636"`` both become ``"7636"``; blanks become ``None``.

    Booleans and containers are passed on unchanged, so pydantic rejects them with the
    field's name.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip() or None
    return value


def number_text(value: Any) -> Any:
    """A coordinate or count written as text, whether it came as a number or a string."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


RemoteId = Annotated[str | None, BeforeValidator(id_text)]
NumberText = Annotated[str | None, BeforeValidator(number_text)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class Visitor(_Part):
    """The client: ``number`` is Jivo's client id (``client_id`` of ``client_updated``)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    number: RemoteId = None
    social: dict[str, Any] | None = None
    chats_count: int | None = None


class Agent(_Part):
    """A Jivo agent (``agent``, ``agents[]`` and ``assigned_agent`` share this shape)."""

    id: RemoteId = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Named(_Part):
    """An ``{id, name}`` or ``{id, title}`` pair: organization, status, department, tag."""

    id: RemoteId = None
    name: str | None = None
    title: str | None = None

    @property
    def label(self) -> str | None:
        """The name or title, whichever the part has."""
        return self.name or self.title


class Topic(_Part):
    """The topic an agent chose for the conversation."""

    topic_id: RemoteId = None
    title: str | None = None
    parent_id: RemoteId = None


class GeoIp(_Part):
    """Where the visitor's IP address is (``latitude``/``longitude`` are strings in Jivo)."""

    region_code: str | None = None
    country: str | None = None
    country_code: str | None = None
    region: str | None = None
    city: str | None = None
    latitude: NumberText = None
    longitude: NumberText = None
    organization: str | None = None


class Session(_Part):
    """The visit: geo IP, UTM marks (as ``a=b|c=d`` text and as an object), IP, browser."""

    geoip: GeoIp | None = None
    utm: str | dict[str, Any] | None = None
    utm_json: dict[str, Any] | None = None
    ip_addr: str | None = None
    user_agent: str | None = None


class Page(_Part):
    """The page the visitor was on."""

    url: str | None = None
    title: str | None = None


class ChatMessage(_Part):
    """One line of a finished chat; ``agent_id`` appears on agent lines only."""

    message: str | None = None
    timestamp: int | None = None
    type: str | None = None
    agent_id: RemoteId = None


class ChatLog(_Part):
    """The ``chat`` part of ``chat_finished``."""

    messages: list[ChatMessage] = []
    blacklisted: bool | None = None
    rate: str | None = None
    invitation: str | None = None


class Call(_Part):
    """A telephony call: ``record_url`` comes after it ends, ``reason`` with an error."""

    type: str | None = None
    phone: str | None = None
    status: str | None = None
    reason: str | None = None
    record_url: str | None = None


class JivoEvent(_Part):
    """One Webhooks API body, every documented field optional (see ``REQUIRED``)."""

    event_name: str
    widget_id: RemoteId = None
    user_token: str | None = None
    chat_id: RemoteId = None
    client_id: RemoteId = None
    visitor: Visitor | None = None
    organization: Named | None = None
    status: Named | None = None
    assigned_agent: Agent | None = None
    tags: list[Named] | None = None
    department: Named | None = None
    topic: Topic | None = None
    session: Session | None = None
    page: Page | None = None
    analytics: dict[str, Any] | None = None
    agent: Agent | None = None
    agents: list[Agent] | None = None
    chat: ChatLog | None = None
    plain_messages: str | None = None
    html_messages: str | None = None
    call: Call | None = None
    message: str | None = None
    offline_message_id: RemoteId = None

    @property
    def client_key(self) -> str | None:
        """Jivo's id of the client: ``visitor.number``, or ``client_id`` of ``client_updated``."""
        if self.visitor is not None and self.visitor.number:
            return self.visitor.number
        return self.client_id


def parse_body(data: Any) -> JivoEvent:
    """Read a decoded webhook body as a Jivo event, or raise ``InvalidPayload`` saying why."""
    if not isinstance(data, dict):
        raise InvalidPayload(f"a Jivo webhook body is a JSON object, got {type(data).__name__}")
    if "event_type" in data:
        raise InvalidPayload(
            f"Jivo CRM webhooks (event_type={data['event_type']!r}) are not read by this "
            "plugin; only Webhooks API events are")
    name = data.get("event_name")
    if name is None:
        raise InvalidPayload("not a Jivo event: the body has no 'event_name'")
    if not isinstance(name, str):
        raise InvalidPayload(f"'event_name' must be text, got {type(name).__name__}")
    if name in NOT_READ:
        raise InvalidPayload(f"Jivo event {name!r} is not read: {NOT_READ[name]}")
    if name not in REQUIRED:
        raise InvalidPayload(
            f"unknown Jivo event_name {name!r}; expected one of {', '.join(EVENT_NAMES)}")
    try:
        event = JivoEvent.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(f"{name}: {_describe(exc)}") from None
    missing = [part for part in REQUIRED[name] if getattr(event, part) is None]
    if missing:
        raise InvalidPayload(f"{name} without {', '.join(repr(m) for m in missing)}")
    if name == CALL_EVENT and not event.call.status:
        raise InvalidPayload("call_event without 'call.status'")
    return event


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors()[:3]:
        where = ".".join(str(part) for part in item["loc"])
        problems.append(f"field {where!r}: {item['msg']}")
    return "; ".join(problems)
