"""Copying one changed record to the other side without loops or lost updates.

For every linked pair and field, the store keeps the value both sides last agreed on
(``synced_values``, per connection, in that side's canonical terms). A change from one
side is copied field by field:

- a field whose value is still the agreed one did not change there: nothing is written
  (this is how the echo of our own write is dropped);
- a field the other side already has is not written (compare before write);
- a field changed on both sides since the agreement is a conflict, settled by the
  ``conflict`` option; the losing value goes to the event's notes, and when the other side
  wins, its value is written back at once so both sides end equal.

After each copy the agreed values are recorded for both sides: for the target, what was
sent or what it already had; for the source, every field the target, mapped back, now
gives exactly as the source has it.

Events about the two sides of one pair may run at the same time (each side's
notifications have their own entity key), so the target's agreed values are read
before either record (``agreed_before_reading``). Then every value they hold was agreed,
and pontes' write behind it made, before the source was read: a source value that
differs from them is a change made since, never an older read of a record another
event has just written into. For the same reason a field whose value is still the
agreed one is not recorded again: another event may have recorded a newer one since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...connection import Connection
from ...models import Record
from ..base import RunContext
from ..clients import translate
from .fields import flatten, one_name, synced_fields, unflatten
from .options import ContactSyncOptions


def other_role(role: str) -> str:
    """The role on the other side: ``crm`` for ``helpdesk`` and back."""
    return "helpdesk" if role == "crm" else "crm"


def slot_for(entity: str, target_role: str) -> str:
    """The mapping slot of one direction: ``contact_to_helpdesk``, ``company_to_crm``..."""
    return f"{entity}_to_{target_role}"


@dataclass
class Side:
    """One side of a linked pair: its role, connection and current record."""

    role: str
    connection: Connection
    record: Record

    @property
    def remote_id(self) -> str:
        """The record's id at this side's connection."""
        return self.record.ref(self.connection.name)


@dataclass
class Pair:
    """A linked pair being synced: the entity kind, the link's id and both sides.

    ``agreed`` is the target's agreed values as read before either record
    (``Agreed.for_pair``); ``None`` reads them when pushing."""

    entity: str
    link_id: str
    source: Side
    target: Side
    agreed: dict[str, Any] | None = None


@dataclass(frozen=True)
class Agreed:
    """The values one side of a link had agreed on, read before either record was."""

    link_id: str
    connection: str
    values: dict[str, Any]

    def for_pair(self, pair: Pair) -> dict[str, Any] | None:
        """These values if they are the pair's target's, else ``None``."""
        if (self.link_id, self.connection) != (pair.link_id, pair.target.connection.name):
            return None
        return self.values


async def agreed_before_reading(ctx: RunContext, entity: str, remote_id: str | None,
                                target: Connection) -> Agreed | None:
    """What ``target`` had agreed on for the source record ``remote_id``'s link, read now,
    before the records are; ``None`` when the record is not linked yet."""
    if remote_id is None:
        return None
    group = await ctx.links.lookup(entity, ctx.source.name, remote_id)
    if group is None:
        return None
    values = await ctx.links.synced(ctx.integration.name, group["id"], target.name)
    return Agreed(group["id"], target.name, values)


def desired(ctx: RunContext, entity: str, source: Side, target_role: str) -> dict[str, Any]:
    """What ``source``'s record gives the other side, field by field, in its terms."""
    model = type(source.record)
    slot = slot_for(entity, target_role)
    mapped = ctx.mapping(slot).targets if slot in ctx.integration.mappings else []
    fields = synced_fields(model, mapped)
    return flatten(translate(ctx, slot, source.record, model), fields)


def winner(options: ContactSyncOptions, pair: Pair) -> str:
    """The role whose value wins a field edited on both sides."""
    if options.conflict != "newest":
        return options.conflict
    source_at = pair.source.record.remote_updated_at
    target_at = pair.target.record.remote_updated_at
    if source_at is None or target_at is None or source_at == target_at:
        return "crm"
    return pair.source.role if source_at > target_at else pair.target.role


async def push(ctx: RunContext, pair: Pair, *, source_wins: bool = False) -> int:
    """Copy the source's changed fields to the target; returns how many were written.

    With ``source_wins`` every conflict goes to the source (the write-back of a conflict
    the other side won).
    """
    source, target = pair.source, pair.target
    name = ctx.integration.name
    wanted = desired(ctx, pair.entity, source, target.role)
    current = flatten(target.record, list(wanted))
    wanted = one_name(wanted, current)
    agreed = pair.agreed
    if agreed is None:
        agreed = await ctx.links.synced(name, pair.link_id, target.connection.name)
    writes: dict[str, Any] = {}
    lost: dict[str, Any] = {}
    held: dict[str, Any] = {}
    for field, value in wanted.items():
        if field in agreed and agreed[field] == value:
            continue
        if current[field] == value:
            held[field] = value
            continue
        target_changed = (current[field] != agreed[field] if field in agreed
                          else current[field] is not None)
        if target_changed and not source_wins and winner(ctx.options, pair) == target.role:
            lost[field] = value
            continue
        if target_changed:
            ctx.note(f"{pair.entity} {target.remote_id} at {target.connection.name}: "
                     f"{field} {current[field]!r} lost to {value!r} from "
                     f"{source.connection.name} (conflict: {ctx.options.conflict})")
        writes[field] = value
    if writes:
        await target.connection.call(f"{pair.entity}.update", id=target.remote_id,
                                     changes=unflatten(type(target.record), writes))
        target.record = await target.connection.call(f"{pair.entity}.get",
                                                     id=target.remote_id)
        ctx.note(f"{pair.entity} {target.remote_id} at {target.connection.name}: wrote "
                 f"{', '.join(sorted(writes))} from {source.connection.name}")
    await ctx.links.remember(name, pair.link_id, target.connection.name,
                             {**held, **writes})
    await _remember_source(ctx, pair)
    if lost:
        for field, value in lost.items():
            ctx.note(f"{pair.entity} {source.remote_id} at {source.connection.name}: "
                     f"{field} {value!r} lost to {current[field]!r} from "
                     f"{target.connection.name} (conflict: {ctx.options.conflict})")
        if ctx.options.copies(target.role):
            back = Pair(pair.entity, pair.link_id, target, source)
            writes_back = await push(ctx, back, source_wins=True)
            return len(writes) + writes_back
    return len(writes)


async def _remember_source(ctx: RunContext, pair: Pair) -> None:
    """Record as agreed, for the source, the fields the target mapped back gives exactly
    as the source has them (so the target's echo of this copy changes nothing)."""
    source, target = pair.source, pair.target
    back = desired(ctx, pair.entity, target, source.role)
    have = flatten(source.record, list(back))
    same = {f: v for f, v in back.items() if have[f] == v}
    await ctx.links.remember(ctx.integration.name, pair.link_id, source.connection.name, same)
