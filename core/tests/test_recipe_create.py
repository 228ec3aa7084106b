"""``RunContext.create``: one record per event and step, whatever happened to the answer.

Real pieces only: the Ploomes and Movidesk sandboxes served on loopback (with faults that
strike after the record is stored), the plugins' clients, and a SQLite links store. Each
test runs the same step twice, as the engine does after a failed or interrupted attempt,
and counts what the vendor holds.
"""

from __future__ import annotations

import logging

import httpx
import pytest
from pontes.config import parse_config
from pontes.errors import VendorUnavailable
from pontes.markers import marker_for
from pontes.models import Company, Contact, Deal, Event, Interaction, Ticket
from pontes.plugins import load_plugins
from pontes.recipes import RunContext
from pontes.runtime import Runtime
from pontes.store import Store, StoreLinks
from pontes.testing import serve_app

pytestmark = pytest.mark.anyio

MARIA = "40000123"
"""A person of the Ploomes sandbox's demo account."""


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(["movidesk", "ploomes"])


@pytest.fixture
def sandboxes(plugins):
    found = plugins.registry.sandboxes
    with serve_app(found["ploomes"].app()) as ploomes, \
            serve_app(found["movidesk"].app(requests_per_minute=600)) as movidesk:
        yield {"ploomes": ploomes, "movidesk": movidesk}


@pytest.fixture
def runtime(plugins, sandboxes):
    found = plugins.registry.sandboxes
    ploomes = {**found["ploomes"].settings(sandboxes["ploomes"]), "timeout_seconds": 0.5}
    config = parse_config({
        "public_url": "https://pontes.example.com",
        "connections": {
            "movidesk": found["movidesk"].settings(sandboxes["movidesk"],
                                                   requests_per_minute=600),
            "ploomes": ploomes,
            "bare-ploomes": {**ploomes, "deal_marker_field": None,
                             "contact_marker_field": None},
        },
        "integrations": {"history": {"recipe": "ticket_history", "helpdesk": "movidesk",
                                     "crm": "ploomes"}},
    })
    return Runtime.build(config, plugins=plugins, key=b"test-key")


@pytest.fixture
def store(tmp_path):
    opened = Store.open(f"sqlite:///{tmp_path / 'pontes.db'}", key=b"test-key")
    yield opened
    opened.close()


def attempt(runtime, store, key: str = "ticket:7001:Resolvido") -> RunContext:
    """A fresh run of one event, as the engine starts each attempt."""
    event = Event(type="ticket.changed", connection="movidesk", idempotency_key=key,
                  entity_key="ticket:7001")
    return RunContext(runtime.integrations["history"], event, "helpdesk",
                      StoreLinks(store.links, store.run))


def note(text: str = "Ticket 7001 resolvido") -> Interaction:
    return Interaction(subject=text, content_text="Status: Resolvido",
                       contact=Contact(refs={"ploomes": MARIA}))


def fault(sandboxes, vendor: str, **spec) -> None:
    httpx.post(f"{sandboxes[vendor]}/_sandbox/faults", json=spec).raise_for_status()


def ploomes_rows(sandboxes, resource: str) -> list[dict]:
    return httpx.get(f"{sandboxes['ploomes']}/_sandbox/ploomes/records/{resource}").json()


def posts(sandboxes, vendor: str, path: str) -> int:
    log = httpx.get(f"{sandboxes[vendor]}/_sandbox/requests").json()
    return sum(1 for r in log if r["method"] == "POST" and r["path"].endswith(path))


def notes_of_maria(sandboxes) -> list[dict]:
    return [r for r in ploomes_rows(sandboxes, "InteractionRecords")
            if r["ContactId"] == int(MARIA)]


@pytest.mark.parametrize("lost_answer", [
    {"status": 503},
    {"status": 500, "body": {"error": {"message": "An error has occurred."}}},
    {"delay": 1.5},
    {"drop": True},
], ids=["503", "500", "late", "dropped"])
async def test_a_create_whose_answer_was_lost_is_found_not_made_again(
        runtime, store, sandboxes, lost_answer):
    before = notes_of_maria(sandboxes)
    crm = runtime.connections["ploomes"]
    fault(sandboxes, "ploomes", path="/InteractionRecords", method="POST", commit_first=True,
          **lost_answer)
    with pytest.raises(VendorUnavailable):
        await attempt(runtime, store).create("history", crm, "interaction.create", note())
    assert len(notes_of_maria(sandboxes)) == len(before) + 1  # the vendor did create it

    again = attempt(runtime, store)
    record_id = await again.create("history", crm, "interaction.create", note())
    made = [r for r in notes_of_maria(sandboxes) if r not in before]
    assert [str(r["Id"]) for r in made] == [record_id]
    assert posts(sandboxes, "ploomes", "/InteractionRecords") == 1
    assert "created by an earlier attempt" in again.notes[-1]


async def test_a_create_refused_before_processing_is_made_on_the_next_attempt(
        runtime, store, sandboxes):
    before = notes_of_maria(sandboxes)
    crm = runtime.connections["ploomes"]
    fault(sandboxes, "ploomes", path="/InteractionRecords", method="POST", status=503)
    with pytest.raises(VendorUnavailable):
        await attempt(runtime, store).create("history", crm, "interaction.create", note())
    assert notes_of_maria(sandboxes) == before
    record_id = await attempt(runtime, store).create("history", crm, "interaction.create",
                                                     note())
    assert [str(r["Id"]) for r in notes_of_maria(sandboxes) if r not in before] == [record_id]


