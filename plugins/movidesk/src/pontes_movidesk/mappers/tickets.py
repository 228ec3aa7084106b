"""Movidesk tickets <-> canonical Ticket.

``baseStatus`` (Movidesk's fixed life cycle) gives the canonical status; ``status`` (the
account's own status name, such as "Resolvido") is kept in ``vendor_status``. The first
client is the requester; actions become messages; dates arrive as UTC without an offset.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Direction, Message, Ticket, TicketStatus, UserRef

from ..custom_fields import custom_of, rule_ids, values_of
from ..dates import parse_datetime
from .people import COMPANY, DEPARTMENT, embedded_company, embedded_contact

BASE_STATUS = {
    "New": TicketStatus.new,
    "InAttendance": TicketStatus.open,
    "InAttention": TicketStatus.open,
    "Stopped": TicketStatus.on_hold,
    "Resolved": TicketStatus.solved,
    "Closed": TicketStatus.closed,
    "Canceled": TicketStatus.canceled,
}
"""Movidesk ``baseStatus`` -> canonical status (``InAttention`` is a translated spelling)."""

BASE_STATUS_OF = {
    TicketStatus.new: "New",
    TicketStatus.open: "InAttendance",
    TicketStatus.pending: "Stopped",
    TicketStatus.on_hold: "Stopped",
    TicketStatus.solved: "Resolved",
    TicketStatus.closed: "Closed",
    TicketStatus.canceled: "Canceled",
}

INTERNAL = 1
PUBLIC = 2

AGENT_PROFILES = {1, 3}
CLIENT_PROFILE = 2
INBOUND_ORIGINS = {1, 3, 5, 8, 13, 18, 20, 22, 23}
"""Action origins written by the client: web portal, e-mail, chat, form, calls, messaging."""

READ_ONLY = ("id", "baseStatus")
"""Keys of ``ticket_from_canonical``'s output that Movidesk does not take on write."""


def canonical_status(base_status: Any) -> TicketStatus:
    """The canonical status of a Movidesk ``baseStatus`` (``ValueError`` if unknown)."""
    if base_status in (None, ""):
        return TicketStatus.new
    try:
        return BASE_STATUS[base_status]
    except KeyError:
        raise ValueError(
            f"baseStatus: unknown Movidesk base status {base_status!r}; "
            f"expected one of {', '.join(BASE_STATUS)}"
        ) from None


def ticket_to_canonical(raw: dict[str, Any], connection_name: str) -> Ticket:
    """A canonical Ticket from a Movidesk ticket (``raw`` is kept untouched)."""
    requester = None
    company = None
    clients = [c for c in raw.get("clients") or [] if not c.get("isDeleted")]
    if clients:
        first = clients[0]
        if first.get("personType") in (COMPANY, DEPARTMENT):
            company = embedded_company(first, connection_name)
        else:
            requester = embedded_contact(first, connection_name)
            company = requester.company
    messages = [message_of(a) for a in raw.get("actions") or [] if not a.get("isDeleted")]
    ticket_id = raw.get("id")
    return Ticket(
        refs={connection_name: str(ticket_id)} if ticket_id is not None else {},
        remote_data=raw,
        remote_updated_at=parse_datetime(raw.get("lastUpdate"), "lastUpdate"),
        custom=custom_of(raw.get("customFieldValues")),
        number=str(ticket_id) if ticket_id is not None else None,
        subject=raw.get("subject"),
        description=messages[0].text if messages else None,
        vendor_status=raw.get("status"),
        status=canonical_status(raw.get("baseStatus")),
        urgency=raw.get("urgency"),
        category=raw.get("category"),
        owner=user_of(raw.get("owner")),
        team=raw.get("ownerTeam"),
        requester=requester,
        company=company,
        created_at=parse_datetime(raw.get("createdDate"), "createdDate"),
        updated_at=parse_datetime(raw.get("lastUpdate"), "lastUpdate"),
        resolved_at=parse_datetime(raw.get("resolvedIn"), "resolvedIn"),
        closed_at=parse_datetime(raw.get("closedIn"), "closedIn"),
        tags=list(raw.get("tags") or []),
        messages=messages,
    )


def user_of(person: dict[str, Any] | None) -> UserRef | None:
    """The agent of an embedded person (``owner``, ``createdBy``)."""
    if not person or not person.get("id"):
        return None
    return UserRef(remote_id=str(person["id"]), name=person.get("businessName"),
                   email=person.get("email") or None)


def message_of(action: dict[str, Any]) -> Message:
    """A canonical message from a ticket action."""
    author = action.get("createdBy") or {}
    return Message(
        remote_id=str(action["id"]) if action.get("id") is not None else None,
        author=author.get("businessName") or author.get("id"),
        direction=_direction(action, author),
        public=action.get("type") != INTERNAL,
        text=action.get("description"),
        html=action.get("htmlDescription"),
        sent_at=parse_datetime(action.get("createdDate"), "actions.createdDate"),
    )


def _direction(action: dict[str, Any], author: dict[str, Any]) -> Direction | None:
    if action.get("type") == INTERNAL:
        return Direction.internal
    profile = author.get("profileType")
    if profile == CLIENT_PROFILE:
        return Direction.inbound
    if profile in AGENT_PROFILES:
        return Direction.outbound
    if action.get("origin") in INBOUND_ORIGINS:
        return Direction.inbound
    if action.get("origin") is not None:
        return Direction.outbound
    return None


def ticket_from_canonical(record: Ticket, connection_name: str,
                          default_rule: int | None = None) -> dict[str, Any]:
    """A Movidesk ticket body for ``record`` (writable fields, plus ``id``/``baseStatus``).

    The read-only keys in ``READ_ONLY`` are there so the body reads back as the same
    ticket; actions drop them before writing.
    """
    payload: dict[str, Any] = {}
    ref = record.ref(connection_name)
    if ref is not None and ref.isdigit():
        payload["id"] = int(ref)
    payload["baseStatus"] = BASE_STATUS_OF[record.status]
    for key, value in (("subject", record.subject), ("category", record.category),
                       ("urgency", record.urgency), ("status", record.vendor_status),
                       ("ownerTeam", record.team)):
        if value is not None:
            payload[key] = value
    if record.owner and record.owner.remote_id:
        payload["owner"] = {"id": record.owner.remote_id}
    if record.created_at:
        payload["createdDate"] = record.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")
    client = client_ref(record, connection_name)
    if client:
        payload["clients"] = [{"id": client}]
    payload["tags"] = list(record.tags)
    payload["actions"] = [action_of(m) for m in record.messages]
    if not payload["actions"] and record.description:
        payload["actions"] = [{"type": PUBLIC, "description": record.description}]
    if record.custom:
        previous = (record.remote_data or {}).get("customFieldValues")
        payload["customFieldValues"] = values_of(record.custom, rule_ids(previous), default_rule)
    return payload


def client_ref(ticket: Ticket, connection_name: str) -> str | None:
    """The Movidesk person id of the ticket's client: the requester, else the company."""
    for record in (ticket.requester, ticket.company):
        if record is not None and record.ref(connection_name):
            return record.ref(connection_name)
    return None


def action_of(message: Message) -> dict[str, Any]:
    """A ticket action for a canonical message (existing ones keep their id)."""
    action: dict[str, Any] = {}
    if message.remote_id and message.remote_id.isdigit():
        action["id"] = int(message.remote_id)
    action["type"] = PUBLIC if message.public else INTERNAL
    action["description"] = message.html or message.text or ""
    return action
