"""The shapes in which the Usedesk sandbox shows its records: ``/ticket``'s answer,
``/tickets`` items, ``/clients`` items, and the client and ticket of webhook bodies."""

from __future__ import annotations

import copy
from typing import Any

from pontes.plugin import html_to_text

from .state import UsedeskState


def ticket_answer(state: UsedeskState, ticket: dict[str, Any]) -> dict[str, Any]:
    """``/ticket``: ``{ticket, tags, changes, custom_fields, comments}``."""
    ticket_id = ticket["id"]
    return {
        "ticket": copy.deepcopy(ticket),
        "tags": list(state.tags[ticket_id]),
        "changes": copy.deepcopy(state.changes[ticket_id]),
        "custom_fields": [
            {"id": index, "ticket_id": ticket_id, "ticket_field_id": f["id"],
             "value": state.field_values[(ticket_id, f["id"])], "created_at": None,
             "updated_at": None}
            for index, f in enumerate(state.ticket_fields, 1)
            if (ticket_id, f["id"]) in state.field_values],
        "comments": copy.deepcopy(state.comments[ticket_id]),
    }


def ticket_item(state: UsedeskState, ticket: dict[str, Any]) -> dict[str, Any]:
    """One ``/tickets`` item: the ticket's fields with ``status``, tags as ``[{name}]``,
    its additional fields and the text of its last comment."""
    comments = state.comments[ticket["id"]]
    channel = state.channels.get(ticket["channel_id"], {})
    return {
        "id": ticket["id"], "priority": ticket["priority"], "subject": ticket["subject"],
        "client_id": ticket["client_id"], "client_name": ticket["client_name"],
        "assignee_id": ticket["assignee_id"], "channel_id": ticket["channel_id"],
        "group": ticket["group"], "last_updated_at": ticket["last_updated_at"],
        "type": ticket["type"], "created_at": ticket["published_at"],
        "channel_email": (channel.get("channel_name")
                          if channel.get("channel_type") == "email" else None),
        "ticket_fields": custom_fields(state, ticket["id"]),
        "tags": [{"name": tag} for tag in state.tags[ticket["id"]]],
        "status": ticket["status_id"],
        "last_comment": html_to_text(comments[-1]["message"]) if comments else "",
        "remind_at": None,
    }


def custom_fields(state: UsedeskState, ticket_id: int) -> list[dict[str, Any]]:
    """The account's additional fields with this ticket's values: ``[{id, name, value}]``."""
    return [{"id": f["id"], "name": f["name"],
             "value": state.field_values.get((ticket_id, f["id"]))}
            for f in state.ticket_fields]


def client_item(client: dict[str, Any]) -> dict[str, Any]:
    """One ``/clients`` item: ``{id, name, tickets, phone, emails}``, the phone and the
    e-mails as text."""
    emails = ", ".join(e["email"] for e in client["emails"])
    return {"id": client["id"], "name": client["name"], "tickets": list(client["tickets"]),
            "phone": client["phones"][0]["phone"] if client["phones"] else None,
            "emails": emails or None}


def webhook_client(client: dict[str, Any] | None) -> dict[str, Any] | None:
    """The client as webhook bodies carry it."""
    if client is None:
        return None
    return {
        "id": client["id"], "name": client["name"], "avatar": client["avatar"],
        "note": client["note"],
        "emails": [{"email": e["email"], "client_id": client["id"]} for e in client["emails"]],
        "phones": [{"phone": p["phone"], "type": p["type"], "client_id": client["id"]}
                   for p in client["phones"]],
        "additional_ids": [],
    }


def as_strings(value: Any) -> Any:
    """``value`` with every number written as a string, as the ticket webhook sends them
    (``"id": "2261907"``); ``None`` stays ``null``."""
    if isinstance(value, dict):
        return {key: as_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_strings(item) for item in value]
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    return value
