"""Zoho Desk's webhooks in the sandbox: subscriptions and their deliveries.

A subscription (``POST /api/v1/webhooks``) is ``{"url", "name", "subscriptions":
{"<EventType>": <filter or null>}, "isEnabled"}``. Filters: ``departmentIds`` (ticket
events), ``includePrevState`` (update events), ``fields`` (``Ticket_Update``, at most
five: only changes of those fields are sent), ``direction`` (``Ticket_Thread_Add``:
``in`` or ``out``) and ``includeEventsFrom: ["AUTOMATION"]`` (changes made by SLA rules
are sent only with it). A filter an event does not take is ``INVALID_DATA``, and so is
``ignoreSourceId``, which the live API refuses. At most 20 webhooks a portal, and as many
enabled as the edition allows.

A delivery is a POST whose body is a JSON array of one
``{"eventType", "orgId", "eventTime", "payload", "prevState"?}``, signed in its
``X-ZDesk-JWT`` header (see ``signing``); a receiver answering 410 deletes the
subscription.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pontes.plugin import WebhookSender

from .records import DeskError, invalid
from .signing import JWT_HEADER, DeliverySigner
from .state import ORG_ID, DeskState

TICKET_EVENTS = ("Ticket_Add", "Ticket_Update", "Ticket_Delete", "Ticket_Thread_Add",
                 "Ticket_Comment_Add", "Ticket_Comment_Update", "Ticket_Approval_Add",
                 "Ticket_Approval_Update", "Ticket_Attachment_Add", "Ticket_Attachment_Update",
                 "Ticket_Attachment_Delete")
OTHER_EVENTS = ("Contact_Add", "Contact_Update", "Contact_Delete", "Account_Add",
                "Account_Update", "Account_Delete", "Department_Add", "Department_Update",
                "Agent_Add", "Agent_Update", "Agent_Delete", "Task_Add", "Task_Update")
EVENT_TYPES = TICKET_EVENTS + OTHER_EVENTS
UPDATE_EVENTS = {"Ticket_Update", "Contact_Update", "Account_Update", "Agent_Update",
                 "Task_Update", "Department_Update", "Ticket_Comment_Update"}
DEPARTMENT_EVENTS = {"Ticket_Add", "Ticket_Update", "Ticket_Comment_Add",
                     "Ticket_Comment_Update", "Ticket_Thread_Add", "Task_Add", "Task_Update"}
MOST_WEBHOOKS = 20
ENABLED_BY_EDITION = {"free": 0, "standard": 0, "professional": 5, "enterprise": 10}
WEBHOOK_FIELDS = {"url", "name", "description", "subscriptions", "isEnabled",
                  "ignoreSourceId", "type"}


def _allowed_filters(event: str) -> set[str]:
    allowed = {"includeEventsFrom"} if event in TICKET_EVENTS else set()
    if event in DEPARTMENT_EVENTS:
        allowed.add("departmentIds")
    if event in UPDATE_EVENTS:
        allowed.add("includePrevState")
    if event == "Ticket_Update":
        allowed.add("fields")
    if event == "Ticket_Thread_Add":
        allowed.add("direction")
    return allowed


def _check_filter(event: str, spec: Any) -> None:
    if spec is None:
        return
    if not isinstance(spec, dict):
        raise invalid(f"subscriptions/{event}", "a filter object or null")
    for key, value in spec.items():
        if key not in _allowed_filters(event):
            raise invalid(f"subscriptions/{event}/{key}", f"{event} does not take {key}")
        if key == "fields" and (not isinstance(value, list) or not 1 <= len(value) <= 5):
            raise invalid(f"subscriptions/{event}/fields", "a list of one to five fields")
        if key == "direction" and value not in ("in", "out"):
            raise invalid(f"subscriptions/{event}/direction", "in or out")
        if key == "departmentIds" and not isinstance(value, list):
            raise invalid(f"subscriptions/{event}/departmentIds", "a list of department ids")
        if key == "includeEventsFrom" and value != ["AUTOMATION"]:
            raise invalid(f"subscriptions/{event}/includeEventsFrom", '["AUTOMATION"]')


def create_webhook(state: DeskState, body: Mapping[str, Any], edition: str) -> dict[str, Any]:
    """A new subscription from ``body``, within the portal's limits."""
    for key in body:
        if key not in WEBHOOK_FIELDS:
            raise invalid(key, "unknown field")
    if "ignoreSourceId" in body:
        raise invalid("ignoreSourceId", "ignoreSourceId is not accepted")
    url = body.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid("url", "an http or https URL")
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise invalid("name", "name is mandatory")
    subscriptions = body.get("subscriptions")
    if not isinstance(subscriptions, dict) or not subscriptions:
        raise invalid("subscriptions", "at least one event type")
    for event, spec in subscriptions.items():
        if event not in EVENT_TYPES:
            raise invalid(f"subscriptions/{event}", "not an event type")
        _check_filter(event, spec)
    enabled = body.get("isEnabled", True)
    if len(state.webhooks) >= MOST_WEBHOOKS:
        raise DeskError(422, "LIMIT_EXCEEDED", f"at most {MOST_WEBHOOKS} webhooks a portal")
    allowed = ENABLED_BY_EDITION.get(edition, 10)
    if enabled and sum(1 for w in state.webhooks.values() if w["isEnabled"]) >= allowed:
        raise DeskError(422, "LIMIT_EXCEEDED",
                        f"the {edition} edition allows {allowed} enabled webhooks")
    webhook = {"id": state.new_id(), "url": url, "name": body["name"],
               "description": body.get("description"), "subscriptions": dict(subscriptions),
               "isEnabled": bool(enabled), "createdTime": state.stamp(), "type": "RESTAPI"}
    state.webhooks[webhook["id"]] = webhook
    return webhook


