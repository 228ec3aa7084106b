"""Ploomes webhook subscriptions for canonical trigger events.

A Ploomes webhook is one ``(EntityId, ActionId)`` pair posted to one ``CallbackUrl``.
A canonical event may need several (``deal.changed`` is an update, a win, a loss or a
reopening), so a registration is the set of Ploomes webhooks behind it and its id is
their ids joined by commas. Registering is idempotent: a pair already posting to the URL
is reused. Persons and companies are both ``Contacts`` (entity 1), so ``contact.changed``
and ``company.changed`` share their webhooks.
"""

from __future__ import annotations

import secrets
from typing import Any

from pontes.plugin import (
    ById,
    Connection,
    NoParams,
    PermanentFailure,
    WebhookInfo,
    WebhookSubscription,
)

from ..client import Query, create, fetch_all, key_path, record_id
from ..connector import kit

CONTACTS_ENTITY = 1
DEALS_ENTITY = 2

CREATE, UPDATE, DELETE, WIN, LOSE, REOPEN = 1, 2, 3, 5, 6, 7

EVENT_WEBHOOKS: dict[str, tuple[int, tuple[int, ...]]] = {
    "deal.created": (DEALS_ENTITY, (CREATE,)),
    "deal.changed": (DEALS_ENTITY, (UPDATE, WIN, LOSE, REOPEN)),
    "contact.changed": (CONTACTS_ENTITY, (CREATE, UPDATE)),
    "company.changed": (CONTACTS_ENTITY, (CREATE, UPDATE)),
}
"""Canonical trigger event -> the Ploomes ``EntityId`` and ``ActionId``s that feed it."""


def _pairs(event: str) -> list[tuple[int, int]]:
    if event not in EVENT_WEBHOOKS:
        raise PermanentFailure(
            f"webhook event {event!r} is not one Ploomes can send; "
            f"expected one of: {', '.join(EVENT_WEBHOOKS)}")
    entity, actions = EVENT_WEBHOOKS[event]
    return [(entity, action) for action in actions]


async def _all_webhooks(connection: Connection) -> list[dict[str, Any]]:
    return await fetch_all(connection.client, "/Webhooks", Query())


def _validation_key(connection: Connection) -> str:
    configured = connection.settings.webhook_validation_key  # type: ignore[attr-defined]
    return configured.get_secret_value() if configured else secrets.token_urlsafe(24)


@kit.action("webhook.register")
async def webhook_register(connection: Connection, params: WebhookSubscription) -> WebhookInfo:
    """Subscribe ``params.url`` to ``params.event`` (one Ploomes webhook per action)."""
    wanted = _pairs(params.event)
    existing = {(w.get("EntityId"), w.get("ActionId")): w
                for w in await _all_webhooks(connection) if w.get("CallbackUrl") == params.url}
    ids = []
    for entity, action in wanted:
        webhook = existing.get((entity, action))
        if webhook is None:
            webhook = await create(connection.client, "/Webhooks", {
                "EntityId": entity, "ActionId": action, "CallbackUrl": params.url,
                "ValidationKey": _validation_key(connection)})
        ids.append(str(webhook["Id"]))
    return WebhookInfo(id=",".join(ids), event=params.event, url=params.url)


@kit.action("webhook.remove")
async def webhook_remove(connection: Connection, params: ById) -> NoParams:
    """Delete the Ploomes webhooks of a registration (``params.id`` as ``webhook.register``
    returned it)."""
    for part in params.id.split(","):
        await connection.client.delete(key_path("Webhooks", record_id(part, "webhook id")))
    return NoParams()


@kit.action("webhook.list")
async def webhook_list(connection: Connection, params: NoParams) -> list[WebhookInfo]:
    """The registrations found at Ploomes: per event and URL, the webhooks that feed it."""
    by_url: dict[str, dict[tuple[int, int], str]] = {}
    for webhook in await _all_webhooks(connection):
        pair = (webhook.get("EntityId"), webhook.get("ActionId"))
        by_url.setdefault(webhook.get("CallbackUrl") or "", {})[pair] = str(webhook["Id"])
    found = []
    for url, pairs in sorted(by_url.items()):
        for event in EVENT_WEBHOOKS:
            ids = [pairs[p] for p in _pairs(event) if p in pairs]
            if ids:
                found.append(WebhookInfo(id=",".join(ids), event=event, url=url))
    return found
