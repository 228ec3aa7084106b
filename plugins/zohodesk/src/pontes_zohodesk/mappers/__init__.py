"""The translations between Zoho Desk's records and canonical ones: tickets, contacts and
accounts (companies)."""

from __future__ import annotations

from pontes.plugin import Company, Contact, Ticket

from ..connector import kit
from .people import (
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
)
from .tickets import ticket_from_canonical, ticket_to_canonical

kit.mapper("ticket", Ticket, to_canonical=ticket_to_canonical,
           from_canonical=ticket_from_canonical)
kit.mapper("contact", Contact, to_canonical=contact_to_canonical,
           from_canonical=contact_from_canonical)
kit.mapper("account", Company, to_canonical=company_to_canonical,
           from_canonical=company_from_canonical)
