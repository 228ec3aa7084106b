"""The inbox: a webhook delivery becomes stored events before it is answered.

``Inbox.deliver`` decodes the body (JSON, or a form as amoCRM sends), lets each webhook
trigger of the integration's role parse it, keeps the events the recipe wants, stores them
(a repeated idempotency key is skipped) and returns the answer the vendor expects. A body
no trigger understands is stored as ``rejected`` with the reason, and answered 4xx; so is
one that makes a trigger crash (a bug in its plugin, logged as such). A body the triggers
understand but whose events the recipe does not use is stored as ``ignored`` with the
reason, and acknowledged.

The answer is the trigger's ``ack``, except for vendors that show an agent what the CRM
knows (Jivo): when the trigger has a ``reply`` and the recipe a ``context`` for the
event's type, the stored event's client context is looked up (within
``context_timeout``) and the reply built from it; if that fails, the ``ack`` goes out.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from ..connector import WebhookRequest, WebhookTrigger
from ..errors import InvalidPayload
from ..http import SECRET_HEADER_NAMES
from ..logs import event_fields
from ..models import Event
from ..recipes import Integration, Links, RunContext
from ..store import NewEvent
from .committer import GroupCommit
from .explain import MAX_MESSAGE, explain_failure
from .json_bodies import UnsafeJson, read_json
from .masking import masked_body, masked_data, masked_headers, redactor_for
from .metrics import Metrics

log = logging.getLogger("pontes.inbox")

KEY_LIMIT = 500
"""Longest idempotency or entity key stored as is; longer ones are stored as a hash."""

_DROPPED_HEADERS = SECRET_HEADER_NAMES | {
    "connection", "content-length", "host", "keep-alive", "transfer-encoding", "te",
    "upgrade", "proxy-authorization", "x-pontes-token",
}
_MAX_HEADERS = 40
_MAX_HEADER_VALUE = 500


@dataclass(frozen=True)
class Delivery:
    """One HTTP delivery to a webhook URL, as the server received it."""

    body: bytes
    content_type: str
    headers: Mapping[str, str]
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """What to answer a delivery, and what became of it.

    ``stored`` are the ids of new events, ``duplicates`` how many were already stored;
    ``rejected`` is the reason when the delivery was refused.
    """

    status: int
    body: Any
    stored: list[int] = field(default_factory=list)
    duplicates: int = 0
    rejected: str | None = None


class Inbox:
    """Stores deliveries as events (or rejections) before they are answered."""

    def __init__(self, committer: GroupCommit[list[NewEvent], list[int | None]],
                 metrics: Metrics | None = None,
                 on_stored: Callable[[], None] = lambda: None, *,
                 links: Links | None = None, context_timeout: float = 2.0):
        self.committer = committer
        self.metrics = metrics
        self.on_stored = on_stored
        self.links = links
        self.context_timeout = context_timeout

    async def deliver(self, integration: Integration, role: str, delivery: Delivery) -> Answer:
        """Parse, store and answer one delivery for ``integration``'s ``role``."""
        connection = integration.connections[role]
        try:
            data = decode_body(delivery.body, delivery.content_type)
        except InvalidPayload as exc:
            return await self.refuse(integration, role, delivery, str(exc), 400)
        request = WebhookRequest(connection=connection.name, headers=delivery.headers,
                                 query=delivery.query, body=delivery.body, data=data,
                                 content_type=delivery.content_type,
                                 settings=connection.settings)
        wanted = set(integration.recipe.roles[role].triggers)
        triggers = integration.webhook_triggers(role)
        extra = carried_secrets(integration, connection.webhook_triggers(), request)
        accepted: WebhookTrigger | None = None
        found: list[tuple[WebhookTrigger, Event]] = []
        reasons: list[str] = []
        unused: set[str] = set()
        for trigger in triggers:
            try:
                parsed = trigger.parse(request)
                kept = [(trigger, event) for event in parsed if event.type in wanted]
                skipped = {event.type for event in parsed if event.type not in wanted}
            except InvalidPayload as exc:
                reasons.append(f"{trigger.name}: {exc}")
                continue
            except Exception as exc:  # a plugin bug: the body is kept, as rejected
                reasons.append(_plugin_bug(integration, trigger, exc))
                continue
            accepted = accepted or trigger
            found.extend(kept)
            unused.update(skipped)
        delivery = without_secrets(delivery, integration, extra)
        if accepted is None:
            reason = "; ".join(reasons) or (f"connection {connection.name!r} has no webhook "
                                             "trigger for this integration")
            return await self.refuse(integration, role, delivery, reason, 400)
        if not found:
            return await self.ignore(integration, role, delivery, accepted, unused)
        rows = [self._row(integration, role, delivery, trigger, event, extra)
                for trigger, event in found]
        ids = await self.committer.submit(rows) if rows else []
        stored = [i for i in ids if i is not None]
        for (_trigger, event), event_id in zip(found, ids, strict=True):
            if event_id is not None:
                log.info("received event %d (%s) for %s", event_id, event.type,
                         integration.name, extra=event_fields(integration.name, event_id))
        if self.metrics is not None:
            if stored:
                self.metrics.received.labels(integration.name, "webhook").inc(len(stored))
            if len(ids) > len(stored):
                self.metrics.duplicates.labels(integration.name).inc(len(ids) - len(stored))
        if stored:
            self.on_stored()
        body = await self._reply(integration, role, accepted, found)
        if body is None:
            body = accepted.ack.body
        return Answer(accepted.ack.status, body, stored, len(ids) - len(stored))

    async def _reply(self, integration: Integration, role: str, trigger: WebhookTrigger,
                     found: list[tuple[WebhookTrigger, Event]]) -> Any:
        """The trigger's reply with the client's context, or ``None`` to send the ack."""
        recipe = integration.recipe
        if trigger.reply is None or recipe.context is None or self.links is None:
            return None
        event = next((e for t, e in found if t is trigger and e.type in recipe.context_events),
                     None)
        if event is None:
            return None
        event = event.model_copy(update={"trigger": trigger.name})
        try:
            async with asyncio.timeout(self.context_timeout):
                context = await recipe.context(RunContext(integration, event, role, self.links))
            return None if context is None else trigger.reply(event, context)
        except Exception as exc:
            log.warning("no client context for %s (answering with the plain ack): %s",
                        integration.name, explain_failure(exc, integration.connections.values()))
            return None

    async def refuse(self, integration: Integration, role: str, delivery: Delivery,
                     reason: str, status: int, keep_body: bool = True) -> Answer:
        """Store the delivery as ``rejected`` with ``reason``; answer ``status``."""
        reason = storable_text(reason)
        delivery = without_secrets(delivery, integration)
        row = NewEvent(integration=integration.name, role=role,
                       connection=integration.connections[role].name, source="webhook",
                       status="rejected", error=reason,
                       body=delivery.body if keep_body else None,
                       content_type=delivery.content_type,
                       headers=kept_headers(delivery.headers))
        ids = await self.committer.submit([row])
        if self.metrics is not None:
            self.metrics.rejected.labels(integration.name).inc()
        log.info("rejected a delivery for %s: %s", integration.name, reason)
        return Answer(status, {"error": reason}, ids, 0, reason)

    async def ignore(self, integration: Integration, role: str, delivery: Delivery,
                     trigger: WebhookTrigger, unused: set[str]) -> Answer:
        """Store a delivery that carries no event the recipe uses as ``ignored``, with the
        reason; answer the trigger's acknowledgement (the vendor did nothing wrong)."""
        if unused:
            reason = (f"{', '.join(sorted(unused))} "
                      f"{'is' if len(unused) == 1 else 'are'} not used by recipe "
                      f"{integration.recipe.name!r}")
        else:
            reason = f"{trigger.name}: the delivery carries no event pontes reads"
        row = NewEvent(integration=integration.name, role=role,
                       connection=integration.connections[role].name, source="webhook",
                       status="ignored", trigger=trigger.name,
                       type=next(iter(unused)) if len(unused) == 1 else None,
                       error=reason, body=delivery.body, content_type=delivery.content_type,
                       headers=kept_headers(delivery.headers))
        ids = await self.committer.submit([row])
        if self.metrics is not None:
            self.metrics.ignored.labels(integration.name).inc()
        log.info("ignored a delivery for %s: %s", integration.name, reason)
        return Answer(trigger.ack.status, trigger.ack.body, ids, 0)

    @staticmethod
    def _row(integration: Integration, role: str, delivery: Delivery,
             trigger: WebhookTrigger, event: Event, extra: tuple[str, ...] = ()) -> NewEvent:
        event = event.model_copy(update={"trigger": trigger.name})
        return NewEvent(
            integration=integration.name, role=role,
            connection=integration.connections[role].name, source="webhook",
            trigger=trigger.name, type=event.type,
            idempotency_key=stored_key(event.idempotency_key, integration),
            entity_key=stored_key(event.entity_key, integration),
            event=masked_data(event.model_dump(mode="json"), integration.connections.values(),
                              extra),
            body=delivery.body,
            content_type=delivery.content_type, headers=kept_headers(delivery.headers),
        )


