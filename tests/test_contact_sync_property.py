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

import itertools
import os

import pytest
from contact_sync_support import Vendors
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

pytestmark = pytest.mark.slow

settings.register_profile("contact-sync-ci", max_examples=1, stateful_step_count=100, derandomize=True,
                          deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile("contact-sync-fuzz", max_examples=3, stateful_step_count=1000, deadline=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = f"contact-sync-{os.environ.get('CONTACT_SYNC_PROFILE', 'ci')}"
NAMES = st.sampled_from(["Ana", "Bia", "Caio", "Duda", "Enzo", "Flor", "Gil", "Hugo"])
_serial = itertools.count(1)


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
