"""The mappers this plugin registers: tickets, people and companies."""

from __future__ import annotations

from pontes.connector import Mapper
from pontes.models import Company, Contact, Ticket

from .people import (
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
)
from .tickets import ticket_from_canonical, ticket_to_canonical

CONNECTOR = "movidesk"


def mappers() -> list[Mapper]:
    """One mapper per canonical entity Movidesk holds."""
    return [
        Mapper(CONNECTOR, "ticket", Ticket, ticket_to_canonical, ticket_from_canonical),
        Mapper(CONNECTOR, "contact", Contact, contact_to_canonical, contact_from_canonical),
        Mapper(CONNECTOR, "company", Company, company_to_canonical, company_from_canonical),
    ]
