"""``contact_sync``'s catch-up after a reactivation, run in this process against the Bigin
and Zoho Desk sandboxes with a real store: both sides of a linked person were edited
while the integration was off. Their two catch-up events give the same result whichever
runs first, and the store never hands them out together. Events of the two sides may
still run at once (a notification has another entity key than a catch-up event), so
an event that read its record before the other side's event wrote into it must not copy
that older value back."""

from __future__ import annotations

import asyncio

import pytest
from contact_sync_support import Vendors
from pontes.recipes import RunContext
from pontes.recipes.contact_sync.catch_up import catch_up
from pontes.store import NewEvent
from pontes.store.events import Outcome

EMAIL = "paused@catch.example"
OTHER = {"crm": "helpdesk", "helpdesk": "crm"}


@pytest.fixture
def vendors(tmp_path):
    found = Vendors(tmp_path)  # conflict: newest, the default
    yield found
    found.close()


def paused_person(vendors: Vendors) -> dict[str, str]:
    """A linked person whose first name was edited in Bigin and last name in Zoho Desk
    while the integration was off; their ids by role."""
    bigin_id = vendors.create("crm", "Ana", "Base", EMAIL)
    vendors.deliver("crm", bigin_id)
    (desk_id,) = [i for i in vendors.ids("helpdesk")
                  if vendors.desk.get(f"/api/v1/contacts/{i}").json()["email"] == EMAIL]
    vendors.deliver("helpdesk", desk_id)  # the echo of the copy
    vendors.edit("helpdesk", desk_id, "last", "Pausada")
    vendors.edit("crm", bigin_id, "first", "Bia")
    return {"crm": bigin_id, "helpdesk": desk_id}


def catch_up_contexts(vendors: Vendors, ids: dict[str, str]) -> dict[str, RunContext]:
    """The run contexts of the person's two catch-up events, by role."""
    integration = vendors.integration
    refs = {integration.connections[role].name: remote_id for role, remote_id in ids.items()}
    return {role: RunContext(integration, event, role, vendors.links)
            for role, event in catch_up(integration, [("contact", refs)])}


def run(vendors: Vendors, context: RunContext) -> str:
    return vendors.loop.run_until_complete(
        vendors.integration.recipe.handle(context, context.event))


def assert_both_edits_kept(vendors: Vendors) -> None:
    assert vendors.people("crm")[EMAIL] == ("Bia", "Pausada")
    assert vendors.people("helpdesk")[EMAIL] == ("Bia", "Pausada")


@pytest.mark.parametrize("first", ["crm", "helpdesk"])
def test_catch_up_events_one_after_the_other_keep_both_edits(vendors, first):
    contexts = catch_up_contexts(vendors, paused_person(vendors))
    written = vendors.pontes_writes()
    run(vendors, contexts[first])
    run(vendors, contexts[OTHER[first]])
    assert_both_edits_kept(vendors)
    assert vendors.pontes_writes() == written + 2


@pytest.mark.parametrize("first", ["crm", "helpdesk"])
def test_catch_up_events_settle_a_field_edited_on_both_sides_for_the_newer_edit(vendors,
                                                                                first):
    """Zoho Desk's clock is moved an hour on, so its edit of the last name is the newer
    one by the vendors' modified times; the older Bigin value never overwrites it."""
    ids = paused_person(vendors)
    vendors.edit("crm", ids["crm"], "last", "Antiga")
    vendors.desk.post("/_sandbox/clock", json={"advance": 3600}).raise_for_status()
    vendors.edit("helpdesk", ids["helpdesk"], "last", "Nova")
    contexts = catch_up_contexts(vendors, ids)
    run(vendors, contexts[first])
    assert any("'Antiga' lost to 'Nova'" in note for note in contexts[first].notes), \
        contexts[first].notes
    run(vendors, contexts[OTHER[first]])
    assert vendors.people("crm")[EMAIL] == ("Bia", "Nova")
    assert vendors.people("helpdesk")[EMAIL] == ("Bia", "Nova")


def queue_catch_up(vendors: Vendors, contexts: dict[str, RunContext]) -> None:
    """Store the catch-up events as ``pontes activate`` does, crm side first."""
    name = vendors.integration.name
    vendors.store.events.insert([NewEvent(
        integration=name, role=role, connection=c.event.connection, source="poll",
        trigger=c.event.trigger, type=c.event.type, idempotency_key=c.event.idempotency_key,
        entity_key=c.event.entity_key, event=c.event.model_dump(mode="json"))
        for role, c in sorted(contexts.items())])


def run_claimed(vendors: Vendors, contexts: dict[str, RunContext]) -> list[str]:
    """Claim what the store hands out now, run it and record it done; the roles run."""
    claimed = vendors.store.events.claim(10)
    for item in claimed:
        summary = run(vendors, contexts[item.role])
        vendors.store.events.finish_many([Outcome(item.id, item.attempt, "succeeded",
                                                  result={"summary": summary})])
    return [item.role for item in claimed]


def test_the_two_catch_up_events_of_a_pair_are_handed_out_one_at_a_time(vendors):
    """Run at the same time, the later event would copy the record it read before the
    other wrote into it; the store hands out the second only once the first is done."""
    contexts = catch_up_contexts(vendors, paused_person(vendors))
    queue_catch_up(vendors, contexts)
    written = vendors.pontes_writes()
    assert run_claimed(vendors, contexts) == ["crm"]
    assert run_claimed(vendors, contexts) == ["helpdesk"]
    assert run_claimed(vendors, contexts) == []
    assert_both_edits_kept(vendors)
    assert vendors.pontes_writes() == written + 2


def test_catch_up_events_of_different_pairs_run_side_by_side(vendors):
    paused = paused_person(vendors)
    other = vendors.create("crm", "Rui", "Outro", "other@catch.example")
    vendors.deliver("crm", other)
    (other_desk,) = [i for i in vendors.ids("helpdesk") if i != paused["helpdesk"]]
    queue_catch_up(vendors, catch_up_contexts(vendors, paused))
    queue_catch_up(vendors, catch_up_contexts(vendors, {"crm": other, "helpdesk": other_desk}))
    claimed = vendors.store.events.claim(10)
    assert sorted(item.event["record_id"] for item in claimed) == sorted([paused["crm"], other])


@pytest.mark.parametrize("slow", ["crm", "helpdesk"])
def test_an_event_that_read_its_record_before_the_other_side_wrote_into_it_keeps_both_edits(
        vendors, slow, monkeypatch):
    """The ``slow`` side's event reads its record, then waits while the other side's event
    runs to its end, writing that side's edit into the very record the slow one read."""
    ids = paused_person(vendors)
    contexts = catch_up_contexts(vendors, ids)
    connection = vendors.integration.connections[slow]
    read = connection.call
    held = asyncio.Event()
    other_done = asyncio.Event()

    async def read_then_wait(name, params=None, /, **fields):
        answer = await read(name, params, **fields)
        if name == "contact.get" and fields.get("id") == ids[slow] and not held.is_set():
            held.set()
            await other_done.wait()
        return answer

    monkeypatch.setattr(connection, "call", read_then_wait)
    recipe = vendors.integration.recipe

    async def other_side() -> None:
        await held.wait()
        try:
            await recipe.handle(contexts[OTHER[slow]], contexts[OTHER[slow]].event)
        finally:
            other_done.set()

    async def both() -> None:
        await asyncio.gather(recipe.handle(contexts[slow], contexts[slow].event),
                             other_side())

    vendors.loop.run_until_complete(asyncio.wait_for(both(), 60))
    assert_both_edits_kept(vendors)
