"""Ploomes webhook deliveries as canonical events.

Ploomes posts one of two bodies (both are accepted):

- the full snapshot: ``{"Entity": "Deals", "Action": "Win", "New": {...}, "Old": {...},
  "AccountId", "ActionUserId", "WebhookId", "WebhookCreatorId"}``, times without offset;
- the thin form: ``{"Entity": "Deal", "Action": "Update", "ResourceId": 5,
  "ValidationKey", "UserId"}``.

``Entity`` may be plural or singular and ``Action`` a word or an ``ActionId``. The body is
only a hint: ``load_record`` reads the record again from Ploomes.

When the connection sets ``webhook_validation_key``, a delivery must carry that
``ValidationKey``: in the body, as thin deliveries do, or in a ``ValidationKey`` header.
One with another key or none is refused; the key is not kept in the event's payload.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pontes.plugin import (
    ById,
    Connection,
    DateOutOfRange,
    Event,
    InvalidPayload,
    Record,
    WebhookRequest,
)

from .actions.clients import PERSON_EXPAND
from .actions.deals import deal_get
from .actions.webhooks import CREATE, DELETE, LOSE, REOPEN, UPDATE, WIN
from .client import fetch_by_id
from .connector import kit
from .dates import parse_time
from .mappers import COMPANY_TYPE, client_to_canonical

ENTITY_NAMES = {"deals": "deal", "deal": "deal", "contacts": "contact", "contact": "contact"}
ACTION_WORDS = {"create": CREATE, "update": UPDATE, "delete": DELETE, "win": WIN,
                "lose": LOSE, "reopen": REOPEN}
DEAL_EVENTS = {CREATE: "deal.created", UPDATE: "deal.changed", WIN: "deal.changed",
               LOSE: "deal.changed", REOPEN: "deal.changed"}
THIN_WINDOW_SECONDS = 60
MAX_ID = 2**63 - 1
"""The largest record or action id read from a webhook (Ploomes ids are 64-bit integers)."""
VALIDATION_KEY = "ValidationKey"

clock: Callable[[], float] = time.time
"""The clock that dates thin deliveries (replaceable in tests)."""


def _whole_number(value: Any) -> int | None:
    """An integer, or ASCII digits of at most ``MAX_ID``'s length; ``None`` otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().removeprefix("-")
        if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)):
            return int(value)
    return None


def _action_id(value: Any) -> int:
    number = _whole_number(value)
    if number is not None:
        return number
    if isinstance(value, str) and value.strip().lower() in ACTION_WORDS:
        return ACTION_WORDS[value.strip().lower()]
    raise InvalidPayload(f"Ploomes webhook 'Action' {value!r} is not a known action")


def _record_id(body: dict[str, Any], snapshot: dict[str, Any] | None) -> int:
    value = snapshot.get("Id") if snapshot else body.get("ResourceId")
    number = _whole_number(value)
    if number is None:
        raise InvalidPayload(
            "Ploomes webhook names no record: expected an integer New.Id, Old.Id or "
            f"ResourceId, got {value!r}")
    if not 0 < number <= MAX_ID:
        raise InvalidPayload(f"Ploomes webhook record id must be positive and fit in 64 bits, "
                             f"got {number!r}")
    return number


def _occurred(snapshot: dict[str, Any]) -> datetime | None:
    """The snapshot's ``LastUpdateDate`` in UTC, ``None`` when absent or unreadable; a date
    with no moment in UTC makes the body invalid."""
    value = snapshot.get("LastUpdateDate")
    try:
        return parse_time(value)
    except DateOutOfRange:
        raise InvalidPayload("Ploomes webhook 'LastUpdateDate' is out of range once in UTC: "
                             f"{value!r}") from None


def _snapshot(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise InvalidPayload(f"Ploomes webhook '{name}' must be an object, got {type(value).__name__}")
    return value


def _event_type(entity: str, action: int, snapshot: dict[str, Any] | None) -> str | None:
    if entity == "deal":
        return DEAL_EVENTS.get(action)
    if action not in (CREATE, UPDATE):
        return None
    if snapshot and snapshot.get("TypeId") == COMPANY_TYPE:
        return "company.changed"
    return "contact.changed"


def _sent_key(request: WebhookRequest, body: dict[str, Any]) -> Any:
    if body.get(VALIDATION_KEY) is not None:
        return body[VALIDATION_KEY]
    return next((value for name, value in request.headers.items()
                 if name.lower() == VALIDATION_KEY.lower()), None)


def check_validation_key(request: WebhookRequest, body: dict[str, Any]) -> None:
    """Refuse (``InvalidPayload``) a delivery without the connection's
    ``webhook_validation_key``, when one is set; the keys are compared in constant time."""
    configured = getattr(request.settings, "webhook_validation_key", None)
    if configured is None:
        return
    sent = _sent_key(request, body)
    if sent is None:
        raise InvalidPayload(
            "Ploomes delivery carries no ValidationKey (in the body or a ValidationKey "
            "header), but the connection sets webhook_validation_key")
    expected = configured.get_secret_value().encode("utf-8", "surrogatepass")
    if not isinstance(sent, str) or not hmac.compare_digest(
            sent.encode("utf-8", "surrogatepass"), expected):
        raise InvalidPayload(
            "Ploomes delivery's ValidationKey is not the connection's webhook_validation_key")


def _fingerprint(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


async def load_record(connection: Connection, event: Event) -> Record:
    """The deal, person or company of ``event``, read again from Ploomes."""
    if event.type.startswith("deal."):
        return await deal_get(connection, ById(id=event.record_id or ""))
    row = await fetch_by_id(connection.client, "Contacts", event.record_id,
                            expand=PERSON_EXPAND, what="contact")
    return client_to_canonical(row, connection.name)


@kit.webhook_trigger(
    "webhook",
    events=("deal.created", "deal.changed", "contact.changed", "company.changed"),
    load=load_record,
)
def parse_webhook(request: WebhookRequest) -> list[Event]:
    """Ploomes webhooks for deals, persons and companies (full or thin bodies).

    The event in one Ploomes delivery (none for deletions and other entities).
    """
    body = request.data
    if not isinstance(body, dict):
        raise InvalidPayload("Ploomes webhook body must be a JSON object")
    check_validation_key(request, body)
    if not isinstance(body.get("Entity"), str) or not body["Entity"].strip():
        raise InvalidPayload("Ploomes webhook has no 'Entity'")
    if "Action" not in body:
        raise InvalidPayload("Ploomes webhook has no 'Action'")
    entity = ENTITY_NAMES.get(body["Entity"].strip().lower())
    action = _action_id(body["Action"])
    if entity is None:
        return []
    new, old = _snapshot(body, "New"), _snapshot(body, "Old")
    snapshot = new or old
    record = _record_id(body, snapshot)
    event_type = _event_type(entity, action, snapshot)
    if event_type is None:
        return []
    if snapshot is not None:
        stamp = snapshot.get("LastUpdateDate") or _fingerprint(body)
        occurred = _occurred(snapshot)
    else:
        stamp = f"{_fingerprint(body)}@{int(clock() // THIN_WINDOW_SECONDS)}"
        occurred = None
    return [Event(
        type=event_type,
        connection=request.connection,
        idempotency_key=f"ploomes:{entity}:{record}:{action}:{stamp}",
        entity_key=f"{entity}:{record}",
        record_id=str(record),
        occurred_at=occurred or datetime.now(UTC),
        payload={name: value for name, value in body.items() if name != VALIDATION_KEY},
    )]
