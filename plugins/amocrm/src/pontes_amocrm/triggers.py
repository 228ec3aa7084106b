"""amoCRM's account webhook as events.

amoCRM posts ``application/x-www-form-urlencoded`` bodies with bracket keys,
``leads[status][0][id]=9774766&...&account[subdomain]=acme``: entity (``leads``,
``contacts``, ``companies``), then action (``add``, ``update``, ``status``,
``responsible``, ``delete``...), then the changed records, with API v2's field names
(``last_modified``, ``date_create``, ``custom_fields[n][values][m][enum]``) and every
value a string. Each record becomes one event; a repeated delivery of one change has the
same entity, action, id and ``last_modified``, which make the idempotency key. The body
is only a hint: ``load_*`` read the record as amoCRM has it now.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    Company,
    Connection,
    Contact,
    Deal,
    Event,
    InvalidPayload,
    WebhookRequest,
    nest_form,
)

from .actions.records import get_one
from .connector import kit
from .mappers import company_to_canonical, contact_to_canonical, deal_to_canonical

EVENT_TYPES = {
    ("leads", "add"): "deal.created",
    ("leads", "update"): "deal.changed",
    ("leads", "status"): "deal.changed",
    ("leads", "responsible"): "deal.changed",
    ("contacts", "add"): "contact.changed",
    ("contacts", "update"): "contact.changed",
    ("contacts", "responsible"): "contact.changed",
    ("companies", "add"): "company.changed",
    ("companies", "update"): "company.changed",
    ("companies", "responsible"): "company.changed",
}
"""(entity, action) -> pontes event type; other changes are acknowledged and ignored."""


def delivery_data(request: WebhookRequest) -> dict[str, Any]:
    """The delivery as nested data (bracket keys unfolded); ``InvalidPayload`` when the
    body is not a form of amoCRM's shape."""
    data = request.data
    if not isinstance(data, dict) or not data:
        raise InvalidPayload("expected an amoCRM form body such as leads[add][0][id]=...")
    try:
        nested = nest_form(data) if any("[" in key for key in data) else data
    except ValueError as error:
        raise InvalidPayload(f"unreadable form body: {error}") from None
    if not any(entity in nested for entity, _ in EVENT_TYPES) and "account" not in nested:
        raise InvalidPayload("no leads, contacts, companies or account in the delivery")
    return nested


def _records(changes: Any) -> list[dict[str, Any]]:
    if isinstance(changes, dict):
        changes = list(changes.values())
    return [item for item in changes or [] if isinstance(item, dict)]


async def load_record(connection: Connection, event: Event) -> Deal | Contact | Company:
    """The lead, contact or company of an event, as amoCRM has it now."""
    entity = next(iter(k for k in event.payload if k != "account"))
    if entity == "leads":
        return deal_to_canonical(await get_one(connection, "leads", str(event.record_id),
                                               with_="contacts"), connection.name)
    mapper = contact_to_canonical if entity == "contacts" else company_to_canonical
    return mapper(await get_one(connection, entity, str(event.record_id)), connection.name)


@kit.webhook_trigger("webhook", events=("deal.created", "deal.changed", "contact.changed",
                                        "company.changed"), load=load_record)
def parse_webhook(request: WebhookRequest) -> list[Event]:
    """amoCRM account webhook: leads, contacts and companies added or changed."""
    data = delivery_data(request)
    events = []
    for (entity, action), event_type in EVENT_TYPES.items():
        for record in _records((data.get(entity) or {}).get(action)):
            record_id = str(record.get("id") or "").strip()
            if not record_id.isdigit():
                raise InvalidPayload(f"{entity}[{action}] has a record without a numeric id")
            stamp = record.get("last_modified") or record.get("updated_at") or ""
            events.append(Event(
                type=event_type,
                connection=request.connection,
                idempotency_key=f"amocrm:{entity}:{action}:{record_id}:{stamp}",
                entity_key=f"amocrm:{entity}:{record_id}",
                record_id=record_id,
                payload={entity: {action: [record]}, "account": data.get("account") or {}},
            ))
    return events
