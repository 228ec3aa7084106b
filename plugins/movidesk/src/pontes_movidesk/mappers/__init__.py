"""The mappers this plugin declares: tickets, people and companies.

The translations live in ``mappers.tickets`` (tickets, their actions and statuses) and
``mappers.people`` (persons of every type: people, companies and departments).
"""

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
kit.mapper("company", Company, to_canonical=company_to_canonical,
           from_canonical=company_from_canonical)
