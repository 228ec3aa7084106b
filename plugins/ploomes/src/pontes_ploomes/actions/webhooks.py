"""Ploomes webhook subscriptions for canonical trigger events.

A Ploomes webhook is one ``(EntityId, ActionId)`` pair posted to one ``CallbackUrl``.
A canonical event may need several (``deal.changed`` is an update, a win, a loss or a
reopening), so a registration is the set of Ploomes webhooks behind it and its id is
their ids joined by commas. Registering is idempotent: a pair already posting to the URL
is reused, re-activated when Ploomes turned it off (``Active``, which Ploomes clears on a
webhook whose deliveries fail) and given the configured ``ValidationKey`` when it has
another. Only active webhooks count as registered: ``webhook.list`` names an event when
every webhook it needs is active, so setting up again repairs the rest. Persons and
companies are both ``Contacts`` (entity 1), so ``contact.changed`` and
``company.changed`` share their webhooks.
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


def is_active(webhook: dict[str, Any]) -> bool:
    """Whether Ploomes sends ``webhook``'s deliveries: inactive only when its ``Active``
    flag says so."""
    return webhook.get("Active") not in (False, 0)


def _configured_key(connection: Connection) -> str | None:
    configured = connection.settings.webhook_validation_key  # type: ignore[attr-defined]
    return configured.get_secret_value() if configured else None


def _by_pair(webhooks: list[dict[str, Any]], url: str) -> dict[tuple[Any, Any], dict[str, Any]]:
    """The webhooks posting to ``url`` by ``(EntityId, ActionId)``, an active one first."""
    found: dict[tuple[Any, Any], dict[str, Any]] = {}
    for webhook in webhooks:
        if webhook.get("CallbackUrl") != url:
            continue
        pair = (webhook.get("EntityId"), webhook.get("ActionId"))
        current = found.get(pair)
        if current is None or (is_active(webhook) and not is_active(current)):
            found[pair] = webhook
    return found


async def _bring_up_to_date(connection: Connection, webhook: dict[str, Any]) -> None:
    """Re-activate ``webhook`` and give it the configured ``ValidationKey`` where needed
    (``{"Active": 1}`` re-activates, as public Ploomes scripts do). The PATCH only sets
    values, so it is safe to send again after an ambiguous failure."""
    changes: dict[str, Any] = {}
    if not is_active(webhook):
        changes["Active"] = 1
    key = _configured_key(connection)
    if key is not None and webhook.get("ValidationKey") != key:
        changes["ValidationKey"] = key
    if changes:
        await connection.client.patch_json(key_path("Webhooks", webhook["Id"]), json=changes,
                                           retry_safe=True)


@kit.action("webhook.register")
async def webhook_register(connection: Connection, params: WebhookSubscription) -> WebhookInfo:
    """Subscribe ``params.url`` to ``params.event`` (one Ploomes webhook per action),
    re-activating the ones Ploomes turned off."""
    existing = _by_pair(await _all_webhooks(connection), params.url)
    ids = []
    for entity, action in _pairs(params.event):
        webhook = existing.get((entity, action))
        if webhook is None:
            webhook = await create(connection.client, "/Webhooks", {
                "EntityId": entity, "ActionId": action, "CallbackUrl": params.url,
                "ValidationKey": _configured_key(connection) or secrets.token_urlsafe(24)})
        else:
            await _bring_up_to_date(connection, webhook)
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
    """The registrations working at Ploomes: per URL, each event whose webhooks are all
    there and active (an inactive or missing one leaves the event out)."""
    by_url: dict[str, dict[tuple[int, int], str]] = {}
    for webhook in await _all_webhooks(connection):
        if is_active(webhook):
            pair = (webhook.get("EntityId"), webhook.get("ActionId"))
            by_url.setdefault(webhook.get("CallbackUrl") or "", {})[pair] = str(webhook["Id"])
    found = []
    for url, pairs in sorted(by_url.items()):
        for event in EVENT_WEBHOOKS:
            wanted = _pairs(event)
            if all(p in pairs for p in wanted):
                found.append(WebhookInfo(id=",".join(pairs[p] for p in wanted), event=event,
                                         url=url))
    return found
