"""Reading a Zoho Desk ticket with its conversation and comments, for every action that
answers with the ticket."""

from __future__ import annotations

from pontes.plugin import Connection, Message, Ticket

from ..client import desk_get, fetch_all
from ..ids import desk_id
from ..mappers.tickets import comment_message, thread_message, ticket_to_canonical

MOST_MESSAGES = 500
"""How many threads and comments of one ticket are read at most."""
INCLUDE = "contacts,assignee,departments"
"""What a ticket detail is read with (``include``)."""


async def read_messages(connection: Connection, ticket_id: str, *,
                        full: bool) -> list[Message]:
    """The ticket's threads and comments, oldest first; with ``full`` each thread's whole
    content (one call per thread), else the summary lists give."""
    path = f"/tickets/{desk_id(ticket_id)}"
    threads = await fetch_all(connection, f"{path}/threads", most=MOST_MESSAGES)
    if full:
        threads = [await desk_get(connection, f"{path}/threads/{desk_id(str(t['id']))}")
                   for t in threads]
    comments = await fetch_all(connection, f"{path}/comments", most=MOST_MESSAGES)
    messages = [thread_message(t) for t in threads] + [comment_message(c) for c in comments]
    return sorted(messages, key=lambda m: m.sent_at.timestamp() if m.sent_at else float("inf"))


async def read_ticket(connection: Connection, ticket_id: str) -> Ticket:
    """The ticket ``ticket_id`` canonically, with its conversation and comments (the
    threads' summaries)."""
    raw = await desk_get(connection, f"/tickets/{desk_id(ticket_id)}",
                         params={"include": INCLUDE})
    messages = await read_messages(connection, ticket_id, full=False)
    return ticket_to_canonical(raw, connection.name, messages)
