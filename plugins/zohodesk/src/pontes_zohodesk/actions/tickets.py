"""Zoho Desk tickets: get, open, find the one a draft opened, move to a status, and list
a contact's or an account's tickets.

``ticket.get`` reads the ticket, its threads and its comments (three calls); lists read
the tickets alone. A ticket opened through pontes carries the draft's marker at the end of
its description, where ``ticket.find_created`` looks for it among the requester's tickets
with the same subject.
"""

from __future__ import annotations

from pontes.plugin import (
    ById,
    Connection,
    SetTicketStatus,
    Ticket,
    TicketsOf,
    TicketsOfCompany,
    has_marker,
    marker_token,
)

from ..client import desk_get, desk_patch, desk_post, fetch_all
from ..connector import kit
from ..ids import desk_id
from ..mappers.tickets import FROM_CANONICAL, ticket_from_canonical, ticket_to_canonical
from ..portal import department_id
from .people import find_contact_by_email
from .reading import read_ticket

MOST_TICKETS = 1000
"""How many of a contact's or account's tickets a list reads at most (ten pages)."""


async def tickets_of(connection: Connection, path: str, only_open: bool) -> list[Ticket]:
    """The tickets a ``/contacts/{id}/tickets`` or ``/accounts/{id}/tickets`` list gives,
    newest first (without the closed ones with ``only_open``)."""
    found = await fetch_all(connection, path, params={"sortBy": "-createdTime"},
                            most=MOST_TICKETS)
    tickets = [ticket_to_canonical(raw, connection.name) for raw in found]
    if only_open:
        tickets = [t for t in tickets if (t.remote_data or {}).get("statusType") != "Closed"]
    return tickets


@kit.action("ticket.get")
async def ticket_get(connection: Connection, params: ById) -> Ticket:
    """The ticket with Zoho Desk id ``params.id``, with its conversation and comments."""
    return await read_ticket(connection, params.id)


@kit.action("ticket.create")
async def ticket_create(connection: Connection, params: Ticket) -> Ticket:
    """Open a ticket in the connection's department for the requester (by id, or matched
    by e-mail or created by Zoho Desk), the draft's marker at the end of its description."""
    body = ticket_from_canonical(params.model_copy(update={"refs": {}}), connection.name)
    if not body.get("subject"):
        raise ValueError("a Zoho Desk ticket needs a subject")
    if "contactId" not in body and "contact" not in body:
        raise ValueError("a Zoho Desk ticket needs a requester (a contact)")
    token = marker_token(params)
    body["description"] = f"{body.get('description') or ''}<p>{token}</p>"
    body["departmentId"] = await department_id(connection)
    raw = await desk_post(connection, "/tickets", body)
    return ticket_to_canonical(raw, connection.name)


@kit.action("ticket.find_created")
async def ticket_find_created(connection: Connection, params: Ticket) -> Ticket | None:
    """The ticket opened from this draft: among its requester's tickets with its subject,
    the one whose description carries its marker (``None`` when the requester is not
    known here)."""
    requester = params.requester
    contact_id = requester.ref(connection.name) if requester else None
    if contact_id is None and requester is not None and requester.emails:
        found = await find_contact_by_email(connection, requester.emails[0])
        contact_id = found.ref(connection.name) if found else None
    if contact_id is None:
        return None
    listed = await fetch_all(connection, f"/contacts/{desk_id(contact_id)}/tickets",
                             params={"sortBy": "-createdTime"}, most=100)
    for item in listed:
        if params.subject is not None and (item.get("subject") or "").strip() != params.subject:
            continue
        raw = await desk_get(connection, f"/tickets/{desk_id(str(item['id']))}")
        if has_marker(str(raw.get("description") or ""), params):
            return ticket_to_canonical(raw, connection.name)
    return None


@kit.action("ticket.set_status")
async def ticket_set_status(connection: Connection, params: SetTicketStatus) -> Ticket:
    """Move the ticket to the Zoho Desk status of ``params.status`` (solved, closed and
    canceled are all ``Closed``; pending is ``On Hold``)."""
    raw = await desk_patch(connection, f"/tickets/{desk_id(params.id)}",
                           {"status": FROM_CANONICAL[params.status]})
    return ticket_to_canonical(raw, connection.name)


@kit.action("ticket.list_for_client")
async def ticket_list_for_client(connection: Connection, params: TicketsOf) -> list[Ticket]:
    """The tickets of the contact ``params.contact_id``, newest first."""
    return await tickets_of(connection, f"/contacts/{desk_id(params.contact_id)}/tickets",
                            params.only_open)


@kit.action("ticket.list_for_company")
async def ticket_list_for_company(connection: Connection,
                                  params: TicketsOfCompany) -> list[Ticket]:
    """The tickets of the account ``params.company_id``, newest first."""
    return await tickets_of(connection, f"/accounts/{desk_id(params.company_id)}/tickets",
                            params.only_open)

