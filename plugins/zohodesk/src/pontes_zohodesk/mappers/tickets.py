"""Zoho Desk tickets, threads, comments and happiness ratings <-> canonical records.

A ticket's ``status`` is its display status (``Open``, ``On Hold``, ``Escalated``,
``Closed`` or a department's own), and ``statusType`` the bucket it falls into, which is
what a custom status is read by. Its SLA flags (``isOverDue``, ``isResponseOverdue``,
``isEscalated``), its ``cf_`` custom fields and its agent-UI link (``url``) go to
``custom``. Threads are the conversation (``direction`` ``in``: the client, ``out``: an
agent); comments are agents' notes, public or not, where a mention is written
``zsu[@user:<zuid>]zsu``.
"""

from __future__ import annotations

import re
from typing import Any

from pontes.plugin import (
    Company,
    Contact,
    Direction,
    Message,
    Ticket,
    TicketRating,
    TicketStatus,
    UserRef,
    html_to_text,
    text_to_html,
)

from .people import company_to_canonical, contact_to_canonical, moment, names_of, text

TO_CANONICAL = {"Open": TicketStatus.open, "On Hold": TicketStatus.on_hold,
                "Escalated": TicketStatus.open, "Closed": TicketStatus.closed}
"""Zoho Desk's default statuses and status types, canonically."""
FROM_CANONICAL = {TicketStatus.new: "Open", TicketStatus.open: "Open",
                  TicketStatus.pending: "On Hold", TicketStatus.on_hold: "On Hold",
                  TicketStatus.solved: "Closed", TicketStatus.closed: "Closed",
                  TicketStatus.canceled: "Closed"}
"""The Zoho Desk status each canonical status is written as."""
FLAGS = ("isOverDue", "isResponseOverdue", "isEscalated")
"""The SLA flags a ticket carries, kept in ``custom`` under these names."""
RATINGS = {"GOOD": "good", "OKAY": "okay", "BAD": "bad"}
MENTION = re.compile(r"zsu\[@user:(\d+)\]zsu")


def canonical_status(raw: dict[str, Any]) -> TicketStatus:
    """A ticket's canonical status: its default status, else its status type."""
    return (TO_CANONICAL.get(str(raw.get("status")))
            or TO_CANONICAL.get(str(raw.get("statusType")))
            or TicketStatus.open)


def _requester(raw: dict[str, Any], connection_name: str) -> Contact | None:
    contact = raw.get("contact")
    if isinstance(contact, dict) and text(contact.get("id")):
        return contact_to_canonical(contact, connection_name)
    contact_id = text(raw.get("contactId"))
    emails = [e for e in (text(raw.get("email")),) if e]
    phones = [p for p in (text(raw.get("phone")),) if p]
    if not (contact_id or emails or phones):
        return None
    return Contact(refs={connection_name: contact_id} if contact_id else {}, emails=emails,
                   phones=phones)


def _company(raw: dict[str, Any], requester: Contact | None,
             connection_name: str) -> Company | None:
    if requester is not None and requester.company is not None:
        return requester.company
    account = raw.get("account")
    if isinstance(account, dict) and text(account.get("id")):
        return company_to_canonical(account, connection_name)
    account_id = text(raw.get("accountId"))
    return Company(refs={connection_name: account_id}) if account_id else None


def _owner(raw: dict[str, Any]) -> UserRef | None:
    assignee = raw.get("assignee") if isinstance(raw.get("assignee"), dict) else {}
    assignee_id = text(raw.get("assigneeId")) or text(assignee.get("id"))
    if not assignee_id:
        return None
    name = " ".join(p for p in (text(assignee.get("firstName")),
                                text(assignee.get("lastName"))) if p) or None
    return UserRef(remote_id=assignee_id, name=name, email=text(assignee.get("email")))


def ticket_custom(raw: dict[str, Any]) -> dict[str, Any]:
    """A ticket's ``custom``: its ``cf_`` fields, SLA flags and agent-UI link."""
    custom: dict[str, Any] = dict(raw["cf"]) if isinstance(raw.get("cf"), dict) else {}
    custom.update({flag: bool(raw.get(flag)) for flag in FLAGS if flag in raw})
    if text(raw.get("webUrl")):
        custom["url"] = raw["webUrl"]
    return custom


