"""``POST /_sandbox/agents`` ``{"id", "name", "email"?}``: an agent (user) joins the
account, as an administrator adds one in Usedesk's settings; from then on the API takes
the id as a ``user_id`` or ``assignee_id``. The answer is the agent."""

from __future__ import annotations

import json

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .state import UsedeskState


def agent_control_routes(state: UsedeskState) -> list[Route]:
    """The control endpoint of the module docstring."""

    async def add_agent(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        agent_id = body.get("id") if isinstance(body, dict) else None
        if type(agent_id) is not int or agent_id < 1 or not body.get("name"):
            return JSONResponse({"error": "an agent needs a whole-number id and a name"},
                                status_code=400)
        if agent_id in state.agents:
            return JSONResponse({"error": f"agent {agent_id} exists"}, status_code=409)
        state.agents[agent_id] = {"id": agent_id, "name": str(body["name"]),
                                  "email": body.get("email")}
        return JSONResponse(state.agents[agent_id])

    return [Route(f"{CONTROL_PREFIX}/agents", add_agent, methods=["POST"])]
