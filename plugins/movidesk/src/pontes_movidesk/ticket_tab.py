"""A client's tickets and a ticket's status, as a CRM's Tickets tab asks for them.

- ``ticket.list_for_client``: the tickets one person is a client of
  (``clients/any(c: c/id eq '<person>')``, Movidesk's documented lambda filter);
- ``ticket.list_for_company``: the tickets whose client is the company itself, or one of
  its people (``c/organization/id``, the organization ``$expand`` documents on a ticket's
  clients, used inside the lambda);
- ``ticket.set_status``: a canonical status written as the account's status name
  (``MovideskSettings.status_names``), with the justification the account's status asks
  for (``status_justifications``).

A list is one page of at most ``page_size`` tickets, newest first by ``createdDate``, read
from ``/tickets`` (tickets untouched for 90 days are only in ``/tickets/past``, which the
tab does not read). ``only_open`` leaves out tickets whose ``baseStatus`` is Resolved,
Closed or Canceled. Each row comes with its clients (and their organization) and owner,
but without its actions: a ticket is read whole when opened (``ticket.get``).

Movidesk has no way to copy or forward an action to other addresses (``cc`` is read-only
on a ticket), so ``ticket.reply_all`` and ``ticket.forward`` are not offered and the tab
hides them.
"""

from __future__ import annotations

from pontes.plugin import (
    ById,
    Connection,
    PermanentFailure,
    SetTicketStatus,
    Ticket,
    TicketsOf,
    TicketsOfCompany,
    quote_literal,
)

from .actions import ticket_get
from .client import TICKETS, list_rows
from .connector import kit
from .mappers.tickets import ticket_to_canonical

LIST_FIELDS = ("id", "subject", "status", "baseStatus", "urgency", "category", "ownerTeam",
               "createdDate", "lastUpdate", "resolvedIn", "closedIn", "tags")
"""What a list row carries: enough for the tab's list, not the actions."""

LIST_EXPAND = ("clients($expand=organization)", "owner")

FINISHED = ("Resolved", "Closed", "Canceled")
"""The ``baseStatus`` values of tickets that are no longer open."""

NEWEST_FIRST = "createdDate desc, id desc"


async def tickets_where(connection: Connection, condition: str,
                        only_open: bool) -> list[Ticket]:
    """The newest tickets (one page) whose clients meet ``condition``, as canonical tickets."""
    if only_open:
        condition += "".join(f" and baseStatus ne '{status}'" for status in FINISHED)
    rows = await list_rows(connection.client, TICKETS, select=LIST_FIELDS,
                           expand=LIST_EXPAND, filter=condition, orderby=NEWEST_FIRST,
                           top=connection.settings.page_size)
    return [ticket_to_canonical(row, connection.name) for row in rows]


@kit.action("ticket.list_for_client")
async def ticket_list_for_client(connection: Connection, params: TicketsOf) -> list[Ticket]:
    """The tickets whose clients include the person ``contact_id``, newest first."""
    person = quote_literal(params.contact_id)
    return await tickets_where(connection, f"clients/any(c: c/id eq {person})",
                               params.only_open)


@kit.action("ticket.list_for_company")
async def ticket_list_for_company(connection: Connection,
                                  params: TicketsOfCompany) -> list[Ticket]:
    """The tickets of the company ``company_id``: those it is a client of, and those of
    the people it is the organization of, newest first."""
    company = quote_literal(params.company_id)
    condition = f"clients/any(c: c/id eq {company} or c/organization/id eq {company})"
    return await tickets_where(connection, condition, params.only_open)


@kit.action("ticket.set_status")
async def ticket_set_status(connection: Connection, params: SetTicketStatus) -> Ticket:
    """Move a ticket to a canonical status: ``PATCH /tickets?id=`` with the account's
    status name for it and, when that status needs one, its justification. The ticket
    is read back and returned."""
    settings = connection.settings
    name = settings.status_names.get(params.status.value)
    if not name:
        raise PermanentFailure(
            f"ticket.set_status: no Movidesk status is named for {params.status.value!r}; "
            f"set it in the connection's status_names")
    body = {"status": name}
    justification = settings.status_justifications.get(name)
    if justification:
        body["justification"] = justification
    await connection.client.patch_json(TICKETS, params={"id": params.id}, json=body,
                                       retry_safe=True)
    return await ticket_get(connection, ById(id=params.id))
