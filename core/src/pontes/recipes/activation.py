"""Vendor-side set-up shared by recipes: webhooks and integration users.

What an API allows is done; what needs a person is returned as a step to print, in the
vendor's own words when its plugin provides them (``Connector.webhook_setup``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..connection import Connection
from .base import SetupStep

if TYPE_CHECKING:
    from .base import Integration


async def ensure_integration_user(crm: Connection, name: str) -> SetupStep:
    """Find or create the user that marks records for an integration."""
    user = await crm.call("user.ensure", name=name)
    return SetupStep(f"{crm.name}: integration user {name!r}", True, f"user id {user.id}")


def polled_only(connection: Connection) -> SetupStep:
    """The step of a role whose vendor sends no webhook the recipe wants: its changes
    come from polling (``poll: true`` on the integration)."""
    return SetupStep(f"{connection.name}: webhook", True,
                     "none to set up: its changes are polled (poll: true)")


async def activate_webhooks(integration: Integration, hook_urls: dict[str, str]) -> list[SetupStep]:
    """Register each trigger role's webhook through the vendor API, or say how to by hand.

    A webhook already registered at the same URL for the same event is left as it is, so
    activating twice registers nothing twice. A role without a webhook URL (its vendor
    only has polling triggers for the recipe's events) gets a ``polled_only`` step.
    """
    steps = []
    for role in integration.trigger_roles():
        connection = integration.connections[role]
        url = hook_urls.get(role)
        if url is None:
            steps.append(polled_only(connection))
            continue
        delivered = {e for trigger in connection.webhook_triggers() for e in trigger.events}
        events = tuple(e for e in integration.recipe.roles[role].triggers
                       if connection.has(e) and e in delivered)
        if connection.has("webhook.register"):
            existing = {(w.event, w.url) for w in await connection.call("webhook.list")}
            for event in events:
                if (event, url) in existing:
                    steps.append(SetupStep(f"{connection.name}: webhook for {event}", True,
                                           "already registered"))
                    continue
                hook = await connection.call("webhook.register", event=event, url=url)
                steps.append(SetupStep(f"{connection.name}: webhook for {event}", True,
                                       f"registered (id {hook.id})"))
            continue
        setup = connection.connector.webhook_setup
        detail = (setup(events, url) if setup else
                  f"In {connection.connector.title}, make it POST to {url} when: "
                  f"{', '.join(events)}")
        steps.append(SetupStep(f"{connection.name}: webhook for {', '.join(events)}", False,
                               detail))
    return steps