def without_secrets(delivery: Delivery, integration: Integration,
                    extra: tuple[str, ...] = ()) -> Delivery:
    """``delivery`` as it is stored: the secrets of the integration's connections (and the
    ``extra`` ones it carries) masked in its body and headers, since a vendor may send one
    back (Ploomes' ``ValidationKey``)."""
    connections = integration.connections.values()
    return replace(delivery, body=masked_body(delivery.body, connections, extra),
                   headers=masked_headers(delivery.headers, connections, extra))


MAX_CARRIED_SECRET = 128
"""Longest value a delivery carries that is masked as a secret (``carried_secrets``).

Masking a secret in every spelling compiles a pattern whose cost grows faster than its
length (a thousand accented characters took minutes and gigabytes), and these values
come from whoever posts to the hook URL. Channel tokens and block keys are far shorter;
a longer value sent in their place is no credential of the installation's."""


def carried_secrets(integration: Integration, triggers: list[WebhookTrigger],
                    request: WebhookRequest) -> tuple[str, ...]:
    """The secrets ``triggers`` find in a delivery besides the connections' own
    (``WebhookTrigger.secrets``), up to ``MAX_CARRIED_SECRET`` characters each; a trigger
    that fails at it is logged as a plugin bug."""
    found: list[str] = []
    for trigger in triggers:
        if trigger.secrets is None:
            continue
        try:
            found += [value for value in trigger.secrets(request)
                      if isinstance(value, str) and 0 < len(value) <= MAX_CARRIED_SECRET]
        except Exception as exc:
            log.error("trigger %s of connector %s failed to name a delivery's secrets for "
                      "%s (a bug in the plugin): %s", trigger.name, trigger.connector,
                      integration.name,
                      explain_failure(exc, integration.connections.values()))
    return tuple(sorted(set(found)))


