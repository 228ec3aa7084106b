"""amoCRM leads as canonical deals: create, get, update, finish, a client's deals and a
deal's feed (the events API).

A lead is created in ``pipeline``/``stage`` (``pipeline_id``/``status_id``) with its
responsible user, price and ``custom_fields_values`` (values and ``enum_id``s, from the
deal's ``custom``); finishing it moves it to status 142 (won) or 143 (lost), which every
pipeline has.
"""

from __future__ import annotations

from pontes.plugin import (
    ById,
    Connection,
    Deal,
    DealsOf,
    DealStatus,
    FeedEntry,
    FinishDeal,
    UpdateDeal,
)

from ..client import API_PREFIX, MAX_LIMIT, fetch_all
from ..connector import kit
from ..ids import amocrm_id
from ..mappers import deal_from_canonical, deal_to_canonical, moment
from .markers import find_marked, with_marker
from .records import create_one, get_one, read_back

LEAD_LINKS = "contacts"
"""``with`` for lead reads: the linked contacts and companies."""

IDS_PER_FILTER = 50
"""Lead ids asked for in one ``filter[id][]`` list."""


async def _write(connection: Connection, lead_id: int, payload: dict) -> Deal:
    payload.pop("id", None)
    await connection.client.patch_json(f"{API_PREFIX}/leads/{lead_id}", json=payload,
                                       retry_safe=True)
    return await read_back(connection, "leads", lead_id, payload, deal_to_canonical,
                           with_=LEAD_LINKS)


@kit.action("deal.create")
async def deal_create(connection: Connection, params: Deal) -> Deal:
    """Create a lead, linked to its contact and company when they have amoCRM ids, with
    its marker in ``deal_marker_field`` when one is set."""
    payload = deal_from_canonical(params, connection.name)
    payload.pop("id", None)
    payload = with_marker(connection, "leads", payload, params)
    lead_id = await create_one(connection, "leads", payload)
    return await read_back(connection, "leads", lead_id, payload, deal_to_canonical,
                           with_=LEAD_LINKS)


@kit.action("deal.find_created")
async def deal_find_created(connection: Connection, params: Deal) -> Deal | None:
    """The lead created from this draft, by the marker in ``deal_marker_field``."""
    return await find_marked(connection, "leads", params, deal_to_canonical)


@kit.action("deal.get")
async def deal_get(connection: Connection, params: ById) -> Deal:
    """One lead, with its contacts and companies."""
    return deal_to_canonical(await get_one(connection, "leads", params.id, with_=LEAD_LINKS),
                             connection.name)


@kit.action("deal.update")
async def deal_update(connection: Connection, params: UpdateDeal) -> Deal:
    """Write the fields set in ``changes``; amoCRM keeps the others."""
    return await _write(connection, amocrm_id(params.id, "id"),
                        deal_from_canonical(params.changes, connection.name))


@kit.action("deal.finish")
async def deal_finish(connection: Connection, params: FinishDeal) -> Deal:
    """Move a lead to 142 (won) or 143 (lost), with the other ``changes`` at once."""
    changes = (params.changes or Deal()).model_copy(update={"status": params.status})
    return await _write(connection, amocrm_id(params.id, "id"),
                        deal_from_canonical(changes, connection.name))


@kit.action("deal.list_for_client")
async def deal_list_for_client(connection: Connection, params: DealsOf) -> list[Deal]:
    """The leads linked to a contact or a company (``with=leads`` on it, then the leads by
    id), newest first; only open ones with ``only_open``; each with the custom fields
    chosen in ``fields`` (all of them without)."""
    owner = ("contacts", params.contact_id) if params.contact_id else ("companies",
                                                                       params.company_id)
    if owner[1] is None:
        return []
    raw = await get_one(connection, owner[0], owner[1], with_="leads")
    ids = [lead["id"] for lead in (raw.get("_embedded") or {}).get("leads") or []]
    leads = []
    for start in range(0, len(ids), IDS_PER_FILTER):
        chunk = ids[start:start + IDS_PER_FILTER]
        leads += await fetch_all(connection.client, f"{API_PREFIX}/leads", "leads", params={
            "filter[id][]": [str(i) for i in chunk], "with": LEAD_LINKS,
            "order[created_at]": "desc"}, allowed_hosts=connection.settings.allowed_hosts)
    deals = [deal_to_canonical(lead, connection.name) for lead in leads]
    deals = [deal.model_copy(update={"custom": params.chosen_fields(deal.custom)})
             for deal in deals]
    if params.only_open:
        deals = [deal for deal in deals if deal.status is DealStatus.open]
    return sorted(deals, key=lambda d: (d.remote_data or {}).get("created_at") or 0, reverse=True)


@kit.action("deal.feed")
async def deal_feed(connection: Connection, params: ById) -> list[FeedEntry]:
    """The lead's events (``GET /api/v4/events?filter[entity]=lead&filter[entity_id]=``),
    newest first, as amoCRM reports them: event ``id`` is text, ``created_by`` 0 is
    amoCRM itself."""
    events = await fetch_all(connection.client, f"{API_PREFIX}/events", "events", params={
        "filter[entity]": "lead", "filter[entity_id]": str(amocrm_id(params.id, "id"))},
        allowed_hosts=connection.settings.allowed_hosts, most=MAX_LIMIT)
    return [FeedEntry(id=str(event["id"]), type=str(event.get("type")),
                      occurred_at=moment(event.get("created_at")),
                      author_id=str(event.get("created_by", "")) or None,
                      before=event.get("value_before"), after=event.get("value_after"))
            for event in events]