def ticket_to_canonical(raw: dict[str, Any], connection_name: str,
                        messages: list[Message] | None = None) -> Ticket:
    """The canonical ticket of a Zoho Desk ticket (a detail, a list item or a webhook
    payload), with ``messages`` when they were read, kept whole in ``remote_data``."""
    ticket_id = text(raw.get("id"))
    status = canonical_status(raw)
    requester = _requester(raw, connection_name)
    department = raw.get("department") if isinstance(raw.get("department"), dict) else {}
    description = text(raw.get("description"))
    return Ticket(
        refs={connection_name: ticket_id} if ticket_id else {},
        number=text(raw.get("ticketNumber")),
        subject=text(raw.get("subject")),
        description=html_to_text(description) if description else None,
        vendor_status=text(raw.get("status")),
        status=status,
        priority=text(raw.get("priority")),
        category=text(raw.get("category")),
        owner=_owner(raw),
        team=text(department.get("name")) or text(raw.get("departmentId")),
        requester=requester,
        company=_company(raw, requester, connection_name),
        created_at=moment(raw.get("createdTime")),
        updated_at=moment(raw.get("modifiedTime")),
        closed_at=moment(raw.get("closedTime")) if status == TicketStatus.closed else None,
        messages=messages or [],
        custom=ticket_custom(raw),
        remote_data=raw,
        remote_updated_at=moment(raw.get("modifiedTime")),
    )


def ticket_from_canonical(record: Ticket, connection_name: str) -> dict[str, Any]:
    """The body of ``POST /tickets`` for a canonical ticket (without ``departmentId``,
    which the connection decides): subject, description (HTML), status, priority,
    category, the requester (``contactId``, or a ``contact`` Zoho Desk matches by e-mail or
    creates), the company's ``accountId``, the owner and the ``cf_`` custom fields."""
    first = record.messages[0] if record.messages else None
    description = (first.html or text_to_html(first.text or "")) if first else (
        text_to_html(record.description) if record.description else None)
    requester = record.requester
    body: dict[str, Any] = {
        "subject": record.subject,
        "description": description,
        "status": FROM_CANONICAL[record.status],
        "priority": record.priority,
        "category": record.category,
        "assigneeId": record.owner.remote_id if record.owner else None,
        "accountId": record.company.ref(connection_name) if record.company else None,
        "cf": {k: v for k, v in record.custom.items() if k.startswith("cf_")} or None,
    }
    if requester is not None:
        contact_id = requester.ref(connection_name)
        if contact_id:
            body["contactId"] = contact_id
        else:
            first_name, last_name = names_of(requester)
            body["contact"] = {k: v for k, v in {
                "firstName": first_name, "lastName": last_name,
                "email": requester.emails[0] if requester.emails else None,
                "phone": requester.phones[0] if requester.phones else None}.items() if v}
    return {key: value for key, value in body.items() if value not in (None, "")}


def thread_message(raw: dict[str, Any]) -> Message:
    """A thread of the conversation as a message (``in``: from the client)."""
    content = text(raw.get("content")) or text(raw.get("summary"))
    html = content if content and raw.get("contentType") == "html" else None
    author = raw.get("author") if isinstance(raw.get("author"), dict) else {}
    return Message(
        remote_id=text(raw.get("id")),
        author=text(author.get("name")) or text(raw.get("fromEmailAddress")),
        direction=Direction.inbound if raw.get("direction") == "in" else Direction.outbound,
        public=True,
        text=html_to_text(content) if html else content,
        html=html,
        sent_at=moment(raw.get("createdTime")),
    )


def comment_message(raw: dict[str, Any]) -> Message:
    """A comment as an internal message (public when the client sees it)."""
    content = text(raw.get("content"))
    html = content if content and raw.get("contentType", "html") == "html" else None
    commenter = raw.get("commenter") if isinstance(raw.get("commenter"), dict) else {}
    return Message(
        remote_id=text(raw.get("id")),
        author=text(commenter.get("name")) or text(raw.get("commenterId")),
        direction=Direction.internal,
        public=bool(raw.get("isPublic")),
        text=html_to_text(content) if html else content,
        html=html,
        sent_at=moment(raw.get("commentedTime")),
    )


def mentioned(content: Any) -> list[str]:
    """The Zoho user ids (zuids) a comment's content mentions (none when it is not text)."""
    if not isinstance(content, str):
        return []
    return list(dict.fromkeys(MENTION.findall(content)))


def mention(zuid: str) -> str:
    """How a comment mentions the user ``zuid``."""
    return f"zsu[@user:{zuid}]zsu"


def rating_to_canonical(raw: dict[str, Any]) -> TicketRating:
    """A customer-happiness rating (``GOOD``, ``OKAY``, ``BAD``) canonically."""
    vendor = str(raw.get("rating") or "").upper()
    if vendor not in RATINGS:
        raise ValueError(f"unknown customer-happiness rating {raw.get('rating')!r}")
    return TicketRating(id=str(raw["id"]), ticket_id=str(raw["ticketId"]),
                        rating=RATINGS[vendor], vendor_rating=vendor,
                        feedback=text(raw.get("feedback")),
                        contact_id=text(raw.get("contactId")),
                        rated_at=moment(raw.get("ratedTime")))
