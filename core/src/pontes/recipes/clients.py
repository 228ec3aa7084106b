"""Finding a client (a person and their company) in another system, or creating it.

Every recipe that moves work between systems needs "the same client over there": the CRM
client of a helpdesk requester, the helpdesk person of a deal's contact, the CRM client of
a chat visitor. The search order is the same everywhere:

1. the links store (a client already matched or created by pontes);
2. e-mail, then phone (normalised), through the target's capabilities;
3. when allowed, creation through the integration's ``contact`` and ``company`` mappings.

What is found or created is linked, so the next search is one lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..connection import Connection
from ..errors import NotFoundError
from ..models import Company, Contact, Record
from .base import RunContext

ENVELOPE = {"id", "refs", "remote_data", "remote_updated_at", "custom"}
SYSTEM_BOUND = {"owner", "collaborators"}
"""Fields naming users of one system: an owner id in the helpdesk means nothing in the CRM."""


@dataclass
class Client:
    """A client in the target system: the person, the company, or both."""

    contact: Contact | None = None
    company: Company | None = None

    @property
    def found(self) -> bool:
        return self.contact is not None or self.company is not None


def translate(ctx: RunContext, slot: str, source: Record, target_model: type[Record], *,
              carry: bool = True, **fields: Any) -> Record:
    """Build a target-system record from ``source`` through mapping slot ``slot``.

    With ``carry``, canonical fields carry over as they are (a person stays a person on
    both sides); the mapping's entries then override or add fields, custom ones included;
    ``fields`` come last. Only fields that end up set are marked as set on the result, so
    an update writes nothing else.
    """
    base: dict[str, Any] = {}
    if carry:
        base = source.model_dump(exclude=ENVELOPE | SYSTEM_BOUND | set(fields),
                                 exclude_none=True)
        base = {k: v for k, v in base.items() if k in target_model.model_fields}
    mapped = ctx.mapping(slot).apply(source) if slot in ctx.integration.mappings else {}
    return target_model.model_validate(_merge(_merge(base, mapped), fields))


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(into)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


async def _linked(ctx: RunContext, kind: str, source: Connection, record: Record | None,
                  target: Connection) -> str | None:
    if record is None or record.ref(source.name) is None:
        return None
    group = await ctx.links.lookup(kind, source.name, record.ref(source.name))
    return (group or {}).get(target.name)


async def _by_link(ctx: RunContext, kind: str, source: Connection, record: Record,
                   target: Connection, capability: str) -> Any:
    """The target's record already linked to ``record``, fetched with ``capability``."""
    linked = await _linked(ctx, kind, source, record, target)
    if linked is None or not target.has(capability):
        return None
    try:
        return await target.call(capability, id=linked)
    except NotFoundError:
        return None


async def _first_match(target: Connection, capability: str, field: str,
                       values: list[str]) -> Any:
    """The first record ``capability`` finds for one of ``values``, if the target can search."""
    if not target.has(capability):
        return None
    for value in values:
        found = await target.call(capability, **{field: value})
        if found is not None:
            return found
    return None


async def find_contact(ctx: RunContext, source: Connection, contact: Contact | None,
                       target: Connection) -> Contact | None:
    """The target's person for ``contact``: by link, then e-mail, then phone."""
    if contact is None:
        return None
    return (await _by_link(ctx, "contact", source, contact, target, "contact.get")
            or await _first_match(target, "contact.find_by_email", "email", contact.emails)
            or await _first_match(target, "contact.find_by_phone", "phone", contact.phones))


async def find_company(ctx: RunContext, source: Connection, company: Company | None,
                       target: Connection) -> Company | None:
    """The target's company for ``company``: by link, then e-mail, then exact name."""
    if company is None:
        return None
    names = [company.name] if company.name else []
    return (await _by_link(ctx, "company", source, company, target, "company.get")
            or await _first_match(target, "company.find_by_email", "email", company.emails)
            or await _first_match(target, "company.find_by_name", "name", names))


async def find_or_create_client(ctx: RunContext, source: Connection, target: Connection,
                                contact: Contact | None, company: Company | None, *,
                                create: bool, drafts: Client | None = None) -> Client:
    """The target's client for a source person and company, created when ``create``.

    Creation uses ``drafts`` when given, else the ``contact`` and ``company`` mapping
    slots, and ``ctx.create``, so a re-run of the same event never creates a second copy.
    Everything found or created is linked to the source records.
    """
    client = Client(await find_contact(ctx, source, contact, target),
                    await find_company(ctx, source, company, target))
    if client.contact is not None and client.company is None:
        # A known person keeps the company the target already gives them (if any);
        # creating the source's copy beside it would leave an orphan.
        client.company = client.contact.company
        company = None
    if create:
        drafts = drafts or Client(
            translate(ctx, "contact", contact, Contact) if contact else None,
            translate(ctx, "company", company, Company) if company else None)
        client = await _create_missing(ctx, target, drafts, client)
    await _link(ctx, "contact", source, contact, target, client.contact)
    await _link(ctx, "company", source, company, target, client.company)
    return client


async def _create_missing(ctx: RunContext, target: Connection, drafts: Client,
                          client: Client) -> Client:
    if client.company is None and drafts.company is not None and target.has("company.create"):
        company = drafts.company
        remote_id = await ctx.create(f"create-company:{target.name}", target, "company.create",
                                     company)
        client.company = company.model_copy(update={"refs": {target.name: remote_id}})
        ctx.note(f"created company {company.name!r} in {target.name}")
    if client.contact is None and drafts.contact is not None and target.has("contact.create"):
        contact = drafts.contact.model_copy(update={"company": client.company})
        remote_id = await ctx.create(f"create-contact:{target.name}", target, "contact.create",
                                     contact)
        client.contact = contact.model_copy(update={"refs": {target.name: remote_id}})
        ctx.note(f"created person {contact.display_name()!r} in {target.name}")
    return client


async def _link(ctx: RunContext, kind: str, source: Connection, record: Record | None,
                target: Connection, found: Record | None) -> None:
    if record is None or found is None:
        return
    source_id, target_id = record.ref(source.name), found.ref(target.name)
    if source_id and target_id:
        await ctx.links.link(kind, {source.name: source_id, target.name: target_id})


def client_label(client: Contact | Company | None) -> str:
    """A client as notes and errors name it: ``Maria Souza <maria@example.com>``."""
    if client is None:
        return "nobody"
    name = client.display_name() if isinstance(client, Contact) else client.name
    email = client.emails[0] if client.emails else None
    return " ".join(p for p in (name, f"<{email}>" if email else None) if p) or "a client"
