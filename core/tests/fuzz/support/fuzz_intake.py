"""A plugin for the fuzz tests: the recipe ``fuzz_intake``, which takes every event.

Its one role, ``source``, wants every trigger capability, so an integration
``{recipe: fuzz_intake, source: <connection>}`` receives whatever any webhook trigger of
that connection parses. The fuzz tests serve it with ``PONTES_RUN_EVENTS=false``: they
test how deliveries are taken in and stored, and events are never run. Should one run
anyway, it dies at once with that reason, so nothing is sent to a vendor.
"""

from __future__ import annotations

from pontes import hookimpl
from pontes.capabilities import CAPABILITIES
from pontes.errors import PermanentFailure
from pontes.models import Event
from pontes.recipes import Recipe, RoleSpec, RunContext

EVERY_TRIGGER = tuple(sorted(name for name, capability in CAPABILITIES.items()
                             if capability.kind == "trigger"))


async def refuse_to_run(ctx: RunContext, event: Event) -> str:
    """Fuzzed events are stored to be looked at, never run."""
    raise PermanentFailure(f"fuzz_intake does not run events ({event.type})")


@hookimpl
def register_recipes() -> list[Recipe]:
    """The ``fuzz_intake`` recipe."""
    return [Recipe("fuzz_intake", "Takes in every event of a connection; runs none",
                   {"source": RoleSpec(triggers=EVERY_TRIGGER)}, refuse_to_run)]
