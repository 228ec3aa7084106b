"""Every recipe with every supported pair, end to end: one scenario per recipe
(``pontes.testing.matrix``) run through the real sandboxes and a real server, with each
vendor seeded, triggered and read by the adapter its plugin ships.

The cases are generated from ``pontes recipes --pairs``: a plugin that ships an adapter
joins by itself. One stack serves all the pairs of a recipe. Every supported pair must
run: one whose connectors' adapters cannot play the scenario fails the coverage test with
the reason (a pair that cannot work is not supported, and ``pontes recipes --pairs`` names
what it lacks).
"""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from pontes.testing.matrix import SCENARIOS, case_stack, matrix_cases

pytestmark = pytest.mark.slow

CASES, UNCOVERED = matrix_cases()

KNOWN_FAILURES: dict[str, pytest.MarkDecorator] = {}
"""Cases that fail for a bug still open, with what goes wrong: they run, and one that
fails every time turns the run red when it starts passing (strict), so that its entry
is removed."""


def case_param(case):
    """The case as a test parameter, marked when it is a known failure."""
    known = KNOWN_FAILURES.get(case.id)
    return pytest.param(case, id=case.id, marks=[known] if known else [])


@pytest.fixture(scope="module")
def stacks(tmp_path_factory):
    """The stacks of the cases, each started the first time one of its cases runs (a
    stack that fails to start fails its other cases at once, without starting again)."""
    running: dict[str, object] = {}
    failed: dict[str, BaseException] = {}
    with ExitStack() as cleanup:
        def stack_for(name: str):
            if name in failed:
                raise failed[name]
            if name not in running:
                try:
                    running[name] = cleanup.enter_context(case_stack(
                        tmp_path_factory.mktemp(f"matrix-{name}"), name, CASES))
                except Exception as exc:
                    failed[name] = exc
                    raise
            return running[name]

        yield stack_for


@pytest.mark.parametrize("case", [case_param(c) for c in CASES])
def test_supported_pair(stacks, case):
    SCENARIOS[case.pair.recipe].run(stacks(case.stack), case)


def test_every_supported_pair_runs_end_to_end():
    assert [f"{u.pair.recipe}[{u.pair.label}]: {u.reason}" for u in UNCOVERED] == []
    assert set(KNOWN_FAILURES) <= {c.id for c in CASES}


def test_the_matrix_covers_every_installed_helpdesk_and_crm_for_ticket_history():
    covered = {tuple(c.pair.roles.values()) for c in CASES if c.pair.recipe == "ticket_history"}
    assert covered >= {(helpdesk, crm) for helpdesk in ("movidesk", "usedesk", "zohodesk")
                       for crm in ("ploomes", "amocrm", "bigin")}
