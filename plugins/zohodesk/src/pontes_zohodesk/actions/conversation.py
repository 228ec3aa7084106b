"""A Zoho Desk ticket's conversation and comments: list them, reply, reply to all,
forward, comment with mentions.

Replies go through ``POST /tickets/{id}/sendReply`` on the e-mail channel, from the
department's support address: a reply to the ticket's contact, a reply to all (the sender
of the latest inbound thread, with its ``to`` and ``cc`` as copies, the support address
left out), or a forward (``isForward``) to other addresses. An internal note is a comment
(``isPublic`` false); a comment mentions agents as ``zsu[@user:<zuid>]zsu``. Every action
answers with the ticket read again. A reply is a POST that appends: it is never sent
twice after an ambiguous failure.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    ById,
    Connection,
    Message,
    PermanentFailure,
    ReplyAll,
    Ticket,
    TicketComment,
    TicketForward,
    TicketReply,
    text_to_html,
)

from ..client import desk_get, desk_post, fetch_all
from ..connector import kit
from ..ids import desk_id
from ..mappers.tickets import mention
from ..portal import reply_address
from .reading import MOST_MESSAGES, read_messages, read_ticket


def _content(text: str | None, html: str | None) -> str:
    content = html or text_to_html(text or "")
    if not content.strip():
        raise ValueError("a message needs text or html")
    return content


async def _ticket(connection: Connection, ticket_id: str) -> dict[str, Any]:
    return await desk_get(connection, f"/tickets/{desk_id(ticket_id)}")


async def send_email(connection: Connection, ticket: dict[str, Any], *, to: list[str],
                     cc: list[str] | None = None, content: str,
                     forward: bool = False) -> None:
    """Send an e-mail thread on ``ticket`` (as read) from its department's support
    address."""
    ticket_id = str(ticket["id"])
    sender = await reply_address(connection, str(ticket.get("departmentId")))
    body: dict[str, Any] = {"channel": "EMAIL", "fromEmailAddress": sender,
                            "to": ",".join(to), "content": content, "contentType": "html"}
    if cc:
        body["cc"] = ",".join(cc)
    if forward:
        body["isForward"] = "true"
    await desk_post(connection, f"/tickets/{desk_id(ticket_id)}/sendReply", body)


async def _comment(connection: Connection, ticket_id: str, content: str, public: bool) -> None:
    await desk_post(connection, f"/tickets/{desk_id(ticket_id)}/comments",
                    {"content": content, "contentType": "html", "isPublic": public})


def _addresses(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").split(",") if "@" in part]


async def everyone_on(connection: Connection,
                      ticket: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Who a reply to all on ``ticket`` (as read) goes to: the sender of the latest
    inbound thread (the ticket's e-mail when there is none), and as copies everyone else
    it was sent or copied to, the support address left out."""
    ticket_id = str(ticket["id"])
    threads = await fetch_all(connection, f"/tickets/{desk_id(ticket_id)}/threads",
                              most=MOST_MESSAGES)
    inbound = [t for t in threads if t.get("direction") == "in"]
    latest = max(inbound, key=lambda t: str(t.get("createdTime") or ""), default=None)
    sender = _addresses(latest.get("fromEmailAddress")) if latest else []
    to = sender or _addresses(ticket.get("email"))
    if not to:
        raise PermanentFailure(f"Zoho Desk ticket {ticket_id} has no address to reply to")
    own = {(await reply_address(connection, str(ticket.get("departmentId")))).casefold()}
    copies = _addresses(latest.get("to")) + _addresses(latest.get("cc")) if latest else []
    seen = {a.casefold() for a in to} | own
    cc = [a for a in dict.fromkeys(copies) if a.casefold() not in seen]
    return to, cc


@kit.action("ticket.reply")
async def ticket_reply(connection: Connection, params: TicketReply) -> Ticket:
    """An e-mail reply to the ticket's contact, or an internal comment when ``public`` is
    false."""
    content = _content(params.text, params.html)
    if not params.public:
        await _comment(connection, params.id, content, public=False)
        return await read_ticket(connection, params.id)
    ticket = await _ticket(connection, params.id)
    to = _addresses(ticket.get("email"))
    if not to:
        raise PermanentFailure(f"Zoho Desk ticket {params.id} has no contact e-mail to "
                               "reply to")
    await send_email(connection, ticket, to=to, content=content)
    return await read_ticket(connection, params.id)


@kit.action("ticket.reply_all")
async def ticket_reply_all(connection: Connection, params: ReplyAll) -> Ticket:
    """An e-mail reply to everyone on the ticket's latest inbound message."""
    content = _content(params.text, params.html)
    ticket = await _ticket(connection, params.id)
    to, cc = await everyone_on(connection, ticket)
    await send_email(connection, ticket, to=to, cc=cc, content=content)
    return await read_ticket(connection, params.id)


@kit.action("ticket.forward")
async def ticket_forward(connection: Connection, params: TicketForward) -> Ticket:
    """Forward the ticket to ``params.to`` (and ``cc``), with the covering text."""
    content = _content(params.text, params.html)
    await send_email(connection, await _ticket(connection, params.id), to=list(params.to),
                     cc=list(params.cc), content=content, forward=True)
    return await read_ticket(connection, params.id)


@kit.action("ticket.comment")
async def ticket_comment(connection: Connection, params: TicketComment) -> Ticket:
    """A comment on the ticket (internal unless ``public``), mentioning the Zoho users
    (zuids) in ``mentions``."""
    for zuid in params.mentions:
        desk_id(zuid, "mentions")
    content = _content(params.text, params.html)
    if params.mentions:
        content += "<p>" + " ".join(mention(zuid) for zuid in params.mentions) + "</p>"
    await _comment(connection, params.id, content, public=params.public)
    return await read_ticket(connection, params.id)


@kit.action("ticket.list_messages")
async def ticket_list_messages(connection: Connection, params: ById) -> list[Message]:
    """The ticket's conversation (each thread's whole content) and comments, oldest
    first."""
    return await read_messages(connection, params.id, full=True)
