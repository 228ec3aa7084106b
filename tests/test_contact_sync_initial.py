"""``contact_sync``'s initial sync through both sandboxes and a real SQLite store: every
person and company already in Bigin and Zoho Desk is queued once, an interrupted sync
(a vendor failing mid-way) resumes from its cursors without reading finished lists
again, and running the queued events leaves each person once on each side."""

from __future__ import annotations

import asyncio

import pytest
from contact_sync_support import Vendors
from pontes.errors import VendorError
from pontes.models import Event
from pontes.recipes import RunContext
from pontes.recipes.contact_sync.initial import DONE, initial_sync


@pytest.fixture
def vendors(tmp_path):
    made = Vendors(tmp_path)
    yield made
    made.close()


def sync(vendors: Vendors) -> int:
    return vendors.loop.run_until_complete(
        initial_sync(vendors.integration, vendors.store, progress=False))


def lists_read(vendors: Vendors) -> list[str]:
    """The list requests both sandboxes received, as ``METHOD path``."""
    paths = []
    for client in (vendors.bigin, vendors.desk):
        for request in client.get("/_sandbox/requests").raise_for_status().json():
            if request["path"] in ("/bigin/v2/Contacts", "/bigin/v2/Accounts",
                                   "/api/v1/contacts", "/api/v1/accounts"):
                paths.append(request["path"])
    return paths


def run_queued(vendors: Vendors) -> list[str]:
    """Every stored event run by the recipe, oldest first, as the worker would."""
    summaries = []
    for summary in reversed(vendors.store.events.list(integration="sync", limit=1000)):
        detail = vendors.store.events.get(summary.id)
        event = Event.model_validate(detail.event)
        context = RunContext(vendors.integration, event, summary.role, vendors.links)
        summaries.append(vendors.loop.run_until_complete(
            vendors.integration.recipe.handle(context, event)))
    return summaries


def test_an_interrupted_initial_sync_resumes_and_syncs_everyone_once(vendors):
    for n in range(3):
        vendors.create("crm", "Crm", f"Person{n}", f"crm{n}@example.com")
    vendors.create("crm", "Sam", "Both", "both@example.com")
    vendors.create("helpdesk", "Sam", "Both", "both@example.com")
    vendors.create("helpdesk", "Desk", "Person", "desk@example.com")
    vendors.desk.post("/_sandbox/faults", json={
        "status": 400, "count": 1, "path": "/api/v1/accounts", "method": "GET"}
    ).raise_for_status()

    with pytest.raises(VendorError):
        sync(vendors)
    cursors = {(c.connection, c.trigger): c.value for c in vendors.store.cursors.all()}
    assert cursors == {("bigin", "initial-sync:contact"): DONE,
                       ("bigin", "initial-sync:company"): DONE,
                       ("desk", "initial-sync:contact"): DONE}
    read_before = lists_read(vendors)

    assert sync(vendors) == 0, "the people were queued before the failure"
    read_again = lists_read(vendors)[len(read_before):]
    assert read_again == ["/api/v1/accounts"], "finished lists are not read again"
    assert sync(vendors) == 0 and lists_read(vendors)[len(read_before) + 1:] == []

    keys = [e.idempotency_key for e in vendors.store.events.list(integration="sync")]
    assert len(keys) == len(set(keys)) == 6, "one event per listed person"

    run_queued(vendors)
    both_sides = {"crm0@example.com", "crm1@example.com", "crm2@example.com",
                  "both@example.com", "desk@example.com"}
    for role in ("crm", "helpdesk"):
        assert set(vendors.people(role)) == both_sides
        assert len(vendors.ids(role)) == len(both_sides), f"nobody twice in {role}"
    assert vendors.people("helpdesk")["crm1@example.com"] == ("Crm", "Person1")
    created = vendors.pontes_writes()
    assert created == 4, "three people copied to Zoho Desk and one to Bigin"

    run_queued(vendors)
    assert vendors.pontes_writes() == created, "running the events again writes nothing"


def test_a_sync_stopped_mid_list_resumes_at_the_page_it_stopped_at(vendors):
    for n in range(130):
        vendors.create("helpdesk", "Desk", f"P{n}", f"p{n}@example.com")
    vendors.desk.post("/_sandbox/faults", json={
        "delay": 2, "count": 2, "path": "/api/v1/contacts", "method": "GET"}
    ).raise_for_status()

    def position() -> str | None:
        state = vendors.store.cursors.get("sync", "desk", "initial-sync:contact")
        return state.value if state else None

    async def stopped_mid_list() -> None:
        running = asyncio.create_task(
            initial_sync(vendors.integration, vendors.store, progress=False))
        while position() is None:
            await asyncio.sleep(0.05)
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running

    vendors.loop.run_until_complete(stopped_mid_list())
    assert position() == "101", "the first page of 100 is stored, the second is not"
    assert len(vendors.store.events.list(integration="sync", limit=1000)) == 100
    asked = len(vendors.desk.get("/_sandbox/requests").json())

    assert sync(vendors) == 30 and position() == DONE
    resumed = [r for r in vendors.desk.get("/_sandbox/requests").json()[asked:]
               if r["path"] == "/api/v1/contacts"]
    assert [r["query"] for r in resumed] == ["sortBy=createdTime&from=101&limit=100"]
    keys = [e.idempotency_key for e in vendors.store.events.list(integration="sync",
                                                                    limit=1000)]
    assert len(keys) == len(set(keys)) == 130