def decode_body(body: bytes, content_type: str) -> Any:
    """The body as data: JSON, or a flat dict of a form's keys, or ``None`` otherwise.

    A body declared as JSON that is not JSON raises ``InvalidPayload``; an undeclared body
    that looks like JSON is decoded when it can be. JSON that parses but is unsafe to
    carry (``pontes.engine.json_bodies``: NaN, too deep, lone surrogates...) raises
    ``InvalidPayload`` whatever the declared type.
    """
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise InvalidPayload("form body is not valid UTF-8") from None
    declared = mime == "application/json" or mime.endswith("+json")
    if declared or body.removeprefix(codecs.BOM_UTF8).lstrip()[:1] in (b"{", b"["):
        try:
            return read_json(body)
        except UnsafeJson:  # JSON, but unsafe to carry, whatever the declared type
            raise
        except InvalidPayload:
            if declared:
                raise
    return None


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers worth keeping with a delivery: no credentials, no hop-by-hop ones."""
    kept = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _DROPPED_HEADERS or len(kept) >= _MAX_HEADERS:
            continue
        kept[lowered] = value[:_MAX_HEADER_VALUE]
    return kept


def fit_key(key: str) -> str:
    """``key``, or a stable hash of it when it is longer than the column allows or holds
    what a text column cannot (NUL, lone surrogates)."""
    if storable_text(key, KEY_LIMIT) == key:
        return key
    return _hashed(key)


def stored_key(key: str, integration: Integration) -> str:
    """An event's key as it is stored (``fit_key``); a key that holds a secret of the
    integration's connections is stored as its hash, which keeps keys apart as they were
    and the secret out of the store."""
    redactor = redactor_for(integration.connections.values())
    return _hashed(key) if redactor.text(key) != key else fit_key(key)


def _hashed(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def storable_text(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` as every store and answer can hold it: NUL and lone surrogates written as
    escapes, and at most ``limit`` characters."""
    text = text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _plugin_bug(integration: Integration, trigger: WebhookTrigger, exc: Exception) -> str:
    """Log a trigger that raised something other than ``InvalidPayload`` (a bug in its
    plugin) and return the reason to store: the exception's type and masked message."""
    reason = f"{trigger.name} failed: {explain_failure(exc, integration.connections.values())}"
    log.error("trigger %s of connector %s crashed on a delivery for %s (a bug in the plugin; "
              "the delivery is stored as rejected): %s\n%s", trigger.name, trigger.connector,
              integration.name, storable_text(reason),
              "".join(traceback.format_tb(exc.__traceback__)).rstrip())
    return reason
