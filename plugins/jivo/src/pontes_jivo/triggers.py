"""Jivo's Webhooks API as events.

One URL per Jivo channel receives every event; ``parse_webhook`` turns a delivery into
one ``Event`` and ``load_chat`` turns that event into a canonical ``Chat``, from the body
alone (Jivo has no API to fetch a chat again).

Event types: ``chat_finished`` -> ``chat.finished``, ``chat_accepted`` ->
``chat.accepted``, ``chat_updated`` -> ``chat.updated``, ``offline_message`` ->
``chat.offline_message``, ``client_updated`` -> ``chat.client_updated``, ``call_event``
-> ``call.event``.

Idempotency keys start with ``jivo:<widget_id>:<event_name>:`` and end with the ids that
make one happening one event, so a repeated delivery is the same event:

- ``chat_finished``: the chat id (a chat finishes once);
- ``chat_accepted``: the chat id and the accepting agent's id (a transfer is a new one);
- ``chat_updated`` and ``client_updated``: the chat or client id and a digest of the
  body, since one chat or client is updated many times and each update differs;
- ``offline_message``: ``offline_message_id``;
- ``call_event``: the chat id, call type and call status (one event per status);
- any of these without its ids: a digest of the body.

The entity key is the visitor (Jivo's client number, ``visitor.number`` or
``client_id``), so every event about one person is handled in order (two chats from one
person never race to create two CRM contacts); without it, the chat.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pontes.plugin import (
    DEFAULT_PHONE_REGION,
    Chat,
    ClientContext,
    Connection,
    Event,
    InvalidPayload,
    PermanentFailure,
    WebhookAck,
    WebhookRequest,
)

from .connector import kit
from .mappers import chat_from_event
from .payloads import (
    CALL_EVENT,
    CHAT_ACCEPTED,
    CHAT_FINISHED,
    CHAT_UPDATED,
    CLIENT_UPDATED,
    NOT_READ,
    OFFLINE_MESSAGE,
    JivoEvent,
    parse_body,
)
from .replies import agent_panel_reply

EVENT_TYPES = {
    CHAT_FINISHED: "chat.finished",
    CHAT_ACCEPTED: "chat.accepted",
    CHAT_UPDATED: "chat.updated",
    OFFLINE_MESSAGE: "chat.offline_message",
    CLIENT_UPDATED: "chat.client_updated",
    CALL_EVENT: "call.event",
}
"""Jivo ``event_name`` -> pontes event type (a canonical trigger capability)."""

ACK = WebhookAck(200, {"result": "ok"})
"""The answer Jivo expects for an accepted delivery."""


def idempotency_key(event: JivoEvent, data: dict[str, Any]) -> str:
    """The key that makes repeated deliveries of one happening one event (module doc)."""
    name = event.event_name
    ids: list[str | None]
    if name == CHAT_FINISHED:
        ids = [event.chat_id]
    elif name == CHAT_ACCEPTED:
        ids = [event.chat_id, event.agent.id if event.agent else None]
    elif name == CHAT_UPDATED:
        ids = [event.chat_id, body_digest(data)]
    elif name == CLIENT_UPDATED:
        ids = [event.client_key, body_digest(data)]
    elif name == OFFLINE_MESSAGE:
        ids = [event.offline_message_id]
    else:
        ids = [event.chat_id, event.call.type, event.call.status]
    if ids[0] is None:
        ids = [body_digest(data)]
    return ":".join(["jivo", event.widget_id, name, *(i or "-" for i in ids)])


def entity_key(event: JivoEvent, data: dict[str, Any]) -> str:
    """The visitor the event is about, or its chat, or its body (module doc)."""
    prefix = f"jivo:{event.widget_id}"
    if event.client_key:
        return f"{prefix}:client:{event.client_key}"
    if event.chat_id:
        return f"{prefix}:chat:{event.chat_id}"
    return f"{prefix}:body:{body_digest(data)}"


def body_digest(data: Any) -> str:
    """A short digest of a decoded body that ignores key order and whitespace."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


async def load_chat(connection: Connection, event: Event) -> Chat:
    """The canonical chat of an event, read from its stored body.

    Refuses (``PermanentFailure``) an event from a channel other than the connection's
    ``widget_id``, when one is configured.
    """
    settings = connection.settings
    region = getattr(settings, "phone_region", DEFAULT_PHONE_REGION)
    parsed = parse_body(event.payload)
    expected = getattr(settings, "widget_id", None)
    if expected is not None and parsed.widget_id != expected:
        raise PermanentFailure(
            f"connection {connection.name!r} receives Jivo channel {expected!r}, but this "
            f"event came from channel {parsed.widget_id!r}; check which channel the hook "
            f"URL is configured in")
    return chat_from_event(parsed, event.payload, connection.name, phone_region=region)


def _body(request: WebhookRequest) -> Any:
    """The decoded body. Jivo's Content-Type is unverified, and the server reads a body
    that looks like JSON whatever its declared type, so no data means no JSON."""
    if request.data is not None:
        return request.data
    if not request.body:
        raise InvalidPayload("the body is empty; Jivo posts a JSON object")
    raise InvalidPayload("the body is not JSON; Jivo posts a JSON object")


def reply_with_context(event: Event, context: ClientContext) -> dict[str, Any]:
    """Jivo's answer to ``chat_accepted``/``chat_updated`` showing what the CRM knows."""
    return agent_panel_reply(deals=context.deals, crm_link=context.url)


@kit.webhook_trigger("webhooks", events=tuple(EVENT_TYPES.values()), load=load_chat, ack=ACK,
                     reply=reply_with_context)
def parse_webhook(request: WebhookRequest) -> list[Event]:
    """Jivo Webhooks API: chats finished, accepted, updated, offline messages, client
    updates and calls, one URL per channel.

    The event in one Jivo delivery (``InvalidPayload`` when it is not a Jivo event); none
    for the Jivo events pontes does not read (``NOT_READ``), which are acknowledged.
    """
    data = _body(request)
    name = data.get("event_name") if isinstance(data, dict) else None
    if isinstance(name, str) and name in NOT_READ:
        return []
    event = parse_body(data)
    return [Event(
        type=EVENT_TYPES[event.event_name],
        connection=request.connection,
        idempotency_key=idempotency_key(event, data),
        entity_key=entity_key(event, data),
        record_id=event.chat_id or event.client_key or event.offline_message_id,
        payload=data,
    )]
