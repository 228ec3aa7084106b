"""Rules ("Triggers" in Usedesk's settings) whose action is a "POST request": when a ticket
is created, or changes (to a status, when the rule names one), Usedesk posts the rule's
JSON to its URL with the ticket's placeholders filled in.

Seed 003 shows the action as ``{"url": ..., "data": {...}, "headers": []}`` with
``{{ticket_id}}`` in ``data``; that is the one placeholder the sandbox fills. The shape of
a header entry is not shown; the sandbox takes ``{"name": ..., "value": ...}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pontes.plugin import WebhookSender

RULE_EVENTS = ("ticket_created", "ticket_changed")
"""When a rule runs: a ticket was created, or a ticket changed."""

PLACEHOLDERS = {"{{ticket_id}}": "id"}
"""The placeholders filled in a rule's data, and the ticket field each stands for."""


@dataclass
class Rule:
    """A rule with a "POST request" action: ``on`` one of ``RULE_EVENTS``; ``status_id``,
    when set, makes a change rule run only when the change sets that status."""

    name: str
    on: str
    url: str
    data: Any
    headers: dict[str, str] = field(default_factory=dict)
    status_id: int | None = None

    def applies(self, event: str, ticket: dict[str, Any], change: dict[str, Any] | None) -> bool:
        """Whether this rule runs for ``event`` on ``ticket``."""
        if event != self.on:
            return False
        if self.status_id is None:
            return True
        changed = change is not None and change.get("old_status") != change.get("new_status")
        return changed and ticket.get("status_id") == self.status_id

    def request(self, ticket: dict[str, Any]) -> Any:
        """The rule's data with the ticket's placeholders filled in."""
        text = json.dumps(self.data, ensure_ascii=False)
        for placeholder, key in PLACEHOLDERS.items():
            text = text.replace(placeholder, str(ticket[key]))
        return json.loads(text)


def run_rules(rules: list[Rule], webhooks: WebhookSender, event: str, ticket: dict[str, Any],
              change: dict[str, Any] | None = None) -> None:
    """Post the request of every rule that runs for ``event`` on ``ticket``."""
    for rule in rules:
        if rule.applies(event, ticket, change):
            webhooks.send(rule.url, rule.request(ticket), headers=rule.headers)
