"""Zoho Desk's records as the sandbox writes them, and the rules of their fields.

- contacts (``lastName`` required) and accounts (``accountName`` required), with the
  ticket's nested ``contact``/``account`` shapes;
- tickets: ``subject``, ``departmentId`` and a contact (``contactId``, or a ``contact``
  object that is matched by e-mail or created) required; counters as strings, times with
  milliseconds, ``isOverDue`` with a capital D; statuses ``Open``, ``On Hold``,
  ``Escalated``, ``Closed`` (and their ``statusType``);
- threads (``direction`` ``in``/``out``) and comments (mentions stay in ``content`` as
  ``zsu[@user:<zuid>]zsu``);
- the SLA: ``dueDate`` and ``responseDueDate``; while a ticket is ``On Hold`` its timer
  is frozen and its flags do not change.

Refusals are ``DeskError``, which the API answers as Zoho Desk's error body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .state import AGENT_ID, DEPARTMENT_ID, PORTAL, DeskState, desk_time, parse_desk_time

STATUS_TYPES = {"Open": "Open", "On Hold": "On Hold", "Escalated": "Open", "Closed": "Closed"}
"""The default statuses and the bucket (``statusType``) each falls into."""
REPLY_STATUSES = {"OPEN": "Open", "ON HOLD": "On Hold", "CLOSED": "Closed"}
"""``sendReply``'s ``ticketStatus`` values (upper case) and the status each sets."""

RESOLUTION_HOURS = 24
"""How long after creation a ticket is due (the sandbox's one SLA)."""
RESPONSE_HOURS = 4
"""How long after creation the first agent response is due."""

CONTACT_FIELDS = {"firstName", "lastName", "email", "secondaryEmail", "phone", "mobile",
                  "accountId", "title", "type", "description", "ownerId", "street", "city",
                  "state", "zip", "country", "twitter", "facebook", "cf"}
ACCOUNT_FIELDS = {"accountName", "email", "phone", "website", "industry", "description",
                  "code", "fax", "street", "city", "state", "zip", "country", "ownerId", "cf"}
TICKET_FIELDS = {"subject", "departmentId", "contactId", "contact", "description", "status",
                 "priority", "assigneeId", "channel", "classification", "category",
                 "subCategory", "dueDate", "email", "phone", "productId", "language",
                 "cf", "accountId", "teamId"}
TICKET_UPDATE_FIELDS = TICKET_FIELDS - {"contact"}
CONTACT_INLINE_FIELDS = {"firstName", "lastName", "email", "phone", "mobile"}


