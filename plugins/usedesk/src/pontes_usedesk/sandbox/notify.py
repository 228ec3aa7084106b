"""The webhooks the sandbox's API channel posts to its "Redirect URL", as Usedesk does,
and the requests of the rules (``rules``) a ticket's creation or change runs.

Each body carries ``secret`` (the channel's token) and one of ``ticket``, ``comment``,
``trigger`` or ``csi``. The ticket webhook writes every number as a string; the other
kinds keep numbers. ``custom_fields`` is sent only when the account has additional
fields. With "JSON request" ticked the body is JSON; otherwise a form with bracket keys.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import WebhookSender, flatten_form

from .rules import run_rules
from .state import UsedeskState
from .views import as_strings, custom_fields, webhook_client


class Notifier:
    """Posts the API channel's webhooks, and the rules' requests, for changes in
    ``state``."""

    def __init__(self, state: UsedeskState, webhooks: WebhookSender, token: str):
        self.state = state
        self.webhooks = webhooks
        self.token = token

    def ticket_created(self, ticket: dict[str, Any], message: str) -> None:
        """A new ticket, with its first message."""
        fields = {**ticket, "message": message, "files": [],
                  "custom_blocks": self._custom_blocks()}
        fields.update(self._custom_fields(ticket))
        self._send("ticket", as_strings({"ticket": fields, "client": self._client(ticket)}))
        run_rules(list(self.state.rules.values()), self.webhooks, "ticket_created", ticket)

    def comment_added(self, ticket: dict[str, Any], comment: dict[str, Any]) -> None:
        """A new comment (a client's message, an agent's reply, a note)."""
        shown = {key: value for key, value in comment.items()
                 if key not in ("client_name", "bcc", "cc", "file")}
        self._send("comment", {"comment": shown, **self._custom_fields(ticket),
                               "client": self._client(ticket),
                               "assignee_id": ticket["assignee_id"]})

    def ticket_changed(self, ticket: dict[str, Any], change: dict[str, Any]) -> None:
        """A change of a ticket's fields or status."""
        self._send("trigger", {"trigger": change, **self._custom_fields(ticket),
                               "custom_blocks": self._custom_blocks(),
                               "client": self._client(ticket),
                               "assignee_id": ticket["assignee_id"]})
        run_rules(list(self.state.rules.values()), self.webhooks, "ticket_changed", ticket,
                  change)

    def rated(self, csi: dict[str, Any]) -> None:
        """The client's rating of a ticket."""
        self._send("csi", {"csi": csi})

    def _client(self, ticket: dict[str, Any]) -> dict[str, Any] | None:
        return webhook_client(self.state.clients.get(ticket["client_id"]))

    def _custom_fields(self, ticket: dict[str, Any]) -> dict[str, Any]:
        if not self.state.ticket_fields:
            return {}
        return {"custom_fields": custom_fields(self.state, ticket["id"])}

    def _custom_blocks(self) -> list[dict[str, Any]]:
        return [{"name": b.name, "url": b.url, "secret_key": b.secret_key}
                for b in self.state.blocks.values() if b.enabled]

    def _send(self, kind: str, body: dict[str, Any]) -> None:
        hooks = self.state.hooks
        if hooks.url is None or kind not in hooks.kinds:
            return
        body = {"secret": self.token, **body}
        if hooks.json:
            self.webhooks.send(hooks.url, body)
        else:
            self.webhooks.send(hooks.url, dict(flatten_form(body)), form=True)
