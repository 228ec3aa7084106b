"""Whether a Movidesk agent exists and is active (``agent.permissions``).

An agent is a person (``GET /persons?id=``) whose ``profileType`` is 1 (agent) or 3 (agent
and client); it is active while ``isActive`` is true. Its ``accessProfile`` names a
profile whose rights the notes do not describe, so the answer does not say which ticket
writes the agent may do (``allowed`` is ``None``): Movidesk's answer to the write decides.
"""

from __future__ import annotations

from pontes.plugin import AgentPermissions, ById, Connection, NotFoundError

from .client import get_person
from .connector import kit

AGENT_PROFILES = (1, 3)
"""The ``profileType`` of an agent, and of an agent who is also a client."""


@kit.action("agent.permissions")
async def agent_permissions(connection: Connection, params: ById) -> AgentPermissions:
    """The agent (a person by id) and whether they are active; ``NotFoundError`` for an
    id that is no agent's."""
    person = await get_person(connection.client, params.id)
    if person.get("profileType") not in AGENT_PROFILES:
        raise NotFoundError(f"Movidesk person {params.id!r} is not an agent")
    return AgentPermissions(id=str(person.get("id") or params.id),
                            name=person.get("businessName"),
                            active=person.get("isActive") is True)
