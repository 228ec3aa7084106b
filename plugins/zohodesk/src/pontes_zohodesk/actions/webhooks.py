"""Zoho Desk webhooks: register, list and remove the subscriptions that feed this plugin's
``webhook`` trigger.

Each canonical trigger is one webhook named ``pontes <trigger>``, subscribed to the Zoho
Desk events behind it. Updates ask for the previous state (``includePrevState``), which
the trigger compares to tell an overdue or escalated ticket; those two also ask for the
changes made by SLA rules (``includeEventsFrom: ["AUTOMATION"]``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from pontes.plugin import (
    ById,
    Connection,
    NoParams,
    NotFoundError,
    WebhookInfo,
    WebhookSubscription,
)

from ..client import desk_delete, desk_get, desk_post, rows
from ..connector import kit
from ..ids import desk_id

PREVIOUS = {"includePrevState": True}
BY_RULES = {"includePrevState": True, "includeEventsFrom": ["AUTOMATION"]}
SUBSCRIPTIONS: dict[str, dict[str, Any]] = {
    "ticket.created": {"Ticket_Add": None},
    "ticket.changed": {"Ticket_Update": PREVIOUS},
    "ticket.replied": {"Ticket_Thread_Add": None},
    "ticket.commented": {"Ticket_Comment_Add": None, "Ticket_Comment_Update": PREVIOUS},
    "ticket.mentioned": {"Ticket_Comment_Add": None, "Ticket_Comment_Update": PREVIOUS},
    "ticket.overdue": {"Ticket_Update": BY_RULES},
    "ticket.escalated": {"Ticket_Update": BY_RULES},
    "contact.changed": {"Contact_Add": None, "Contact_Update": PREVIOUS},
    "company.changed": {"Account_Add": None, "Account_Update": PREVIOUS},
}
"""The Zoho Desk events (and their filters) behind each trigger this plugin emits."""
NAME_PREFIX = "pontes "


def _info(raw: dict[str, Any]) -> WebhookInfo | None:
    name = str(raw.get("name") or "")
    event = name[len(NAME_PREFIX):] if name.startswith(NAME_PREFIX) else None
    if event not in SUBSCRIPTIONS:
        return None
    return WebhookInfo(id=str(raw["id"]), event=event, url=str(raw.get("url") or ""))


@kit.action("webhook.register")
async def webhook_register(connection: Connection, params: WebhookSubscription) -> WebhookInfo:
    """Subscribe ``params.url`` to the Zoho Desk events behind ``params.event``."""
    subscriptions = SUBSCRIPTIONS.get(params.event)
    if subscriptions is None:
        raise ValueError(f"event: {params.event!r} is not one of "
                         f"{', '.join(sorted(SUBSCRIPTIONS))}")
    if not params.url.startswith(("http://", "https://")):
        raise ValueError("url: an http or https address")
    raw = await desk_post(connection, "/webhooks", {
        "url": params.url, "name": NAME_PREFIX + params.event,
        "subscriptions": subscriptions, "isEnabled": True})
    return WebhookInfo(id=str(raw["id"]), event=params.event, url=params.url)


@kit.action("webhook.list")
async def webhook_list(connection: Connection, params: NoParams) -> list[WebhookInfo]:
    """The webhooks this plugin registered (others of the portal are left out)."""
    found = [_info(raw) for raw in rows(await desk_get(connection, "/webhooks"))]
    return [info for info in found if info is not None]


@kit.action("webhook.remove")
async def webhook_remove(connection: Connection, params: ById) -> NoParams:
    """Delete the webhook ``params.id`` (one already gone counts as removed)."""
    with contextlib.suppress(NotFoundError):
        await desk_delete(connection, f"/webhooks/{desk_id(params.id)}")
    return NoParams()
