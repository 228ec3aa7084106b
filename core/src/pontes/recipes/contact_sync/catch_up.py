"""Catching up after a pause: ``pontes activate`` on an integration that was deactivated
queues one event per linked record on each side, so edits made while it was off are
compared and copied like any other change (the agreed values tell which side changed)."""

from __future__ import annotations

from ...models import Event, new_id
from ..base import Integration

CATCH_UP = "catch-up"
"""The trigger name of catch-up events: their record is read with ``<entity>.get``."""

KINDS = ("contact", "company")


def catch_up(integration: Integration,
             groups: list[tuple[str, dict[str, str]]]) -> list[tuple[str, Event]]:
    """``(role, event)`` for each side of every linked person or company in ``groups``
    (``(kind, {connection: remote id})``) that both of the integration's connections share."""
    round_id = new_id()
    events = []
    for kind, refs in groups:
        if kind not in KINDS:
            continue
        sides = {role: c.name for role, c in integration.connections.items()}
        if not all(name in refs for name in sides.values()):
            continue
        for role, name in sides.items():
            remote_id = refs[name]
            events.append((role, Event(
                type=f"{kind}.changed", connection=name, trigger=CATCH_UP,
                idempotency_key=f"{CATCH_UP}:{round_id}:{name}:{kind}:{remote_id}",
                entity_key=f"{kind}:{name}:{remote_id}", record_id=remote_id)))
    return events
