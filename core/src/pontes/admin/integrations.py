"""The integrations page's queries: webhook and panel URLs, pollers, and activation (the
vendor-side set-up, with the steps done and those left to a person)."""

from __future__ import annotations

from ..recipes.activation import activate_webhooks
from .context import AdminContext
from .models import ActivationAnswer, IntegrationEntry, PollingEntry, SetupStepEntry, WebhookEntry


class UnknownIntegration(LookupError):
    """No integration of that name is configured."""


def integration_entries(admin: AdminContext) -> list[IntegrationEntry]:
    """One entry per configured integration."""
    runtime = admin.runtime
    hooks = runtime.hook_urls()
    entries = []
    for name, integration in runtime.integrations.items():
        entries.append(IntegrationEntry(
            name=name, recipe=integration.recipe.name, enabled=integration.config.enabled,
            max_attempts=integration.max_attempts,
            roles={role: c.name for role, c in integration.connections.items()},
            webhooks=[WebhookEntry(role=h.role, connection=h.connection, trigger=h.trigger,
                                   events=list(h.events), url=h.url)
                      for h in hooks if h.integration == name],
            polling=[PollingEntry(role=role, connection=integration.connections[role].name,
                                  trigger=t.name, events=list(t.events),
                                  interval_seconds=t.interval_seconds)
                     for role in integration.trigger_roles()
                     for t in integration.polling_triggers(role)]))
    return entries


async def activate(admin: AdminContext, name: str) -> ActivationAnswer:
    """Do the integration's vendor-side set-up (as ``pontes activate``) and say what is
    done and what is left to a person."""
    integration = admin.runtime.integrations.get(name)
    if integration is None:
        raise UnknownIntegration(name)
    urls = {h.role: h.url for h in admin.runtime.hook_urls() if h.integration == name}
    if integration.recipe.activate is not None:
        steps = await integration.recipe.activate(integration, urls)
    else:
        steps = await activate_webhooks(integration, urls)
    return ActivationAnswer(integration=name, steps=[
        SetupStepEntry(title=s.title, done=s.done, detail=s.detail or None) for s in steps])
