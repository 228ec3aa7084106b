"""``contact_sync`` two-way between Bigin and Zoho Desk, as a stateful property.

People are created and edited at random on both sides, through each vendor's API, while
the change notifications reach the recipe duplicated, late and out of order (and every
write of pontes is followed by the vendor's notification of it, the echo). Each delivery
runs the recipe over real HTTP against the two sandboxes, with a real SQLite store.
At the end every notification is delivered once more and:

- both sides have the same first name, last name and e-mail for every person;
- the closing round writes nothing, and pontes never wrote more often than people
  changed something: writes are counted from the sandboxes' request logs, minus the
  test's own.

CI runs a fixed seed and 100 steps (profile ``contact-sync-ci``); ``make fuzz`` sets
``CONTACT_SYNC_PROFILE=fuzz``: random seeds, 1,000 steps per example.
"""

from __future__ import annotations

import asyncio
import itertools
import os

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from pontes.config import parse_config
from pontes.models import Event
from pontes.plugins import load_plugins
from pontes.recipes import RunContext
from pontes.runtime import Runtime
from pontes.store import Store, StoreLinks
from pontes.testing import serve_app
from pontes_bigin.sandbox import SANDBOX_ACCESS_TOKEN as BIGIN_TOKEN
from pontes_zohodesk.sandbox import SANDBOX_ACCESS_TOKEN as DESK_TOKEN
from pontes_zohodesk.sandbox.state import ORG_ID

pytestmark = pytest.mark.slow

