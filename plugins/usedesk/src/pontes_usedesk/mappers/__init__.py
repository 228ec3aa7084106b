"""The translations between Usedesk's objects and canonical records: tickets, clients
(contacts) and comments (interactions of a ticket)."""

from __future__ import annotations

from pontes.plugin import Contact, Interaction, Ticket

from ..connector import kit
from .clients import client_from_canonical, client_to_canonical
from .comments import comment_from_canonical, comment_message, comment_to_canonical
from .tickets import ticket_from_canonical, ticket_to_canonical

kit.mapper("ticket", Ticket, to_canonical=ticket_to_canonical,
           from_canonical=ticket_from_canonical)
kit.mapper("contact", Contact, to_canonical=client_to_canonical,
           from_canonical=client_from_canonical)
kit.mapper("comment", Interaction, to_canonical=comment_to_canonical,
           from_canonical=comment_from_canonical)

__all__ = [
    "client_from_canonical",
    "client_to_canonical",
    "comment_from_canonical",
    "comment_message",
    "comment_to_canonical",
    "ticket_from_canonical",
    "ticket_to_canonical",
]
