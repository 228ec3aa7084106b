"""Activating and deactivating an integration through the admin API, against the demo's
sandboxes and a real server: Ploomes registers and removes webhooks through its API,
Movidesk needs a person, in its own words."""

from __future__ import annotations

import pytest
from pontes_demo import steps
from pontes_demo.installation import INTEGRATIONS, demo_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with demo_stack(tmp_path_factory.mktemp("admin-activation"),
                    {"deal-ticket": INTEGRATIONS["deal-ticket"]}) as running:
        yield running


def webhooks_at(stack, url: str) -> list[dict]:
    return [w for w in steps.ploomes_records(stack, "Webhooks") if w.get("CallbackUrl") == url]


def test_activate_registers_and_deactivate_removes_the_webhooks_at_the_vendor(stack):
    url = stack.hook_url("deal-ticket", "crm")
    assert webhooks_at(stack, url) == []

    activated = stack.admin("POST", "/integrations/deal-ticket/activate")
    registered = webhooks_at(stack, url)
    assert registered and all(s["done"] for s in activated["steps"]
                              if s["title"].startswith("ploomes"))

    deactivated = stack.admin("POST", "/integrations/deal-ticket/deactivate")
    assert webhooks_at(stack, url) == []
    removed = [s["detail"] for s in deactivated["steps"] if s["detail"].startswith("removed")]
    assert {str(w["Id"]) for w in registered} == {
        id_ for detail in removed for id_ in detail[len("removed (id "):-1].split(",")}
    again = stack.admin("POST", "/integrations/deal-ticket/deactivate")
    helpdesk_url = stack.hook_url("deal-ticket", "helpdesk")
    assert [(s["done"], s["detail"]) for s in again["steps"]] == [
        (True, "none registered at this integration's URL"),
        (False, f"In Movidesk, remove the webhook that posts to {helpdesk_url}")]
    assert stack._admin.post("/admin/api/integrations/nope/deactivate").status_code == 404