async def test_a_finished_step_is_reused_without_calling_the_vendor(runtime, store, sandboxes):
    crm = runtime.connections["ploomes"]
    first = await attempt(runtime, store).create("history", crm, "interaction.create", note())
    calls = len(httpx.get(f"{sandboxes['ploomes']}/_sandbox/requests").json())
    again = await attempt(runtime, store).create("history", crm, "interaction.create", note())
    assert again == first
    assert len(httpx.get(f"{sandboxes['ploomes']}/_sandbox/requests").json()) == calls


async def test_other_events_and_steps_create_their_own_records(runtime, store, sandboxes):
    crm = runtime.connections["ploomes"]
    one = await attempt(runtime, store, "ticket:7001:a").create("history", crm,
                                                                 "interaction.create", note())
    two = await attempt(runtime, store, "ticket:7001:b").create("history", crm,
                                                                 "interaction.create", note())
    three = await attempt(runtime, store, "ticket:7001:a").create("other", crm,
                                                                   "interaction.create", note())
    assert len({one, two, three}) == 3
    assert marker_for("history", "ticket:7001:a", "history") == \
        marker_for("history", "ticket:7001:a", "history")
    assert len({marker_for("history", "k", "s"), marker_for("history", "k", "t"),
                marker_for("history", "j", "s"), marker_for("other", "k", "s")}) == 4


async def test_a_lost_ticket_create_at_movidesk_is_found_by_its_note(runtime, store, sandboxes):
    helpdesk = runtime.connections["movidesk"]
    draft = Ticket(subject="Upgrade Plano Ouro", description="Negócio ganho",
                   requester=Contact(refs={"movidesk": "cli-carla"}))
    fault(sandboxes, "movidesk", path="/public/v1/tickets", method="POST", commit_first=True,
          status=502)
    with pytest.raises(VendorUnavailable):
        await attempt(runtime, store).create("open-ticket", helpdesk, "ticket.create", draft)
    ticket_id = await attempt(runtime, store).create("open-ticket", helpdesk, "ticket.create",
                                                     draft)
    state = httpx.get(f"{sandboxes['movidesk']}/_sandbox/state").json()
    opened = [t for t in state["tickets"] if t["subject"] == "Upgrade Plano Ouro"]
    assert [str(t["id"]) for t in opened] == [ticket_id]
    assert posts(sandboxes, "movidesk", "/tickets") == 1


async def test_a_lost_deal_create_is_found_by_its_marker_field(runtime, store, sandboxes):
    crm = runtime.connections["ploomes"]
    draft = Deal(title="Chat com Rui", contact=Contact(refs={"ploomes": MARIA}))
    fault(sandboxes, "ploomes", path="/Deals", method="POST", commit_first=True, drop=True)
    with pytest.raises(VendorUnavailable):
        await attempt(runtime, store).create("deal", crm, "deal.create", draft)
    deal_id = await attempt(runtime, store).create("deal", crm, "deal.create", draft)
    made = [d for d in ploomes_rows(sandboxes, "Deals") if d["Title"] == "Chat com Rui"]
    assert [str(d["Id"]) for d in made] == [deal_id]


async def test_a_connection_that_cannot_look_creates_again_and_says_so(
        runtime, store, sandboxes, caplog):
    bare = runtime.connections["bare-ploomes"]
    draft = Deal(title="Sem marcador", contact=Contact(refs={"bare-ploomes": MARIA}))
    fault(sandboxes, "ploomes", path="/Deals", method="POST", commit_first=True, status=503)
    with pytest.raises(VendorUnavailable):
        await attempt(runtime, store).create("deal", bare, "deal.create", draft)
    with caplog.at_level(logging.WARNING, logger="pontes.recipes"):
        await attempt(runtime, store).create("deal", bare, "deal.create", draft)
    assert len([d for d in ploomes_rows(sandboxes, "Deals") if d["Title"] == "Sem marcador"]) == 2
    assert "may be created twice" in caplog.text and "deal_marker_field" in caplog.text


@pytest.mark.parametrize(("capability", "draft"), [
    ("contact.create", Contact(name="Rui Prado", emails=["rui@prado.test"])),
    ("company.create", Company(name="Prado Comércio ME")),
], ids=["person", "company"])
async def test_a_lost_person_or_company_create_is_found_by_its_marker_field(
        runtime, store, sandboxes, capability, draft):
    crm = runtime.connections["ploomes"]
    fault(sandboxes, "ploomes", path="/Contacts", method="POST", commit_first=True, status=503)
    with pytest.raises(VendorUnavailable):
        await attempt(runtime, store).create("client", crm, capability, draft)
    client_id = await attempt(runtime, store).create("client", crm, capability, draft)
    made = [c for c in ploomes_rows(sandboxes, "Contacts") if c["Name"] == draft.name]
    assert [str(c["Id"]) for c in made] == [client_id]
    assert posts(sandboxes, "ploomes", "/Contacts") == 1
