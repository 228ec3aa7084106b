"""The account's webhooks (``/api/v4/webhooks``): register, list and remove.

amoCRM subscribes a ``destination`` URL to ``settings``, a list of changes such as
``add_lead`` and ``status_lead``; one destination takes all of them, and a webhook is
removed by its destination.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    ById,
    Connection,
    NoParams,
    NotFoundError,
    WebhookInfo,
    WebhookSubscription,
)

from ..client import API_PREFIX, fetch_all
from ..connector import kit

SETTINGS_OF_EVENT = {
    "deal.created": ("add_lead",),
    "deal.changed": ("update_lead", "status_lead", "responsible_lead"),
    "contact.changed": ("add_contact", "update_contact"),
    "company.changed": ("add_company", "update_company"),
}
"""The amoCRM ``settings`` a pontes trigger needs."""


def event_of(settings: list[str]) -> str:
    """The pontes trigger a webhook's ``settings`` serve (the first that they cover)."""
    for event, needed in SETTINGS_OF_EVENT.items():
        if set(needed) <= set(settings):
            return event
    return ",".join(settings)


def webhook_info(raw: dict[str, Any]) -> WebhookInfo:
    """A registered webhook as pontes lists it."""
    return WebhookInfo(id=str(raw["id"]), event=event_of(raw.get("settings") or []),
                       url=raw.get("destination") or "")


@kit.action("webhook.register")
async def webhook_register(connection: Connection, params: WebhookSubscription) -> WebhookInfo:
    """Subscribe ``url`` to the changes of ``event`` (``POST /api/v4/webhooks``). amoCRM
    replaces the settings of a destination it has already, so the settings ``url`` has
    for other events are sent again with the new ones (one URL serves every event of an
    integration); safe to send again."""
    settings = SETTINGS_OF_EVENT.get(params.event)
    if settings is None:
        raise ValueError(f"amoCRM has no webhook for {params.event!r}; "
                             f"it has {', '.join(SETTINGS_OF_EVENT)}")
    rows = await fetch_all(connection.client, f"{API_PREFIX}/webhooks", "webhooks",
                           allowed_hosts=connection.settings.allowed_hosts)
    kept = [s for row in rows if row.get("destination") == params.url
            for s in row.get("settings") or []]
    body = await connection.client.post_json(f"{API_PREFIX}/webhooks", json={
        "destination": params.url, "settings": list(dict.fromkeys([*kept, *settings]))},
        retry_safe=True)
    return webhook_info(body)


@kit.action("webhook.list")
async def webhook_list(connection: Connection, params: NoParams) -> list[WebhookInfo]:
    """Every webhook of the account."""
    rows = await fetch_all(connection.client, f"{API_PREFIX}/webhooks", "webhooks",
                           allowed_hosts=connection.settings.allowed_hosts)
    return [webhook_info(row) for row in rows]


@kit.action("webhook.remove")
async def webhook_remove(connection: Connection, params: ById) -> NoParams:
    """Remove the webhook with this id (amoCRM removes by destination)."""
    for hook in await webhook_list(connection, NoParams()):
        if hook.id == params.id:
            await connection.client.request("DELETE", f"{API_PREFIX}/webhooks",
                                            json={"destination": hook.url})
            return NoParams()
    raise NotFoundError(f"amoCRM has no webhook with id {params.id}", status=404)