settings.register_profile("contact-sync-ci", max_examples=1, stateful_step_count=100, derandomize=True,
                          deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("contact-sync-fuzz", max_examples=3, stateful_step_count=1000, deadline=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = f"contact-sync-{os.environ.get('CONTACT_SYNC_PROFILE', 'ci')}"
WRITES = {"POST", "PUT", "PATCH"}
NAMES = st.sampled_from(["Ana", "Bia", "Caio", "Duda", "Enzo", "Flor", "Gil", "Hugo"])
_serial = itertools.count(1)


class Vendors:
    """Both sandboxes on loopback, the integration, the store and an event loop."""

    def __init__(self, workdir):
        plugins = load_plugins(["bigin", "zohodesk"])
        sandboxes = plugins.registry.sandboxes
        self._served = [serve_app(sandboxes[name].app()) for name in ("bigin", "zohodesk")]
        self.bigin_url, self.desk_url = (served.__enter__() for served in self._served)
        config = parse_config({
            "connections": {"bigin": sandboxes["bigin"].settings(self.bigin_url),
                            "desk": sandboxes["zohodesk"].settings(self.desk_url)},
            "integrations": {"sync": {"recipe": "contact_sync", "crm": "bigin",
                                      "helpdesk": "desk", "options": {"mode": "two_way"}}},
        })
        self.runtime = Runtime.build(config, plugins=plugins, key=b"property-test-key")
        self.integration = self.runtime.integrations["sync"]
        self.store = Store.open(f"sqlite:///{workdir}/store.db", key=b"property-test-key")
        self.links = StoreLinks(self.store.links, self.store.run, self.store.synced)
        self.loop = asyncio.new_event_loop()
        self.bigin = httpx.Client(base_url=self.bigin_url, timeout=30, headers={
            "Authorization": f"Zoho-oauthtoken {BIGIN_TOKEN}"})
        self.desk = httpx.Client(base_url=self.desk_url, timeout=30, headers={
            "Authorization": f"Zoho-oauthtoken {DESK_TOKEN}", "orgId": ORG_ID})
        self.own_writes = {"crm": 0, "helpdesk": 0}

    def close(self) -> None:
        self.loop.run_until_complete(self.runtime.aclose())
        self.loop.close()
        self.bigin.close()
        self.desk.close()
        self.store.close()
        for served in reversed(self._served):
            served.__exit__(None, None, None)

    def deliver(self, role: str, record_id: str) -> None:
        """The vendor's notification that ``record_id`` changed, run by the recipe."""
        connection = self.integration.connections[role]
        event = Event(type="contact.changed", connection=connection.name,
                      idempotency_key=f"delivery-{next(_serial)}",
                      entity_key=f"contact:{record_id}", record_id=record_id,
                      payload={"module": "Contacts"})
        context = RunContext(self.integration, event, role, self.links)
        self.loop.run_until_complete(self.integration.recipe.handle(context, event))

    def create(self, role: str, first: str, last: str, email: str) -> str:
        self.own_writes[role] += 1
        if role == "crm":
            answer = self.bigin.post("/bigin/v2/Contacts", json={"data": [{
                "First_Name": first, "Last_Name": last, "Email": email}]})
            return answer.raise_for_status().json()["data"][0]["details"]["id"]
        answer = self.desk.post("/api/v1/contacts", json={
            "firstName": first, "lastName": last, "email": email})
        return answer.raise_for_status().json()["id"]

    def edit(self, role: str, record_id: str, field: str, value: str) -> None:
        self.own_writes[role] += 1
        if role == "crm":
            name = {"first": "First_Name", "last": "Last_Name"}[field]
            self.bigin.put(f"/bigin/v2/Contacts/{record_id}",
                           json={"data": [{name: value}]}).raise_for_status()
            return
        name = {"first": "firstName", "last": "lastName"}[field]
        self.desk.patch(f"/api/v1/contacts/{record_id}", json={name: value}).raise_for_status()

    def people(self, role: str) -> dict[str, tuple]:
        """``{email: (first name, last name)}`` of every person on one side."""
        if role == "crm":
            rows = self.bigin.get("/_sandbox/records/Contacts").raise_for_status().json()
            return {r["Email"].lower(): (r.get("First_Name"), r.get("Last_Name"))
                    for r in rows if r.get("Email")}
        answer = self.desk.get("/api/v1/contacts", params={"limit": 100})
        rows = answer.raise_for_status().json()["data"] if answer.content else []
        return {r["email"].lower(): (r.get("firstName"), r.get("lastName"))
                for r in rows if r.get("email")}

    def ids(self, role: str) -> list[str]:
        if role == "crm":
            rows = self.bigin.get("/_sandbox/records/Contacts").raise_for_status().json()
        else:
            answer = self.desk.get("/api/v1/contacts", params={"limit": 100})
            rows = answer.raise_for_status().json()["data"] if answer.content else []
        return [str(r["id"]) for r in rows]

    def pontes_writes(self) -> int:
        """Writes the sandboxes received that the test did not make itself."""
        total = 0
        for client, api in ((self.bigin, "/bigin/v2/"), (self.desk, "/api/v1/")):
            log = client.get("/_sandbox/requests").raise_for_status().json()
            total += len([r for r in log if r["method"] in WRITES and r["path"].startswith(api)])
        return total - sum(self.own_writes.values())


@pytest.fixture
def vendors(tmp_path):
    found = Vendors(tmp_path)
    yield found
    found.close()


def other(role: str) -> str:
    return "helpdesk" if role == "crm" else "crm"


def test_two_way_sync_converges_without_echo_writes(vendors):
    class TwoWaySync(RuleBasedStateMachine):
        """Random creates and edits on both sides, with unruly notifications."""

        def __init__(self):
            super().__init__()
            self.people: list[dict[str, str | None]] = []
            self.pending: list[tuple[str, str]] = []
            self.changes = 0
            self.before = vendors.pontes_writes()

        @rule(role=st.sampled_from(["crm", "helpdesk"]), first=NAMES, last=NAMES)
        def create(self, role, first, last):
            email = f"p{next(_serial)}@sync.example"
            record_id = vendors.create(role, first, last, email)
            self.people.append({"email": email, role: record_id})
            self.pending.append((role, record_id))
            self.changes += 1

        @precondition(lambda self: self.known())
        @rule(data=st.data(), field=st.sampled_from(["first", "last"]), value=NAMES)
        def edit(self, data, field, value):
            role, record_id = data.draw(st.sampled_from(self.known()))
            vendors.edit(role, record_id, field, value)
            self.pending.append((role, record_id))
            self.changes += 1

        @precondition(lambda self: self.pending)
        @rule(data=st.data(), duplicate=st.booleans())
        def deliver(self, data, duplicate):
            """One notification, picked from anywhere in the queue (late and reordered),
            sometimes kept for a second delivery (duplicated)."""
            index = data.draw(st.integers(0, len(self.pending) - 1))
            role, record_id = self.pending[index] if duplicate else self.pending.pop(index)
            self.run(role, record_id)

        def run(self, role: str, record_id: str) -> None:
            before = vendors.pontes_writes()
            vendors.deliver(role, record_id)
            if vendors.pontes_writes() > before:
                self.pending.extend((r, i) for r in ("crm", "helpdesk")
                                    for i in vendors.ids(r))  # the vendors' echoes

        def known(self) -> list[tuple[str, str]]:
            return [(role, person[role]) for person in self.people
                    for role in ("crm", "helpdesk") if person.get(role)]

        def written(self) -> int:
            return vendors.pontes_writes() - self.before

        @invariant()
        def pontes_never_writes_more_than_people_change(self):
            assert self.written() <= self.changes

        def teardown(self):
            while self.pending:
                self.run(*self.pending.pop())
            for role in ("crm", "helpdesk"):
                for record_id in vendors.ids(role):
                    vendors.deliver(role, record_id)
            settled = vendors.pontes_writes()
            for role in ("crm", "helpdesk"):
                for record_id in vendors.ids(role):
                    vendors.deliver(role, record_id)
            assert vendors.pontes_writes() == settled, "a round with no change wrote"
            assert vendors.people("crm") == vendors.people("helpdesk")
            assert self.written() <= self.changes

    TwoWaySync.TestCase.settings = settings.get_profile(PROFILE)
    TwoWaySync.TestCase().runTest()
