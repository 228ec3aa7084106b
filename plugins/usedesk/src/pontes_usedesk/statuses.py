"""Usedesk's ticket statuses and the canonical ones.

Usedesk numbers its statuses: 1 open, 2 solved, 3 closed, 4 deleted, 5 on hold,
6 pending, 7 spam, 8 new, 9 mailing (a newsletter), 10 merged (into another ticket).
"""

from __future__ import annotations

from pontes.plugin import TicketStatus

from .values import whole_number

STATUS_NAMES = {1: "open", 2: "solved", 3: "closed", 4: "deleted", 5: "on hold",
                6: "pending", 7: "spam", 8: "new", 9: "mailing", 10: "merged"}
"""Usedesk's status ids and their names in Usedesk's documentation."""

TO_CANONICAL = {
    1: TicketStatus.open, 2: TicketStatus.solved, 3: TicketStatus.closed,
    4: TicketStatus.canceled, 5: TicketStatus.on_hold, 6: TicketStatus.pending,
    7: TicketStatus.canceled, 8: TicketStatus.new, 9: TicketStatus.closed,
    10: TicketStatus.canceled,
}
"""Each Usedesk status as a canonical one: a deleted, spam or merged ticket is no longer
worked on its own (canceled); a mailing is sent and done (closed)."""

FROM_CANONICAL = {
    TicketStatus.new: 8, TicketStatus.open: 1, TicketStatus.pending: 6,
    TicketStatus.on_hold: 5, TicketStatus.solved: 2, TicketStatus.closed: 3,
    TicketStatus.canceled: 4,
}
"""The Usedesk status a canonical one is written as (canceled: deleted)."""

OPEN_STATUS_IDS = (8, 1, 6, 5)
"""The statuses of tickets still being worked: new, open, pending, on hold."""


def canonical_status(value: object) -> TicketStatus:
    """The canonical status of a Usedesk status id (``7`` or ``"7"``); ``new`` when the
    id is missing or unknown."""
    number = whole_number(value)
    return TO_CANONICAL.get(number, TicketStatus.new) if number is not None else TicketStatus.new
