"""A CRM record's tickets at the helpdesk, and the helpdesk calls the tab makes.

A record's tickets are found through what ties it to the helpdesk's people: the links
store (records ``contact_sync`` or a panel linked), the record's e-mails, and its
company (the account). A deal's are those of its contact and its company. Tickets are
listed newest first, each once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...connection import Connection
from ...errors import NotFoundError
from ...models import Company, Contact, Ticket
from ...recipes import Integration
from ...recipes.base import Links

FEATURES = {
    "open": "ticket.get",
    "create": "ticket.create",
    "reply": "ticket.reply",
    "reply_all": "ticket.reply_all",
    "forward": "ticket.forward",
    "status": "ticket.set_status",
}
"""What the tab offers -> the helpdesk capability it needs (hidden without it)."""


class NotThisRecords(LookupError):
    """A ticket id that is not one of the record's tickets."""


@dataclass
class RecordTickets:
    """The tickets of one CRM record, for one integration."""

    integration: Integration
    kind: str
    record: str
    links: Links

    @property
    def crm(self) -> Connection:
        """The CRM connection."""
        return self.integration.connections["crm"]

    @property
    def helpdesk(self) -> Connection:
        """The helpdesk connection."""
        return self.integration.connections["helpdesk"]

    @property
    def features(self) -> set[str]:
        """What the tab can do with this helpdesk."""
        return {name for name, capability in FEATURES.items()
                if self.helpdesk.has(capability)}

    async def people(self) -> tuple[list[Contact], list[Company]]:
        """The CRM's contacts and companies this record stands for."""
        crm = self.crm
        if self.kind == "contact":
            contact = await crm.call("contact.get", id=self.record)
            companies = [contact.company] if contact.company is not None else []
            return [contact], companies
        if self.kind == "company":
            if not crm.has("company.get"):
                return [], [Company(refs={crm.name: self.record})]
            return [], [await crm.call("company.get", id=self.record)]
        if not crm.has("deal.get"):
            return [], []
        deal = await crm.call("deal.get", id=self.record)
        contacts = [deal.contact] if deal.contact is not None else []
        if contacts and not contacts[0].emails and crm.has("contact.get"):
            contacts = [await crm.call("contact.get", id=contacts[0].ref(crm.name))]
        return contacts, [deal.company] if deal.company is not None else []

    async def _linked(self, kind: str, record: Contact | Company) -> str | None:
        crm_id = record.ref(self.crm.name)
        if crm_id is None:
            return None
        group = await self.links.lookup(kind, self.crm.name, crm_id)
        return (group or {}).get(self.helpdesk.name)

    async def helpdesk_contacts(self, contacts: list[Contact]) -> list[str]:
        """The helpdesk ids of ``contacts``: linked, else found by e-mail."""
        found: list[str] = []
        for contact in contacts:
            linked = await self._linked("contact", contact)
            if linked is not None:
                found.append(linked)
                continue
            if not self.helpdesk.has("contact.find_by_email"):
                continue
            for email in contact.emails:
                match = await self.helpdesk.call("contact.find_by_email", email=email)
                if match is not None and match.ref(self.helpdesk.name):
                    found.append(match.ref(self.helpdesk.name))
                    break
        return list(dict.fromkeys(found))

    async def helpdesk_companies(self, companies: list[Company]) -> list[str]:
        """The helpdesk ids of ``companies``: linked, else found by name or e-mail."""
        found: list[str] = []
        for company in companies:
            linked = await self._linked("company", company)
            if linked is not None:
                found.append(linked)
                continue
            match = None
            if company.name and self.helpdesk.has("company.find_by_name"):
                match = await self.helpdesk.call("company.find_by_name", name=company.name)
            for email in company.emails:
                if match is None and self.helpdesk.has("company.find_by_email"):
                    match = await self.helpdesk.call("company.find_by_email", email=email)
            if match is not None and match.ref(self.helpdesk.name):
                found.append(match.ref(self.helpdesk.name))
        return list(dict.fromkeys(found))

    async def tickets(self) -> list[Ticket]:
        """The record's tickets, newest first, each once."""
        contacts, companies = await self.people()
        found: dict[str, Ticket] = {}
        for contact_id in await self.helpdesk_contacts(contacts):
            for ticket in await self.helpdesk.call("ticket.list_for_client",
                                                   contact_id=contact_id):
                found.setdefault(ticket.ref(self.helpdesk.name) or ticket.id, ticket)
        if self.helpdesk.has("ticket.list_for_company"):
            for company_id in await self.helpdesk_companies(companies):
                for ticket in await self.helpdesk.call("ticket.list_for_company",
                                                       company_id=company_id):
                    found.setdefault(ticket.ref(self.helpdesk.name) or ticket.id, ticket)
        return sorted(found.values(), key=_newest, reverse=True)

    async def requester(self) -> Contact | None:
        """Who a new ticket of this record is for: the record's first contact with an
        e-mail, as the helpdesk knows them when it does."""
        contacts, _ = await self.people()
        for contact in contacts:
            if contact.emails:
                return Contact(name=contact.display_name(), first_name=contact.first_name,
                               last_name=contact.last_name, emails=contact.emails,
                               phones=contact.phones)
        return None

    async def ticket(self, ticket_id: str) -> Ticket:
        """One of the record's tickets with its threads; ``NotThisRecords`` otherwise."""
        ids = {t.ref(self.helpdesk.name) for t in await self.tickets()}
        if ticket_id not in ids:
            raise NotThisRecords(f"ticket {ticket_id} is not one of this record's tickets")
        try:
            ticket = await self.helpdesk.call("ticket.get", id=ticket_id)
        except NotFoundError:
            raise NotThisRecords(f"{self.helpdesk.connector.title} has no ticket "
                                 f"{ticket_id}") from None
        if not ticket.messages and self.helpdesk.has("ticket.list_messages"):
            messages = await self.helpdesk.call("ticket.list_messages", id=ticket_id)
            ticket = ticket.model_copy(update={"messages": messages})
        return ticket


def _newest(ticket: Ticket) -> str:
    moment = ticket.updated_at or ticket.created_at
    return moment.isoformat() if moment else ""
