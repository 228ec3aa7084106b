"""The integrations page's queries: webhook URLs, pollers, activation (the vendor-side
set-up, with the steps done and those left to a person) and deactivation (the webhooks
taken back from the vendors)."""

from __future__ import annotations

from ..panels.tickets_tab.context import personal_addresses, tab_address
from ..recipes import Integration, SetupStep
from ..recipes.activation import activate_webhooks, polled_only
from .context import AdminContext
from .models import (
    ActivationAnswer,
    IntegrationEntry,
    PollingEntry,
    RequestEntry,
    SetupStepEntry,
    WebhookEntry,
)


class UnknownIntegration(LookupError):
    """No integration of that name is configured."""


def integration_entries(admin: AdminContext) -> list[IntegrationEntry]:
    """One entry per configured integration (a ``tickets_tab`` one with its shared tab
    address and each mapped user's own)."""
    runtime = admin.runtime
    hooks = runtime.hook_urls()
    requests = runtime.request_urls()
    states = admin.store.integration_states.all()
    entries = []
    for name, integration in runtime.integrations.items():
        entries.append(IntegrationEntry(
            name=name, recipe=integration.recipe.name, enabled=integration.config.enabled,
            active=states[name].active if name in states else None,
            max_attempts=integration.max_attempts,
            roles={role: c.name for role, c in integration.connections.items()},
            webhooks=[WebhookEntry(role=h.role, connection=h.connection, trigger=h.trigger,
                                   events=list(h.events), url=h.url)
                      for h in hooks if h.integration == name],
            requests=[RequestEntry(role=r.role, connection=r.connection, url=r.url)
                      for r in requests if r.integration == name],
            polling=[PollingEntry(role=role, connection=integration.connections[role].name,
                                  trigger=t.name, events=list(t.events),
                                  interval_seconds=t.interval_seconds)
                     for role in integration.trigger_roles()
                     for t in integration.polling_triggers(role)],
            **_tab_addresses(integration)))
    return entries


def _tab_addresses(integration: Integration) -> dict[str, object]:
    if integration.recipe.name != "tickets_tab":
        return {}
    return {"tab": tab_address(integration), "user_tabs": personal_addresses(integration)}


async def activate(admin: AdminContext, name: str) -> ActivationAnswer:
    """Do the integration's vendor-side set-up (as ``pontes activate``) and say what is
    done and what is left to a person."""
    integration, urls = _with_urls(admin, name)
    if integration.recipe.activate is not None:
        steps = await integration.recipe.activate(integration, urls)
    else:
        steps = await activate_webhooks(integration, urls)
    await admin.store.run(admin.store.integration_states.set_active, name, True)
    return _answer(name, steps)


async def deactivate(admin: AdminContext, name: str) -> ActivationAnswer:
    """Take the integration's webhooks back from its vendors: removed through the API
    where the vendor allows it, else a step saying what to remove by hand. Events already
    stored still run; the vendors stop sending new ones."""
    integration, urls = _with_urls(admin, name)
    steps = await remove_webhooks(integration, urls)
    await admin.store.run(admin.store.integration_states.set_active, name, False)
    return _answer(name, steps)


async def remove_webhooks(integration: Integration,
                          hook_urls: dict[str, str]) -> list[SetupStep]:
    """Remove every webhook registered at ``hook_urls`` (per trigger role), or say how to.

    A vendor webhook that serves several events (Ploomes' Contacts webhook sends both
    ``contact.changed`` and ``company.changed``) is listed once per event and removed once.
    """
    steps = []
    for role in integration.trigger_roles():
        connection = integration.connections[role]
        url = hook_urls.get(role)
        if url is None:
            steps.append(polled_only(connection))
            continue
        if connection.has("webhook.list") and connection.has("webhook.remove"):
            mine = [w for w in await connection.call("webhook.list") if w.url == url]
            removed: set[str] = set()
            for hook in mine:
                if hook.id in removed:
                    continue
                removed.add(hook.id)
                await connection.call("webhook.remove", id=hook.id)
                steps.append(SetupStep(f"{connection.name}: webhook for {hook.event}", True,
                                       f"removed (id {hook.id})"))
            if not mine:
                steps.append(SetupStep(f"{connection.name}: webhooks", True,
                                       "none registered at this integration's URL"))
            continue
        steps.append(SetupStep(f"{connection.name}: webhook", False,
                               f"In {connection.connector.title}, remove the webhook that "
                               f"posts to {url}"))
    return steps


def _with_urls(admin: AdminContext, name: str) -> tuple[Integration, dict[str, str]]:
    integration = admin.runtime.integrations.get(name)
    if integration is None:
        raise UnknownIntegration(name)
    return integration, {h.role: h.url for h in admin.runtime.hook_urls()
                         if h.integration == name}


def _answer(name: str, steps: list[SetupStep]) -> ActivationAnswer:
    return ActivationAnswer(integration=name, steps=[
        SetupStepEntry(title=s.title, done=s.done, detail=s.detail or None) for s in steps])