def _wants(webhook: dict[str, Any], event: str, payload: Mapping[str, Any],
           changed: set[str], automation: bool) -> dict[str, Any] | None:
    """The filter of ``webhook`` for ``event`` when it is to be sent, else ``None``."""
    if not webhook["isEnabled"] or event not in webhook["subscriptions"]:
        return None
    spec = webhook["subscriptions"][event] or {}
    if automation and spec.get("includeEventsFrom") != ["AUTOMATION"]:
        return None
    departments = spec.get("departmentIds")
    if departments and payload.get("departmentId") not in departments:
        return None
    if spec.get("direction") and payload.get("direction") != spec["direction"]:
        return None
    if spec.get("fields") and not changed & set(spec["fields"]):
        return None
    return spec


class DeskWebhooks:
    """Sends each change to the subscriptions that want it (``fire``), signed by
    ``signer``."""

    def __init__(self, state: DeskState, sender: WebhookSender, signer: DeliverySigner):
        self.state = state
        self.sender = sender
        self.signer = signer

    def fire(self, event: str, payload: Mapping[str, Any],
             previous: Mapping[str, Any] | None = None, *, automation: bool = False) -> None:
        """Deliver ``event`` about ``payload`` (``previous``: the record before an update)
        to every enabled subscription whose filter it passes."""
        changed = {key for key in payload
                   if previous is not None and previous.get(key) != payload.get(key)}
        if previous is not None and event in UPDATE_EVENTS and not changed:
            return
        for webhook in list(self.state.webhooks.values()):
            spec = _wants(webhook, event, payload, changed, automation)
            if spec is None:
                continue
            item: dict[str, Any] = {"eventType": event, "orgId": ORG_ID,
                                    "eventTime": str(int(self.state.now() * 1000)),
                                    "payload": dict(payload)}
            if spec.get("includePrevState") and previous is not None:
                item["prevState"] = dict(previous)
            self.sender.send(webhook["url"], [item],
                             headers={JWT_HEADER: self.signer.token(webhook["id"])},
                             on_done=lambda delivery, wid=webhook["id"]: self._answered(
                                 wid, delivery.status))

    def _answered(self, webhook_id: str, status: int | None) -> None:
        if status == 410:
            self.state.webhooks.pop(webhook_id, None)
