"""What a CRM panel does at the CRM, for one ticket's client.

``PanelCrm`` is the panel's view of one integration for one signed context: it finds the
client's contacts (the linked one, else every contact with the client's e-mails and
phones), lists their deals, links, creates and comments. Every contact or deal id that
arrives from the browser is checked against the contacts this client may see, so a
button cannot reach another client's records.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from ..capabilities import FeedEntry
from ..connection import Connection
from ..errors import NotFoundError, PermanentFailure
from ..models import Contact, Deal, Interaction, InteractionKind
from ..recipes import Integration, Links
from .context import PanelContext
from .features import available_features

CONTACT_LINKS = "contact"
"""The kind of link group that ties a helpdesk client to a CRM contact."""

LOOKUP_TTL = 30.0
"""How long a client's contacts found at the CRM are reused by the panel's next
requests (a click on a contact, a deal, a form)."""

HELPDESK, CRM = "helpdesk", "crm"


class NotThisClients(PermanentFailure):
    """A contact or deal that is not among the ticket client's."""


@dataclass(frozen=True)
class Contacts:
    """The client's contacts at the CRM: the one linked to the helpdesk client
    (``linked``), else every contact found by e-mail and phone."""

    contacts: list[Contact]
    linked: bool

    def ids(self, crm: str) -> list[str]:
        """The contacts' ids at the CRM connection ``crm``."""
        return [c.refs[crm] for c in self.contacts if crm in c.refs]


@dataclass(frozen=True)
class DealCard:
    """A deal with its feed and comments (``None`` when the CRM cannot list them)."""

    deal: Deal
    feed: list[FeedEntry] | None
    comments: list[Interaction] | None


_lookups: dict[tuple[str, PanelContext], tuple[float, Contacts]] = {}


def _remember(key: tuple[str, PanelContext], found: Contacts) -> None:
    """Keep a lookup, dropping those past their time (so the cache holds only the
    tickets opened in the last ``LOOKUP_TTL`` seconds)."""
    now = time.monotonic()
    for old in [k for k, (at, _) in _lookups.items() if now - at >= LOOKUP_TTL]:
        del _lookups[old]
    _lookups[key] = (now, found)


