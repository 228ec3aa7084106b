"""What a Zoho Desk agent may do (``agent.permissions``): whether the agent is active,
and which ticket writes their profile allows.

The agent is read with ``GET /agents/{id}``; an id that is no agent id is looked for as
a ``zuid`` (the id mentions write, which the ``tickets_tab`` recipe maps users to) among
``GET /agents``. The agent is active when its ``status`` is ``ACTIVE``. Its profile
(``GET /profiles/{profileId}``) lists the ticket permissions: ``create`` for a new
ticket, ``reply`` for a reply, a reply to all and a forward, ``edit`` for a status.
Only a permission the profile sets to ``false`` is taken away: one it does not list is
left to Zoho Desk's answer to the write itself.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import AgentPermissions, ById, Connection, NotFoundError

from ..client import desk_get, fetch_all
from ..connector import kit

TICKET_WRITES = {"ticket.create": "create", "ticket.reply": "reply",
                 "ticket.reply_all": "reply", "ticket.forward": "reply",
                 "ticket.set_status": "edit"}
"""Each ticket write -> the profile's ticket permission it needs."""


async def find_agent(connection: Connection, agent_id: str) -> dict[str, Any]:
    """The agent whose id, else whose ``zuid``, is ``agent_id``; ``NotFoundError``
    when there is none."""
    try:
        return await desk_get(connection, f"/agents/{agent_id}")
    except NotFoundError:
        for agent in await fetch_all(connection, "/agents"):
            if str(agent.get("zuid")) == agent_id:
                return agent
        raise


def allowed_writes(profile: dict[str, Any]) -> list[str]:
    """The ticket writes ``profile`` does not take away."""
    rights = ((profile.get("permissions") or {}).get("tickets") or {})
    return [write for write, right in TICKET_WRITES.items() if rights.get(right) is not False]


@kit.action("agent.permissions")
async def agent_permissions(connection: Connection, params: ById) -> AgentPermissions:
    """Whether the agent (by id or zuid) is active, and the ticket writes their profile
    allows."""
    agent = await find_agent(connection, params.id)
    profile = (await desk_get(connection, f"/profiles/{agent['profileId']}")
               if agent.get("profileId") else {})
    return AgentPermissions(id=str(agent["id"]), name=agent.get("name"),
                            active=agent.get("status") == "ACTIVE",
                            allowed=allowed_writes(profile or {}))