class DeskError(Exception):
    """A request Zoho Desk refuses: the HTTP status, ``errorCode``, ``message`` and the
    fields at fault (``errors``: ``[{"fieldName": "/subject", "errorMessage": ...}]``)."""

    def __init__(self, status: int, code: str, message: str,
                 errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        """The error as Zoho Desk writes it."""
        body: dict[str, Any] = {"errorCode": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid(field_name: str, message: str) -> DeskError:
    """A 422 ``INVALID_DATA`` naming the field at fault."""
    return DeskError(422, "INVALID_DATA", "An invalid value was given for a field",
                     [{"fieldName": f"/{field_name}", "errorMessage": message}])


def not_found() -> DeskError:
    """Zoho Desk's answer for an id it does not have."""
    return DeskError(404, "URL_NOT_FOUND", "The URL you requested could not be found")


def check_fields(body: Mapping[str, Any], allowed: set[str]) -> None:
    """``invalid`` for the first key of ``body`` outside ``allowed``."""
    for key in body:
        if key not in allowed:
            raise invalid(key, "unknown field")


def _text(body: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise invalid(key, f"{key} is mandatory")
        return None
    if not isinstance(value, str):
        raise invalid(key, "must be a string")
    return value


def _custom(body: Mapping[str, Any]) -> dict[str, Any]:
    cf = body.get("cf") or {}
    if not isinstance(cf, dict) or any(not str(k).startswith("cf_") for k in cf):
        raise invalid("cf", "custom fields are keyed by their API name, cf_...")
    return dict(cf)


# --- contacts and accounts ------------------------------------------------------------------


def account_ref(state: DeskState, account_id: str | None) -> dict[str, Any] | None:
    """The ``account`` a contact or ticket carries: ``{id, accountName, website}``."""
    account = state.accounts.get(account_id or "")
    if account is None:
        return None
    return {"id": account["id"], "accountName": account["accountName"],
            "website": account.get("website")}


def _account_of(state: DeskState, body: Mapping[str, Any]) -> str | None:
    account_id = _text(body, "accountId")
    if account_id is not None and account_id not in state.accounts:
        raise invalid("accountId", "no account with this id")
    return account_id


def write_contact(state: DeskState, body: Mapping[str, Any],
                  current: dict[str, Any] | None = None) -> dict[str, Any]:
    """A contact created from ``body`` (``current`` updated with it when given)."""
    check_fields(body, CONTACT_FIELDS)
    merged = {**(current or {}), **body}
    _text(merged, "lastName", required=True)
    for key in CONTACT_FIELDS - {"cf", "accountId"}:
        _text(merged, key)
    account_id = _account_of(state, merged)
    stamp = state.stamp()
    contact = current if current is not None else {
        "id": state.new_id(), "createdTime": stamp, "isSpam": False, "isEndUser": False,
        "ownerId": AGENT_ID, "type": None, "photoURL": None, "layoutId": None}
    contact.update({key: merged.get(key) for key in CONTACT_FIELDS - {"cf"}})
    contact.update(accountId=account_id, account=account_ref(state, account_id),
                   cf={**contact.get("cf", {}), **_custom(body)}, modifiedTime=stamp,
                   webUrl=f"https://desk.zoho.com/support/{PORTAL}/ShowHomePage.do"
                          f"#Contacts/dv/{contact['id']}")
    state.contacts[contact["id"]] = contact
    return contact


def write_account(state: DeskState, body: Mapping[str, Any],
                  current: dict[str, Any] | None = None) -> dict[str, Any]:
    """An account created from ``body`` (``current`` updated with it when given)."""
    check_fields(body, ACCOUNT_FIELDS)
    merged = {**(current or {}), **body}
    _text(merged, "accountName", required=True)
    for key in ACCOUNT_FIELDS - {"cf"}:
        _text(merged, key)
    stamp = state.stamp()
    account = current if current is not None else {
        "id": state.new_id(), "createdTime": stamp, "ownerId": AGENT_ID, "layoutId": None}
    account.update({key: merged.get(key) for key in ACCOUNT_FIELDS - {"cf"}})
    account.update(cf={**account.get("cf", {}), **_custom(body)}, modifiedTime=stamp,
                   webUrl=f"https://desk.zoho.com/support/{PORTAL}/ShowHomePage.do"
                          f"#Accounts/dv/{account['id']}")
    state.accounts[account["id"]] = account
    for contact in state.contacts.values():
        if contact.get("accountId") == account["id"]:
            contact["account"] = account_ref(state, account["id"])
    return account


def _inline_contact(state: DeskState, body: Mapping[str, Any]) -> dict[str, Any]:
    """A ticket's ``contact`` object: the contact with its e-mail, else a new one."""
    inline = body.get("contact")
    if not isinstance(inline, dict):
        raise invalid("contact", "must be an object")
    check_fields(inline, CONTACT_INLINE_FIELDS)
    email = (inline.get("email") or "").casefold()
    for contact in state.contacts.values():
        if email and (contact.get("email") or "").casefold() == email:
            return contact
    if not inline.get("lastName"):
        raise invalid("contact.lastName", "lastName is mandatory for a new contact")
    return write_contact(state, inline)


def contact_ref(contact: dict[str, Any]) -> dict[str, Any]:
    """The ``contact`` a ticket carries."""
    return {key: contact.get(key) for key in ("id", "firstName", "lastName", "email", "phone",
                                              "mobile", "isSpam", "type", "account")}


# --- tickets ------------------------------------------------------------------------------


def _status(value: Any) -> str:
    if value not in STATUS_TYPES:
        raise invalid("status", f"must be one of {', '.join(STATUS_TYPES)}")
    return value


def _due(value: Any, key: str) -> str | None:
    if value is None:
        return None
    try:
        return desk_time(parse_desk_time(value))
    except (TypeError, ValueError):
        raise invalid(key, "a date and time such as 2025-03-04T09:15:00.000Z") from None


def create_ticket(state: DeskState, body: Mapping[str, Any]) -> dict[str, Any]:
    """A new ticket from ``body``, with its first thread when it has a description."""
    check_fields(body, TICKET_FIELDS)
    subject = _text(body, "subject", required=True)
    if _text(body, "departmentId", required=True) != DEPARTMENT_ID:
        raise invalid("departmentId", "no department with this id")
    if body.get("contactId"):
        contact = state.contacts.get(str(body["contactId"]))
        if contact is None:
            raise invalid("contactId", "no contact with this id")
    elif body.get("contact") is not None:
        contact = _inline_contact(state, body)
    else:
        raise invalid("contactId", "contactId or contact is mandatory")
    now = state.now()
    ticket_id = state.new_id()
    status = _status(body.get("status") or "Open")
    account_id = _text(body, "accountId") or contact.get("accountId")
    ticket: dict[str, Any] = {
        "id": ticket_id, "ticketNumber": state.new_ticket_number(), "subject": subject,
        "description": _text(body, "description"), "status": status,
        "statusType": STATUS_TYPES[status], "priority": _text(body, "priority"),
        "channel": _text(body, "channel") or "Web", "classification": _text(body, "classification"),
        "category": _text(body, "category"), "subCategory": _text(body, "subCategory"),
        "language": _text(body, "language") or "English", "departmentId": DEPARTMENT_ID,
        "contactId": contact["id"], "accountId": account_id, "productId": _text(body, "productId"),
        "assigneeId": _text(body, "assigneeId"), "teamId": _text(body, "teamId"),
        "email": _text(body, "email") or contact.get("email"),
        "phone": _text(body, "phone") or contact.get("phone"),
        "createdTime": desk_time(now), "modifiedTime": desk_time(now), "closedTime": None,
        "onholdTime": None, "customerResponseTime": desk_time(now),
        "dueDate": _due(body.get("dueDate"), "dueDate") or desk_time(now + RESOLUTION_HOURS * 3600),
        "responseDueDate": desk_time(now + RESPONSE_HOURS * 3600),
        "isOverDue": False, "isResponseOverdue": False, "isEscalated": status == "Escalated",
        "isSpam": False, "isArchived": False, "isTrashed": False, "isDeleted": False,
        "threadCount": "0", "commentCount": "0", "attachmentCount": "0", "taskCount": "0",
        "tagCount": "0", "approvalCount": "0", "timeEntryCount": "0", "followerCount": "0",
        "cf": _custom(body), "createdBy": AGENT_ID, "modifiedBy": AGENT_ID,
        "webUrl": f"https://desk.zoho.com/support/{PORTAL}/ShowHomePage.do#Cases/dv/{ticket_id}",
        "source": {"type": "SYSTEM", "appName": None, "extId": None, "permalink": None,
                   "appPhotoURL": None},
    }
    _enter_status(ticket, status, now)
    state.tickets[ticket_id] = ticket
    state.threads[ticket_id] = []
    state.comments[ticket_id] = []
    if ticket["description"]:
        add_thread(state, ticket, {"direction": "in", "content": ticket["description"],
                                   "contentType": "html", "channel": ticket["channel"].upper(),
                                   "fromEmailAddress": ticket["email"], "to": None},
                   reopens=False)
    return ticket


def ticket_view(state: DeskState, ticket: dict[str, Any]) -> dict[str, Any]:
    """A ticket as the API answers it, its contact, department and custom-field labels
    filled in."""
    contact = state.contacts.get(ticket["contactId"])
    return {**ticket, "contact": contact_ref(contact) if contact else None,
            "department": {"id": DEPARTMENT_ID, "name": "Support"},
            "customFields": {key[3:].replace("_", " ").title(): value
                             for key, value in ticket["cf"].items()}}


def _enter_status(ticket: dict[str, Any], status: str, now: float) -> None:
    """What moving to ``status`` does to the ticket's times and flags: leaving On Hold
    moves the due dates on by the time held (the SLA timer was frozen)."""
    if ticket.get("onholdTime") and status != "On Hold":
        held = now - parse_desk_time(ticket["onholdTime"])
        for due in ("dueDate", "responseDueDate"):
            if ticket.get(due):
                ticket[due] = desk_time(parse_desk_time(ticket[due]) + held)
    ticket["status"], ticket["statusType"] = status, STATUS_TYPES[status]
    ticket["onholdTime"] = desk_time(now) if status == "On Hold" else None
    ticket["closedTime"] = desk_time(now) if status == "Closed" else None
    if status == "Escalated":
        ticket["isEscalated"] = True


def update_ticket(state: DeskState, ticket: dict[str, Any], body: Mapping[str, Any]) -> None:
    """Apply a PATCH: only the fields given change. While the ticket is ``On Hold``, a
    new ``dueDate`` has no effect."""
    check_fields(body, TICKET_UPDATE_FIELDS)
    now = state.now()
    if "subject" in body:
        ticket["subject"] = _text(body, "subject", required=True)
    if "contactId" in body:
        if str(body["contactId"]) not in state.contacts:
            raise invalid("contactId", "no contact with this id")
        ticket["contactId"] = str(body["contactId"])
    if body.get("departmentId") not in (None, DEPARTMENT_ID):
        raise invalid("departmentId", "no department with this id")
    for key in ("description", "priority", "channel", "classification", "category",
                "subCategory", "assigneeId", "email", "phone", "productId", "language",
                "accountId", "teamId"):
        if key in body:
            ticket[key] = _text(body, key)
    if "cf" in body:
        ticket["cf"] = {**ticket["cf"], **_custom(body)}
    if "dueDate" in body and ticket["status"] != "On Hold":
        ticket["dueDate"] = _due(body["dueDate"], "dueDate")
    if "status" in body and body["status"] != ticket["status"]:
        _enter_status(ticket, _status(body["status"]), now)
    ticket["modifiedTime"] = desk_time(now)


def run_sla(state: DeskState, ticket: dict[str, Any]) -> bool:
    """Flag the ticket overdue (``isOverDue``, ``isResponseOverdue``) when the clock is past
    its due dates and it is neither On Hold nor Closed; an overdue ticket is escalated.
    Whether anything changed."""
    if ticket["statusType"] in ("On Hold", "Closed"):
        return False
    now, changed = state.now(), False
    for flag, due in (("isOverDue", "dueDate"), ("isResponseOverdue", "responseDueDate")):
        if ticket[due] and not ticket[flag] and parse_desk_time(ticket[due]) < now:
            ticket[flag] = changed = True
    if ticket["isOverDue"] and not ticket["isEscalated"]:
        ticket["isEscalated"] = True
        _enter_status(ticket, "Escalated", now)
        changed = True
    if changed:
        ticket["modifiedTime"] = desk_time(now)
    return changed


# --- threads and comments -------------------------------------------------------------------


def add_thread(state: DeskState, ticket: dict[str, Any], fields: Mapping[str, Any], *,
               reopens: bool = True) -> dict[str, Any]:
    """A new thread on ``ticket``; an inbound one reopens an On Hold or Closed ticket
    (unless ``reopens`` is off: the first thread of a new ticket), an outbound one answers
    its first-response due date."""
    now = state.now()
    inbound = fields["direction"] == "in"
    content = fields.get("content") or ""
    thread = {
        "id": state.new_id(), "ticketId": ticket["id"], "channel": fields.get("channel", "EMAIL"),
        "direction": fields["direction"], "isForward": bool(fields.get("isForward")),
        "isDraft": False, "status": "SUCCESS", "visibility": "public",
        "fromEmailAddress": fields.get("fromEmailAddress"), "to": fields.get("to"),
        "cc": fields.get("cc"), "bcc": fields.get("bcc"),
        "contentType": fields.get("contentType") or "plainText", "content": content,
        "summary": content[:100], "createdTime": desk_time(now),
        "author": ({"name": "Customer", "type": "END_USER", "email": fields.get("fromEmailAddress")}
                   if inbound else {"name": "Sam Agent", "type": "AGENT", "id": AGENT_ID}),
        "hasAttach": False, "attachmentCount": "0",
    }
    state.threads[ticket["id"]].append(thread)
    ticket["threadCount"] = str(len(state.threads[ticket["id"]]))
    ticket["lastThread"] = {"channel": thread["channel"], "isDraft": False,
                            "isForward": thread["isForward"], "direction": thread["direction"]}
    if inbound:
        ticket["customerResponseTime"] = desk_time(now)
        if reopens and ticket["statusType"] in ("On Hold", "Closed"):
            _enter_status(ticket, "Open", now)
    else:
        ticket["responseDueDate"] = None
    ticket["modifiedTime"] = desk_time(now)
    return thread


def add_comment(state: DeskState, ticket: dict[str, Any], body: Mapping[str, Any]
                ) -> dict[str, Any]:
    """A new comment on ``ticket`` (``content`` required; ``contentType`` ``html`` by
    default; ``isPublic`` false by default)."""
    check_fields(body, {"content", "contentType", "isPublic", "attachmentIds"})
    content = _text(body, "content", required=True)
    content_type = body.get("contentType") or "html"
    if content_type not in ("html", "plainText"):
        raise invalid("contentType", "html or plainText")
    if not isinstance(body.get("isPublic", False), bool):
        raise invalid("isPublic", "true or false")
    now = desk_time(state.now())
    agent = state.agent()
    comment = {
        "id": state.new_id(), "content": content, "encodedContent": content,
        "contentType": content_type, "isPublic": body.get("isPublic", False),
        "commentedTime": now, "modifiedTime": now, "commenterId": AGENT_ID,
        "commenter": {"id": AGENT_ID, "name": agent["name"], "email": agent["emailId"],
                      "photoURL": None, "type": "AGENT", "firstName": agent["firstName"],
                      "lastName": agent["lastName"], "roleName": "Administrator"},
        "impersonatedUser": None, "attachments": [],
    }
    state.comments[ticket["id"]].append(comment)
    ticket["commentCount"] = str(len(state.comments[ticket["id"]]))
    ticket["modifiedTime"] = now
    return comment


def update_comment(state: DeskState, ticket: dict[str, Any], comment: dict[str, Any],
                   body: Mapping[str, Any]) -> None:
    """Apply an edit to a comment: its ``content`` and ``contentType``; ``isPublic`` is
    set once, when the comment is made."""
    check_fields(body, {"content", "contentType", "isPublic"})
    if "isPublic" in body and body["isPublic"] != comment["isPublic"]:
        raise invalid("isPublic", "isPublic cannot be changed after the comment is made")
    if "content" in body:
        comment["content"] = comment["encodedContent"] = _text(body, "content", required=True)
    if "contentType" in body:
        if body["contentType"] not in ("html", "plainText"):
            raise invalid("contentType", "html or plainText")
        comment["contentType"] = body["contentType"]
    comment["modifiedTime"] = state.stamp()
    ticket["modifiedTime"] = comment["modifiedTime"]
