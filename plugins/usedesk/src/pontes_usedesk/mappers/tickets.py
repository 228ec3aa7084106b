"""Usedesk tickets <-> canonical tickets.

Usedesk writes a ticket in three shapes, all read here:

- ``/ticket``: ``{ticket: {id, subject, status_id, priority, type, client_id,
  client_name, email, assignee_id, group, channel_id, published_at, last_updated_at,
  additional_id, ...}, tags: [names], comments: [...], custom_fields: [...], changes}``;
- a ``/tickets`` item: the ticket's fields with ``status`` for ``status_id``, ``tags`` as
  ``[{name}]``, ``created_at`` and ``ticket_fields``;
- a webhook's ``ticket``: the fields as strings, the first ``message`` and the client.

``company_id`` in all three is the Usedesk account, not the client's company, so it is
not read as one. The ticket's custom fields go to ``custom`` keyed by field id.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Contact, Ticket, TicketStatus, UserRef, html_to_text

from ..statuses import FROM_CANONICAL, canonical_status
from ..values import id_text, moment, text, whole_number
from .clients import DEFAULT_REGION, client_emails, client_phones
from .comments import comment_message


def ticket_to_canonical(raw: dict[str, Any], connection_name: str, *,
                        region: str = DEFAULT_REGION) -> Ticket:
    """The canonical ticket of any of Usedesk's ticket shapes, kept whole in
    ``remote_data``."""
    fields = raw["ticket"] if isinstance(raw.get("ticket"), dict) else raw
    ticket_id = id_text(fields.get("id"))
    status_id = fields.get("status_id", fields.get("status"))
    comments = [c for c in raw.get("comments") or [] if isinstance(c, dict)]
    messages = [comment_message(c) for c in comments]
    first = next((c for c in comments if str(c.get("is_first", "")) in ("1", "True", "true")),
                 comments[0] if comments else None)
    description = (first or {}).get("message") or fields.get("message") or None
    status = canonical_status(status_id)
    return Ticket(
        refs={connection_name: ticket_id} if ticket_id else {},
        number=ticket_id,
        subject=text(fields.get("subject")),
        description=html_to_text(description) if isinstance(description, str) else None,
        vendor_status=id_text(status_id),
        status=status,
        priority=text(fields.get("priority")),
        category=text(fields.get("type")),
        owner=_agent(fields.get("assignee_id")),
        team=id_text(fields.get("group", fields.get("group_id"))),
        requester=_requester(fields, raw.get("client"), connection_name, region),
        created_at=moment(fields.get("published_at") or fields.get("created_at")),
        updated_at=moment(fields.get("last_updated_at")),
        resolved_at=(moment(fields.get("last_updated_at"))
                     if status == TicketStatus.solved else None),
        closed_at=moment(fields.get("last_updated_at")) if status == TicketStatus.closed else None,
        tags=_tags(raw.get("tags", fields.get("tags", fields.get("tag")))),
        messages=messages,
        custom=_custom(raw.get("custom_fields") or fields.get("ticket_fields")
                       or fields.get("custom_fields")),
        remote_data=raw,
        remote_updated_at=moment(fields.get("last_updated_at")),
    )


def ticket_from_canonical(record: Ticket, connection_name: str) -> dict[str, Any]:
    """The parameters of ``/create/ticket`` for a canonical ticket: subject, first message
    (HTML), status, priority, type, tags, owner, team and requester (id, or name, e-mail
    and phone). Fields the ticket leaves empty are left out."""
    first = record.messages[0] if record.messages else None
    message = (first.html or first.text) if first else None
    requester = record.requester
    params: dict[str, Any] = {
        "subject": record.subject,
        "message": message or record.description,
        "status": FROM_CANONICAL[record.status],
        "priority": record.priority,
        "type": record.category,
        "tag": ", ".join(record.tags) if record.tags else None,
        "assignee_id": record.owner.remote_id if record.owner else None,
        "group_id": record.team,
    }
    if requester is not None:
        params["client_id"] = requester.ref(connection_name)
        params["client_name"] = requester.display_name()
        params["client_email"] = requester.email
        params["client_phone"] = requester.phones[0] if requester.phones else None
        if requester.company is not None:
            params["company_name"] = requester.company.name
    return {key: value for key, value in params.items() if value not in (None, "")}


def _requester(fields: dict[str, Any], client: Any, connection_name: str,
               region: str) -> Contact | None:
    """The ticket's client: from the webhook's ``client`` when there is one, from the
    ticket's own ``client_id``, ``client_name``, ``email`` (and the create parameters
    ``client_email``, ``client_phone``) otherwise."""
    source = client if isinstance(client, dict) else {}
    client_id = id_text(source.get("id") or fields.get("client_id"))
    emails = client_emails(source) or [e for e in (text(fields.get("email")),
                                                   text(fields.get("client_email"))) if e]
    phones = client_phones(source, region) or client_phones(
        {"phone": fields.get("client_phone")}, region)
    name = text(source.get("name")) or text(fields.get("client_name"))
    if not (client_id or emails or phones or name):
        return None
    return Contact(refs={connection_name: client_id} if client_id else {}, name=name,
                   emails=emails, phones=phones)


def _agent(value: Any) -> UserRef | None:
    agent_id = id_text(value)
    return UserRef(remote_id=agent_id) if agent_id else None


def _tags(value: Any) -> list[str]:
    """Tags from ``["vip"]``, ``[{"name": "vip"}]`` or ``"vip, late"``."""
    if isinstance(value, str):
        value = value.split(",")
    found = []
    for item in value if isinstance(value, list) else []:
        name = text(item.get("name")) if isinstance(item, dict) else text(item)
        if name:
            found.append(name)
    return list(dict.fromkeys(found))


def _custom(value: Any) -> dict[str, Any]:
    """Custom fields by id: ``[{id, value}]`` (webhooks, lists) or ``[{ticket_field_id,
    value}]`` (``/ticket``)."""
    found: dict[str, Any] = {}
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        field_id = whole_number(item.get("ticket_field_id", item.get("id")))
        if field_id is not None:
            found[str(field_id)] = item.get("value")
    return found
