"""The actions endpoint, fuzzed through the real server against the real sandboxes.

Every action of every connector with a sandbox gets hostile bodies (support/hostile.py)
built around an input shaped like its input model: every field filled with a plausible
value, then replaced by values of other types, injections, huge numbers, deep nesting,
``NaN``... Whatever comes, the answer must be a documented 4xx with its reason, or the
action's 200. The only 5xx allowed are the documented ones that say the vendor itself
failed or asked to slow down (a sandbox on a loaded machine can time out): any other 5xx
is pontes failing.
"""

from __future__ import annotations

from typing import Any

import pytest
from hostile import deliveries
from hypothesis import given
from hypothesis import strategies as st
from intake import Intake, fuzz_settings
from pontes.capabilities import CAPABILITIES
from pontes.plugins import load_plugins
from pydantic import BaseModel

pytestmark = pytest.mark.slow

REGISTRY = load_plugins().registry
ACTIONS = sorted((connector, name) for connector, name in REGISTRY.actions
                 if connector in REGISTRY.sandboxes)
DOCUMENTED = {200, 400, 404, 413, 422}
"""What the endpoint answers a caller with a valid token, short of a vendor failure."""
VENDOR_FAILURES = {502: ("the vendor failed", "the vendor refused this connection's credentials"),
                   503: ("the vendor asked us to slow down",)}
"""The 5xx the endpoint answers when the vendor, not pontes, failed."""

PLAUSIBLE = {"string": "1", "integer": 1, "number": 1.5, "boolean": True, "array": [],
             "object": {}}


def input_model(connector: str, name: str) -> type[BaseModel] | None:
    """The model the endpoint validates an action's body against."""
    capability = CAPABILITIES.get(name)
    return capability.input if capability else REGISTRY.actions[(connector, name)].input


def shaped_like(model: type[BaseModel] | None) -> dict[str, Any]:
    """A body with every top-level field of ``model`` given a plausible value of its type."""
    if model is None:
        return {"anything": "1"}
    shaped = {}
    for name, field in model.model_json_schema().get("properties", {}).items():
        kinds = [field.get("type")] + [option.get("type") for option in field.get("anyOf", [])]
        kind = next((k for k in kinds if k in PLAUSIBLE), "string")
        shaped[name] = PLAUSIBLE[kind]
    return shaped


@pytest.fixture(scope="module")
def tokens(sqlite_intake: Intake) -> dict[str, str]:
    """The action token of each connection (named after its connector)."""
    stack = sqlite_intake.stack
    return {connector: stack.admin("GET", f"/connections/{connector}/action-token")["token"]
            for connector in {connector for connector, _ in ACTIONS}}


def test_every_action_of_every_installed_connector_is_fuzzed():
    assert {"movidesk", "ploomes"} <= {connector for connector, _ in ACTIONS}


@pytest.mark.parametrize(("connector", "name"), ACTIONS,
                         ids=[f"{connector}:{name}" for connector, name in ACTIONS])
@fuzz_settings(in_ci=8, in_full=500)
@given(data=st.data())
def test_hostile_action_bodies(sqlite_intake: Intake, tokens, connector, name, data):
    delivery = data.draw(deliveries([shaped_like(input_model(connector, name))]),
                         label="body")
    answer = sqlite_intake.client.post(
        f"{sqlite_intake.stack.server_url}/actions/{connector}/{name}", content=delivery.body,
        headers={"Authorization": f"Bearer {tokens[connector]}"})

    status = answer.status_code
    if status in VENDOR_FAILURES:
        assert answer.json()["error"] in VENDOR_FAILURES[status], answer.text[:500]
        return
    assert status in DOCUMENTED, f"{status}: {answer.text[:500]}"
    if status != 200:
        assert isinstance(answer.json().get("error"), str), answer.text[:500]