class PanelCrm:
    """One integration's CRM, as a panel for the ticket of ``context`` uses it."""

    def __init__(self, integration: Integration, context: PanelContext, links: Links):
        self.integration = integration
        self.context = context
        self.links = links
        self.crm: Connection = integration.connections[CRM]
        self.helpdesk: Connection = integration.connections[HELPDESK]
        self.features = available_features(self.crm.capabilities)

    # --- the client's contacts ------------------------------------------------------------

    async def contacts(self, *, fresh: bool = False) -> Contacts:
        """The client's contacts: the linked one, else every match by e-mail and phone."""
        key = (self.integration.name, self.context)
        cached = _lookups.get(key)
        if not fresh and cached is not None and time.monotonic() - cached[0] < LOOKUP_TTL:
            return cached[1]
        found = await self._linked() or await self._matching()
        _remember(key, found)
        return found

    async def _linked(self) -> Contacts | None:
        if not self.context.client:
            return None
        group = await self.links.lookup(CONTACT_LINKS, self.helpdesk.name, self.context.client)
        if not group or self.crm.name not in group:
            return None
        try:
            contact = await self.crm.call("contact.get", id=group[self.crm.name])
        except NotFoundError:  # deleted in the CRM since: look the client up again
            return None
        return Contacts([contact], linked=True)

    async def _matching(self) -> Contacts:
        calls = []
        for email in self.context.emails:
            calls.append(self._by("email", email))
        for phone in self.context.phones:
            calls.append(self._by("phone", phone))
        found: dict[str, Contact] = {}
        for contacts in await asyncio.gather(*calls):
            for contact in contacts:
                found.setdefault(contact.refs.get(self.crm.name, ""), contact)
        found.pop("", None)
        return Contacts(list(found.values()), linked=False)

    async def _by(self, what: str, value: str) -> list[Contact]:
        if self.crm.has(f"contact.list_by_{what}"):
            return await self.crm.call(f"contact.list_by_{what}", **{what: value})
        if self.crm.has(f"contact.find_by_{what}"):
            one = await self.crm.call(f"contact.find_by_{what}", **{what: value})
            return [one] if one is not None else []
        return []

    async def checked_contact(self, contact_id: str) -> str:
        """``contact_id`` when it is one of the client's contacts; ``NotThisClients``
        otherwise."""
        if contact_id not in (await self.contacts()).ids(self.crm.name):
            raise NotThisClients(f"contact {contact_id} is not one of this ticket's client's")
        return contact_id

    # --- links ----------------------------------------------------------------------------

    async def link(self, contact_id: str) -> None:
        """Link the helpdesk client to CRM contact ``contact_id`` (one of theirs)."""
        await self.checked_contact(contact_id)
        await self._link(contact_id)

    async def _link(self, contact_id: str) -> None:
        if not self.context.client:
            raise PermanentFailure("the ticket has no helpdesk client to link")
        await self.links.link(CONTACT_LINKS, {self.helpdesk.name: self.context.client,
                                              self.crm.name: contact_id})
        _lookups.pop((self.integration.name, self.context), None)

    # --- deals ----------------------------------------------------------------------------

    async def deals(self, contact_id: str, fields: list[str] | None) -> list[Deal]:
        """The deals of one of the client's contacts, with the custom ``fields`` chosen."""
        await self.checked_contact(contact_id)
        return await self.crm.call("deal.list_for_client", contact_id=contact_id,
                                   fields=fields)

    async def deal_card(self, deal_id: str) -> DealCard:
        """A deal of the client's, with its feed and comments where the CRM has them."""
        deal = await self.checked_deal(deal_id)
        feed = comments = None
        calls = []
        if "feed" in self.features:
            calls.append(self.crm.call("deal.feed", id=deal_id))
        if "comments" in self.features:
            calls.append(self.crm.call("interaction.list", deal_id=deal_id))
        answers = list(await asyncio.gather(*calls))
        if "feed" in self.features:
            feed = sorted(answers.pop(0), key=_when, reverse=True)
        if "comments" in self.features:
            comments = answers.pop(0)
        return DealCard(deal, feed, comments)

    async def checked_deal(self, deal_id: str) -> Deal:
        """Deal ``deal_id`` when its contact is one of the client's; ``NotThisClients``
        otherwise."""
        try:
            deal = await self.crm.call("deal.get", id=deal_id)
        except (ValueError, NotFoundError):  # not an id the CRM takes, or no such deal
            raise NotThisClients(f"deal {deal_id} is not one of this ticket's client's"
                                 ) from None
        owner = deal.contact.refs.get(self.crm.name) if deal.contact is not None else None
        if owner is None or owner not in (await self.contacts()).ids(self.crm.name):
            raise NotThisClients(f"deal {deal_id} is not one of this ticket's client's")
        return deal

    # --- creating -------------------------------------------------------------------------

    async def create_contact(self, draft: Contact) -> Contact:
        """Create a contact for the client and link it to the helpdesk client."""
        contact = await self.crm.call("contact.create", draft)
        contact_id = contact.refs.get(self.crm.name)
        if contact_id and self.context.client:
            await self._link(contact_id)
        _lookups.pop((self.integration.name, self.context), None)
        return contact

    async def create_deal(self, draft: Deal, contact_id: str) -> Deal:
        """Create a deal for one of the client's contacts."""
        await self.checked_contact(contact_id)
        draft = draft.model_copy(update={"contact": Contact(refs={self.crm.name: contact_id})})
        return await self.crm.call("deal.create", draft)

    async def comment(self, deal_id: str, text: str) -> Interaction:
        """Post a comment on a deal of the client's."""
        deal = await self.checked_deal(deal_id)
        return await self.crm.call("interaction.create", Interaction(
            kind=InteractionKind.note, content_text=text, deal=Deal(refs=deal.refs)))


def _when(entry: FeedEntry) -> float:
    return entry.occurred_at.timestamp() if entry.occurred_at else 0.0
