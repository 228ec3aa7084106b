"""``agent.permissions`` against the sandbox: an active agent, a deactivated one, a person
who is only a client, and an id Movidesk does not have."""

from __future__ import annotations

import pytest
from pontes.plugin import NotFoundError

pytestmark = pytest.mark.anyio


def seed_agents(sandbox) -> None:
    sandbox.control("POST", "/seed", {"persons": [
        {"id": "agent-on", "personType": 1, "profileType": 1, "accessProfile": "Agentes",
         "businessName": "Agente Ativo", "isActive": True},
        {"id": "agent-off", "personType": 1, "profileType": 3, "accessProfile": "Agentes",
         "businessName": "Agente Inativo", "isActive": False}]})


async def test_an_agent_is_active_or_not_and_the_rights_are_left_to_movidesk(connect,
                                                                            sandbox):
    seed_agents(sandbox)
    conn = connect(sandbox)

    active = await conn.call("agent.permissions", id="agent-on")
    inactive = await conn.call("agent.permissions", id="agent-off")

    assert (active.id, active.name, active.active) == ("agent-on", "Agente Ativo", True)
    assert (inactive.name, inactive.active) == ("Agente Inativo", False)
    assert active.allowed is None and inactive.allowed is None


@pytest.mark.parametrize("person_id", ["cli-maria", "nobody-here"])
async def test_a_client_or_an_unknown_id_is_no_agent(connect, sandbox, person_id):
    conn = connect(sandbox)
    with pytest.raises(NotFoundError):
        await conn.call("agent.permissions", id=person_id)
