"""Catching up after a pause: ``pontes activate`` on an integration that was deactivated
queues one event per linked record on each side, so edits made while it was off are
compared and copied like any other change (the agreed values tell which side changed).

The two events of one linked pair share their entity key (``pair_key``), so the engine
runs them one after the other. Run at the same time, each would read its own record
before the other had written into it, and the later one would copy that stale value
back over the edit the earlier one had just brought across.
"""

from __future__ import annotations

from ...models import Event, new_id
from ..base import Integration

CATCH_UP = "catch-up"
"""The trigger name of catch-up events: their record is read with ``<entity>.get``."""

KINDS = ("contact", "company")


def pair_key(kind: str, refs: dict[str, str]) -> str:
    """The entity key of a linked pair's catch-up events: its kind and every side's
    ``connection:remote id``, connections in name order (``contact:bigin:9+desk:7``)."""
    return f"{kind}:" + "+".join(f"{name}:{refs[name]}" for name in sorted(refs))


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
        entity_key = pair_key(kind, {name: refs[name] for name in sides.values()})
        for role, name in sides.items():
            remote_id = refs[name]
            events.append((role, Event(
                type=f"{kind}.changed", connection=name, trigger=CATCH_UP,
                idempotency_key=f"{CATCH_UP}:{round_id}:{name}:{kind}:{remote_id}",
                entity_key=entity_key, record_id=remote_id)))
    return events
