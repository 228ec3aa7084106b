"""Turning off webhooks whose deliveries keep failing.

Ploomes webhooks carry an ``Active`` flag, and integrators report that Ploomes stops
calling a webhook after repeated failures, counting a receiver slower than about 10
seconds as failing. How many failures it takes is not known, so the sandbox does it only
when told how many (``/_sandbox/ploomes/config`` ``{"deactivate_after_failures": n}``):
after ``n`` failed deliveries in a row (no answer within the sender's 10 seconds, or an
answer other than 2xx) the webhook's ``Active`` becomes false. A delivery that succeeds
starts the count again, and so does turning a webhook off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .state import Store


class Deactivation:
    """Counts each webhook's failed deliveries in a row and turns off the webhook at
    ``after`` (``None``: never)."""

    def __init__(self, store: Store):
        self.store = store
        self.after: int | None = None
        self.failures: dict[int, int] = {}

    def reset(self) -> None:
        """Back to never turning webhooks off, with no failure counted."""
        self.after = None
        self.failures.clear()

    def watch(self, webhook_id: int) -> Callable[[Any], None]:
        """The ``on_done`` of a delivery for webhook ``webhook_id`` (it is given the
        sender's delivery record, which says whether it ``succeeded``)."""
        return lambda delivery: self.record(webhook_id, delivery.succeeded)

    def record(self, webhook_id: int, succeeded: bool) -> None:
        """Count one delivery for ``webhook_id``; turn the webhook off at the limit."""
        if succeeded:
            self.failures.pop(webhook_id, None)
            return
        count = self.failures.get(webhook_id, 0) + 1
        self.failures[webhook_id] = count
        webhook = self.store.get("Webhooks", webhook_id)
        if self.after is not None and count >= self.after and webhook is not None:
            self.store.put("Webhooks", {**webhook, "Active": False})
            self.failures.pop(webhook_id, None)
