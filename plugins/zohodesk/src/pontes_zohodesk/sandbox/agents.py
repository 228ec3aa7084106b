"""The portal's agents and profiles, as Zoho Desk's agents API shows them.

- ``GET /api/v1/agents`` (paged) and ``GET /api/v1/agents/{id}``: agents with ``id``,
  ``zuid``, ``name``, ``emailId``, ``status`` (``ACTIVE`` or ``DISABLED``),
  ``isConfirmed``, ``roleId`` and ``profileId``;
- ``GET /api/v1/profiles/{id}``: a profile with its ``permissions``, by module
  (``{"tickets": {"view", "create", "edit", "reply", ...}}``).

Control endpoints, for what an administrator does in Zoho Desk's setup:

- ``POST /_sandbox/agents`` ``{"zuid", "name", "emailId"?, "profileId"?}``: a new agent
  (the Administrator profile unless another is named);
- ``PATCH /_sandbox/agents/{id}`` ``{"status"?, "profileId"?}``: deactivate, activate or
  move an agent to another profile;
- ``POST /_sandbox/profiles`` ``{"name", "permissions"}``: a new profile;
- ``PATCH /_sandbox/profiles/{id}`` ``{"permissions": {"tickets": {"reply": false}}}``:
  grant or take away permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pontes.plugin import CONTROL_PREFIX
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .control import control_body
from .records import DeskError, invalid, not_found
from .state import AGENT_ID, DeskState

ADMINISTRATOR = "900000000000051001"
"""The id of the Administrator profile, which may do everything."""
TICKET_PERMISSIONS = ("view", "create", "edit", "delete", "reply", "closeTicket",
                      "changeOwner")
STATUSES = ("ACTIVE", "DISABLED")


class DeskAgents:
    """The portal's agents and profiles by id; ``reset`` leaves the one agent of
    ``DeskState`` with the Administrator profile."""

    def __init__(self, state: DeskState) -> None:
        self.state = state
        self.agents: dict[str, dict[str, Any]] = {}
        self.profiles: dict[str, dict[str, Any]] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the portal's one agent and its Administrator profile."""
        self.agents = {AGENT_ID: {**self.state.agent(), "profileId": ADMINISTRATOR}}
        self.profiles = {ADMINISTRATOR: {
            "id": ADMINISTRATOR, "name": "Administrator", "isDefault": True,
            "permissions": {"tickets": dict.fromkeys(TICKET_PERMISSIONS, True)}}}

    def add_agent(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new agent from a control request's ``body``."""
        zuid, name = str(body.get("zuid") or ""), str(body.get("name") or "")
        if not zuid or not name:
            raise invalid("zuid", "an agent needs a zuid and a name")
        profile = str(body.get("profileId") or ADMINISTRATOR)
        self.profile(profile)
        agent = {"id": self.state.new_id(), "zuid": zuid, "name": name,
                 "firstName": name.split(" ")[0], "lastName": name.split(" ")[-1],
                 "emailId": body.get("emailId"), "status": "ACTIVE", "isConfirmed": True,
                 "roleId": "900000000000050001", "profileId": profile}
        self.agents[agent["id"]] = agent
        return agent

    def agent(self, agent_id: str) -> dict[str, Any]:
        """The agent ``agent_id`` (404 ``URL_NOT_FOUND`` otherwise)."""
        agent = self.agents.get(agent_id)
        if agent is None:
            raise not_found()
        return agent

    def profile(self, profile_id: str) -> dict[str, Any]:
        """The profile ``profile_id`` (404 ``URL_NOT_FOUND`` otherwise)."""
        profile = self.profiles.get(profile_id)
        if profile is None:
            raise not_found()
        return profile

    def change_agent(self, agent_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change an agent's ``status`` or ``profileId``."""
        agent = self.agent(agent_id)
        if "status" in body:
            if body["status"] not in STATUSES:
                raise invalid("status", f"one of {', '.join(STATUSES)}")
            agent["status"] = body["status"]
        if "profileId" in body:
            agent["profileId"] = self.profile(str(body["profileId"]))["id"]
        return agent

    def add_profile(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new profile, every permission off unless ``permissions`` grants it."""
        if not body.get("name"):
            raise invalid("name", "a profile needs a name")
        profile = {"id": self.state.new_id(), "name": str(body["name"]), "isDefault": False,
                   "permissions": {"tickets": dict.fromkeys(TICKET_PERMISSIONS, False)}}
        self.profiles[profile["id"]] = profile
        return self.change_profile(profile["id"], body)

    def change_profile(self, profile_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Grant or take away the permissions ``body`` lists, module by module."""
        profile = self.profile(profile_id)
        for module, rights in (body.get("permissions") or {}).items():
            if not isinstance(rights, dict):
                raise invalid(f"permissions.{module}", "an object of true or false")
            profile["permissions"].setdefault(module, {}).update(
                {name: bool(value) for name, value in rights.items()})
        return profile


def _page(request: Request, items: list[dict[str, Any]]) -> Response:
    start = int(request.query_params.get("from") or 1)
    limit = min(int(request.query_params.get("limit") or 10), 100)
    chosen = items[start - 1:start - 1 + limit]
    return JSONResponse({"data": chosen}) if chosen else Response(status_code=204)


def agent_routes(agents: DeskAgents, api: str) -> list[Route]:
    """``/agents``, ``/agents/{id}`` and ``/profiles/{id}`` under ``api``."""

    async def list_agents(request: Request) -> Response:
        return _page(request, list(agents.agents.values()))

    async def get_agent(request: Request) -> Response:
        return JSONResponse(agents.agent(request.path_params["agent_id"]))

    async def get_profile(request: Request) -> Response:
        return JSONResponse(agents.profile(request.path_params["profile_id"]))

    return [Route(f"{api}/agents", list_agents, methods=["GET"]),
            Route(f"{api}/agents/{{agent_id}}", get_agent, methods=["GET"]),
            Route(f"{api}/profiles/{{profile_id}}", get_profile, methods=["GET"])]


def agent_control_routes(agents: DeskAgents) -> list[Route]:
    """The control endpoints of the module docstring."""

    def answered(change: Callable[..., dict[str, Any]], *names: str) -> Callable:
        async def endpoint(request: Request) -> Response:
            try:
                keys = [request.path_params[name] for name in names]
                return JSONResponse(change(*keys, await control_body(request)))
            except DeskError as error:
                return JSONResponse(error.body(), status_code=error.status)
        return endpoint

    return [
        Route(f"{CONTROL_PREFIX}/agents", answered(agents.add_agent), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/agents/{{agent_id}}",
              answered(agents.change_agent, "agent_id"), methods=["PATCH"]),
        Route(f"{CONTROL_PREFIX}/profiles", answered(agents.add_profile), methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/profiles/{{profile_id}}",
              answered(agents.change_profile, "profile_id"), methods=["PATCH"]),
    ]
