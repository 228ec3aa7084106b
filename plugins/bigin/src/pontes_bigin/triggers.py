"""Bigin's notifications as events, and the renewal of the channels they come through.

Bigin posts ``{"server_time", "module", "resource_uri", "ids", "affected_fields",
"operation", "channel_id", "token", "query_params"}`` to a channel's ``notify_url``:
ids only, so ``load_record`` reads each record. ``operation`` is ``insert``, ``update``
or ``delete``; deletions are acknowledged and ignored. The ``token`` must be the
connection's (``channels.watch_token_of``), or the delivery is refused. Each id becomes
one event; a repeated delivery has the same channel, ``server_time``, module, operation
and id, which make the idempotency key.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pontes.plugin import (
    Company,
    Connection,
    Contact,
    Deal,
    Event,
    InvalidPayload,
    PollResult,
    WebhookRequest,
)

from .actions.records import get_one
from .actions.watch import renew_watches
from .channels import token_matches
from .connector import kit
from .ids import bigin_id
from .mappers import company_to_canonical, contact_to_canonical, deal_to_canonical
from .modules import ACCOUNTS, CONTACTS, PIPELINES, canonical_module

EVENT_TYPES = {
    (PIPELINES, "insert"): "deal.created",
    (PIPELINES, "update"): "deal.changed",
    (CONTACTS, "insert"): "contact.changed",
    (CONTACTS, "update"): "contact.changed",
    (ACCOUNTS, "insert"): "company.changed",
    (ACCOUNTS, "update"): "company.changed",
}
"""(module, operation) -> pontes event type."""

MAPPERS = {PIPELINES: deal_to_canonical, CONTACTS: contact_to_canonical,
           ACCOUNTS: company_to_canonical}

WATCHED_EVENTS = ("deal.created", "deal.changed", "contact.changed", "company.changed")


async def load_record(connection: Connection, event: Event) -> Deal | Contact | Company:
    """The record of an event, as Bigin has it now."""
    module = event.payload["module"]
    raw = await get_one(connection, module, str(event.record_id))
    return MAPPERS[module](raw, connection.name)


def _checked_token(request: WebhookRequest, body: dict) -> None:
    if request.settings is not None and not token_matches(request.settings, body.get("token")):
        raise InvalidPayload("the notification's token is not this connection's watch token")


@kit.webhook_trigger("notifications", events=WATCHED_EVENTS, load=load_record)
def parse_notification(request: WebhookRequest) -> list[Event]:
    """Bigin notifications: contacts, accounts and pipeline records inserted or updated."""
    body = request.data
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list):
        raise InvalidPayload("expected a Bigin notification: a JSON object with module, "
                             "operation and ids")
    _checked_token(request, body)
    module = canonical_module(str(body.get("module") or ""))
    event_type = EVENT_TYPES.get((module, str(body.get("operation") or "")))
    if event_type is None:
        return []
    events = []
    for raw_id in body["ids"]:
        try:
            record_id = bigin_id(raw_id, "ids")
        except ValueError as error:
            raise InvalidPayload(str(error)) from None
        events.append(Event(
            type=event_type,
            connection=request.connection,
            idempotency_key=(f"bigin:{body.get('channel_id')}:{body.get('server_time')}:"
                             f"{module}:{body['operation']}:{record_id}"),
            entity_key=f"bigin:{module}:{record_id}",
            record_id=record_id,
            payload={"module": module, "operation": body["operation"],
                     "affected_fields": body.get("affected_fields") or [],
                     "server_time": body.get("server_time")},
        ))
    return events


@kit.polling_trigger("watch_renewal", events=WATCHED_EVENTS, load=load_record,
                     interval_seconds=900.0)
async def renew(connection: Connection, cursor: str | None) -> PollResult:
    """Renew the watch channels before they expire (no events: changes come as
    notifications); the cursor is the time of the last renewal."""
    await renew_watches(connection)
    return PollResult(events=[], cursor=datetime.now(UTC).isoformat())
