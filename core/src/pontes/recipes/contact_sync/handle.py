"""One change event of ``contact_sync``: find the other side's record, link it, copy.

Matching asks the links store first (a pair linked before stays linked when its e-mail
changes), then e-mail, then phone in E.164, through the other side's capabilities. A
record the other side lacks is created there when the mode copies that way. A record
that is gone at its vendor is a deletion: it is never copied, only recorded, and
``on_delete: unlink`` takes its link apart. What the other side had agreed on is read
before either record (``sync.agreed_before_reading``).
"""

from __future__ import annotations

from ...connection import Connection
from ...errors import NotFoundError
from ...models import Company, Contact, Event, Record
from ..base import RunContext
from ..clients import client_label, find_company, find_contact
from .catch_up import CATCH_UP
from .fields import unflatten
from .sync import Pair, Side, agreed_before_reading, desired, other_role, push

MODELS: dict[str, type[Record]] = {"contact": Contact, "company": Company}


def entity_of(event: Event) -> str:
    """``contact`` or ``company``, from the event's type."""
    return event.type.split(".", 1)[0]


async def handle(ctx: RunContext, event: Event) -> str:
    """Sync the record ``event`` is about to the other side, as the options say."""
    entity = entity_of(event)
    source_role, target_role = ctx.source_role, other_role(ctx.source_role)
    source, target = ctx.source, ctx.role(target_role)
    before = await agreed_before_reading(ctx, entity, event.record_id, target)
    try:
        record = await _current(ctx, entity, event)
    except NotFoundError:
        return await deleted(ctx, entity, event)
    found = await matching(ctx, entity, source, record, target)
    copies = ctx.options.copies(source_role)
    if found is None:
        if not copies or not target.has(f"{entity}.create"):
            return (f"{entity} {record.ref(source.name)} ({client_label(record)}) has no "
                    f"match in {target.name}: nothing to link")
        found = await create(ctx, entity, Side(source_role, source, record), target_role)
    pair = Pair(entity, "", Side(source_role, source, record), Side(target_role, target, found))
    pair.link_id = await ctx.links.link(entity, {source.name: pair.source.remote_id,
                                                 target.name: pair.target.remote_id})
    pair.agreed = before.for_pair(pair) if before is not None else None
    label = f"{entity} {pair.source.remote_id} ({client_label(record)})"
    if not copies:
        return f"{label} linked to {pair.target.remote_id} in {target.name}; not copied " \
               f"(mode {ctx.options.mode})"
    written = await push(ctx, pair)
    if not written:
        return f"{label}: {target.name} already agrees (nothing to write)"
    return ctx.notes[-1]


async def _current(ctx: RunContext, entity: str, event: Event) -> Record:
    """The event's record as its vendor has it now: through the trigger that sent the
    event, or ``<entity>.get`` for a catch-up event."""
    if event.trigger == CATCH_UP:
        return await ctx.source.call(f"{entity}.get", id=str(event.record_id))
    return await ctx.load(MODELS[entity])


async def matching(ctx: RunContext, entity: str, source: Connection, record: Record,
                   target: Connection) -> Record | None:
    """The other side's record for ``record``: by link, e-mail, then phone."""
    if entity == "contact":
        return await find_contact(ctx, source, record, target)
    return (await find_company(ctx, source, record, target)
            or await _company_by_phone(target, record))


async def _company_by_phone(target: Connection, company: Record) -> Record | None:
    if not target.has("company.find_by_phone"):
        return None
    for phone in company.phones:
        found = await target.call("company.find_by_phone", phone=phone)
        if found is not None:
            return found
    return None


async def create(ctx: RunContext, entity: str, source: Side, target_role: str) -> Record:
    """Create ``source``'s record at the other side (once per event) and return it."""
    target = ctx.role(target_role)
    model = MODELS[entity]
    values = desired(ctx, entity, source, target_role)
    draft = unflatten(model, {k: v for k, v in values.items() if v is not None})
    remote_id = await ctx.create(f"sync-{entity}:{target.name}", target, f"{entity}.create",
                                 draft)
    ctx.note(f"created {entity} {remote_id} in {target.name} from {source.remote_id} "
             f"in {source.connection.name}")
    return await target.call(f"{entity}.get", id=remote_id)


async def deleted(ctx: RunContext, entity: str, event: Event) -> str:
    """Record that the event's record is gone; unlink it when ``on_delete: unlink``."""
    source = ctx.source
    remote_id = event.record_id or event.entity_key
    group = await ctx.links.lookup(entity, source.name, remote_id)
    ctx.note(f"{entity} {remote_id} was deleted in {source.name}; the deletion is not copied")
    if group is not None and ctx.options.on_delete == "unlink":
        await ctx.links.unlink(entity, source.name, remote_id)
        await ctx.links.forget(ctx.integration.name, group["id"])
        ctx.note(f"{entity} {remote_id} unlinked (on_delete: unlink)")
    return ctx.notes[-1]

