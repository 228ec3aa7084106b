"""Zoho Desk's customer-happiness ratings (``GOOD``, ``OKAY``, ``BAD``), read from
``/customerHappiness``, newest first."""

from __future__ import annotations

from pontes.plugin import Connection, RatingsOf, TicketRating

from ..client import fetch_all
from ..connector import kit
from ..ids import desk_id
from ..mappers.tickets import rating_to_canonical

MOST_RATINGS = 1000
"""How many ratings one call of ``ticket.list_ratings`` reads at most."""


async def read_ratings(connection: Connection, ticket_id: str | None = None,
                       most: int = MOST_RATINGS) -> list[TicketRating]:
    """The portal's ratings, newest first (of one ticket with ``ticket_id``)."""
    params = {"ticketId": desk_id(ticket_id, "ticket_id")} if ticket_id else {}
    found = await fetch_all(connection, "/customerHappiness", params=params, most=most)
    ratings = [rating_to_canonical(raw) for raw in found]
    return [r for r in ratings if ticket_id in (None, r.ticket_id)]


@kit.action("ticket.list_ratings")
async def ticket_list_ratings(connection: Connection, params: RatingsOf) -> list[TicketRating]:
    """The customers' happiness ratings, newest first: those of ``params.ticket_id``, or
    all."""
    return await read_ratings(connection, params.ticket_id)
