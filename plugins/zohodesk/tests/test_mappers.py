"""Zoho Desk records as the vendor notes show them, read canonically, and canonical
records written as Zoho Desk takes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pontes.plugin import Contact, Ticket, TicketStatus

from pontes_zohodesk.mappers.people import contact_from_canonical
from pontes_zohodesk.mappers.tickets import (
    canonical_status,
    mentioned,
    rating_to_canonical,
    ticket_from_canonical,
    ticket_to_canonical,
)

NOTES_TICKET = {
    "id": "900000000000100033", "ticketNumber": "1042", "subject": "Invoice PDF will not open",
    "status": "On Hold", "statusType": "On Hold", "priority": "High", "channel": "Email",
    "departmentId": "900000000000007057", "contactId": "900000000000165005",
    "accountId": "900000000000161001", "assigneeId": "900000000000083001",
    "email": "dana@example.com", "createdTime": "2025-03-04T09:15:00.000Z",
    "modifiedTime": "2025-03-04T11:02:40.000Z", "onholdTime": "2025-03-04T11:02:40.000Z",
    "dueDate": "2025-03-05T09:15:00.000Z", "responseDueDate": None, "isOverDue": False,
    "isResponseOverdue": False, "isEscalated": False, "threadCount": "2", "commentCount": "1",
    "contact": {"id": "900000000000165005", "firstName": "Dana", "lastName": "Ng",
                "email": "dana@example.com", "phone": None, "mobile": None, "isSpam": False,
                "type": None, "account": {"id": "900000000000161001", "accountName": "Acme",
                                          "website": None}},
    "department": {"id": "900000000000007057", "name": "Billing"},
    "cf": {"cf_plan": "Pro"}, "customFields": {"Plan": "Pro"},
    "webUrl": "https://desk.zoho.com/support/acme/ShowHomePage.do#Cases/dv/900000000000100033",
}
"""The example ticket of the vendor notes (§1.6)."""


def test_the_notes_example_ticket_reads_canonically():
    ticket = ticket_to_canonical(NOTES_TICKET, "desk")
    assert ticket.refs == {"desk": "900000000000100033"} and ticket.number == "1042"
    assert (ticket.status, ticket.vendor_status) == (TicketStatus.on_hold, "On Hold")
    assert ticket.requester.name == "Dana Ng" and ticket.requester.emails == ["dana@example.com"]
    assert ticket.company.name == "Acme" and ticket.company.refs == {"desk": "900000000000161001"}
    assert ticket.owner.remote_id == "900000000000083001" and ticket.team == "Billing"
    assert ticket.created_at == datetime(2025, 3, 4, 9, 15, tzinfo=UTC)
    assert ticket.custom == {"cf_plan": "Pro", "isOverDue": False, "isResponseOverdue": False,
                             "isEscalated": False, "url": NOTES_TICKET["webUrl"]}
    assert ticket.remote_data == NOTES_TICKET


@pytest.mark.parametrize(("status", "status_type", "expected"), [
    ("Open", "Open", TicketStatus.open), ("Escalated", "Open", TicketStatus.open),
    ("Closed", "Closed", TicketStatus.closed), ("Waiting on vendor", "On Hold",
                                                TicketStatus.on_hold),
    ("Resolved by phone", "Closed", TicketStatus.closed),
])
def test_a_custom_status_is_read_by_its_status_type(status, status_type, expected):
    assert canonical_status({"status": status, "statusType": status_type}) == expected


def test_a_ticket_for_a_requester_unknown_here_carries_the_contact_to_match():
    draft = Ticket(subject="Refund", description="Please refund", status=TicketStatus.pending,
                   requester=Contact(name="Ana Souza", emails=["ana@example.com"]),
                   custom={"cf_plan": "Pro", "url": "ignored"})
    body = ticket_from_canonical(draft, "desk")
    assert body["contact"] == {"firstName": "Ana", "lastName": "Souza",
                               "email": "ana@example.com"}
    assert body["status"] == "On Hold" and body["cf"] == {"cf_plan": "Pro"}
    assert body["description"] == "Please refund"


def test_a_contact_with_one_name_or_only_an_email_gets_a_last_name():
    assert contact_from_canonical(Contact(name="Madonna"), "desk")["lastName"] == "Madonna"
    only_email = contact_from_canonical(Contact(emails=["x.y@example.com"]), "desk")
    assert only_email["lastName"] == "x.y"


def test_mentions_and_ratings():
    assert mentioned("zsu[@user:60012345]zsu and zsu[@user:7]zsu, zsu[@user:7]zsu") == [
        "60012345", "7"]
    rating = rating_to_canonical({"id": "1", "ticketId": "5", "rating": "OKAY",
                                  "ratedTime": "2025-03-04T11:02:40.000Z"})
    assert (rating.rating, rating.vendor_rating) == ("okay", "OKAY")
    with pytest.raises(ValueError, match="unknown customer-happiness rating"):
        rating_to_canonical({"id": "1", "ticketId": "5", "rating": "MEH"})
