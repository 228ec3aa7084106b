"""``agent.permissions`` against the sandbox's agents and profiles: an agent by id or by
zuid, one whose profile takes a permission away, one deactivated, one Zoho Desk does not
have; and the sandbox's agents API and its controls."""

from __future__ import annotations

import pytest
from pontes.plugin import NotFoundError

from pontes_zohodesk.actions.agents import allowed_writes
from pontes_zohodesk.sandbox.state import AGENT_ID, AGENT_ZUID

pytestmark = pytest.mark.anyio

EVERY_WRITE = ["ticket.create", "ticket.reply", "ticket.reply_all", "ticket.forward",
               "ticket.set_status"]


async def test_the_portals_agent_may_do_every_write_by_id_or_by_zuid(desk, desk_connection):
    for agent_id in (AGENT_ID, AGENT_ZUID):
        answer = await desk_connection.call("agent.permissions", id=agent_id)
        assert (answer.id, answer.name, answer.active) == (AGENT_ID, "Sam Agent", True)
        assert answer.allowed == EVERY_WRITE


async def test_a_profile_without_reply_or_edit_and_a_deactivated_agent(desk, desk_connection):
    agent = desk.control("/agents", {"zuid": "60077777", "name": "Lee Light"}).json()
    profile = desk.control("/profiles", {"name": "Light", "permissions": {"tickets": {
        "view": True, "create": True, "reply": False, "edit": False}}}).json()
    desk.control(f"/agents/{agent['id']}", {"profileId": profile["id"]}, "PATCH")

    light = await desk_connection.call("agent.permissions", id="60077777")
    assert (light.name, light.active, light.allowed) == ("Lee Light", True, ["ticket.create"])

    desk.control(f"/agents/{agent['id']}", {"status": "DISABLED"}, "PATCH")
    assert (await desk_connection.call("agent.permissions", id=agent["id"])).active is False
    listed = desk.api("GET", "/agents").json()["data"]
    assert [a["status"] for a in listed if a["id"] == agent["id"]] == ["DISABLED"]


async def test_an_agent_zoho_desk_does_not_have_is_not_found(desk, desk_connection):
    with pytest.raises(NotFoundError):
        await desk_connection.call("agent.permissions", id="60099999")
    assert desk.api("GET", "/agents/900000000000099999").status_code == 404
    assert desk.api("GET", "/profiles/900000000000099999").status_code == 404


def test_only_a_permission_set_to_false_is_taken_away():
    assert allowed_writes({}) == EVERY_WRITE
    assert allowed_writes({"permissions": {"tickets": {"edit": False}}}) == EVERY_WRITE[:4]
    assert allowed_writes({"permissions": {"tickets": {"create": False, "reply": False}}}) \
        == ["ticket.set_status"]


def test_the_controls_refuse_what_an_administrator_could_not_do(desk):
    assert desk.control("/agents", {"name": "No Zuid"}).status_code == 422
    assert desk.control(f"/agents/{AGENT_ID}", {"status": "ASLEEP"}, "PATCH").status_code == 422
    assert desk.control(f"/agents/{AGENT_ID}", {"profileId": "1"}, "PATCH").status_code == 404
