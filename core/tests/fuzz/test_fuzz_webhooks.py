"""Every webhook trigger of every installed plugin, fuzzed through the real server.

The bodies are built around each plugin's documented samples (its standard suite's
``webhook_samples``): every field with a value of each other type (on SQLite: the sweep
is about what triggers make of a body), and hypothesis' hostile deliveries
(support/hostile.py, on SQLite and PostgreSQL: they are also about what a store takes). Whatever comes, the server must not answer 5xx, no
trigger may crash, and every delivery must be stored as accepted, rejected or ignored
with a reason (``Intake.deliver`` checks each one).

These webhook URLs are also where helpdesk automations post (a Movidesk trigger's "call
webhook" action): pontes has no separate trigger endpoint to fuzz. The panels
(``/panels/...``) are fuzzed in test_fuzz_panels.py.
"""

from __future__ import annotations

import pytest
from hostile import Delivery, deliveries, sweep
from hypothesis import given
from hypothesis import strategies as st
from intake import Intake, fuzz_settings
from pontes.plugins import load_plugins
from pontes.testing.webhooks import encode_body
from samples import sample_objects, standard_suites

pytestmark = pytest.mark.slow

REGISTRY = load_plugins().registry
SUITES = standard_suites()
TRIGGERS = [(connector, trigger.name) for connector in sorted(REGISTRY.connectors)
            if connector in REGISTRY.sandboxes
            for trigger in REGISTRY.webhook_triggers(connector)]
IDS = [f"{connector}:{trigger}" for connector, trigger in TRIGGERS]


def samples_of(connector: str, trigger: str) -> list:
    """The documented samples of one trigger, from its plugin's standard suite."""
    suite = SUITES.get(connector)
    return [s for s in (suite.webhook_samples() if suite else []) if s[0] == trigger]


def test_every_installed_webhook_trigger_is_fuzzed():
    assert TRIGGERS, "no installed plugin has a webhook trigger and a sandbox"
    assert {"movidesk", "ploomes", "jivo"} <= {connector for connector, _ in TRIGGERS}


@pytest.mark.parametrize(("connector", "trigger"), TRIGGERS, ids=IDS)
def test_the_trigger_has_documented_samples_to_fuzz_around(connector, trigger):
    assert connector in SUITES, (f"no standard suite found for {connector!r} "
                                 "(tests/test_standard.py next to the plugin)")
    assert samples_of(connector, trigger), f"{connector}'s suite has no sample of {trigger!r}"


@pytest.mark.parametrize(("connector", "trigger"), TRIGGERS, ids=IDS)
def test_documented_samples_are_accepted(intake: Intake, connector, trigger):
    for sample in samples_of(connector, trigger):
        answer = intake.post(intake.hook_urls[connector],
                             Delivery(encode_body(sample[1], sample[2]), sample[2]))
        assert 200 <= answer.status_code < 300, answer.text


@pytest.mark.parametrize(("connector", "trigger"), TRIGGERS, ids=IDS)
def test_every_field_of_every_sample_with_a_wrong_value(sqlite_intake: Intake, connector,
                                                        trigger):
    problems = []
    for name, delivery in sweep(sample_objects(samples_of(connector, trigger))):
        problem = sqlite_intake.deliver(connector, delivery)
        if problem:
            problems.append(f"{name}: {problem}")
    assert not problems, f"{len(problems)} deliveries went wrong:\n" + "\n".join(problems[:30])


@pytest.mark.parametrize(("connector", "trigger"), TRIGGERS, ids=IDS)
@fuzz_settings(in_ci=40, in_full=10_000)
@given(data=st.data())
def test_hostile_deliveries(intake: Intake, connector, trigger, data):
    samples = sample_objects(samples_of(connector, trigger))
    delivery = data.draw(deliveries(samples), label="delivery")
    problem = intake.deliver(connector, delivery)
    assert problem is None, problem
