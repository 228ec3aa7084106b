"""Mapping overrides through the admin API, against the demo's sandboxes and a real server:
validation naming the wrong field, versions saved in the store and in force over the
config file (after a restart too), roll-back, and ``pontes mappings export``."""

from __future__ import annotations

import subprocess
import sys

import anyio
import pytest
import yaml
from pontes.mapping.overrides import OverrideRefresher
from pontes.store import Store
from pontes_demo import steps
from pontes_demo.installation import demo_stack

pytestmark = pytest.mark.slow

CANAL_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000003"
CANAL_RULE = {f"custom.{CANAL_FIELD}": "utm.source"}
CONFIG_RULE = {"currency": {"value": "BRL"}}
INTEGRATIONS = {
    "chats": {"recipe": "chat_to_crm", "chat": "jivo", "crm": "ploomes",
              "options": {"behaviour": "person_deal", "pipeline": "Funil de Vendas",
                          "stage": "Qualificação", "avoid_duplicate_deals": False},
              "mapping": {"deal": CONFIG_RULE}},
}
SLOT = "/integrations/chats/mappings/deal"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with demo_stack(tmp_path_factory.mktemp("admin-mappings"), INTEGRATIONS) as running:
        yield running


def deal_slot(stack) -> dict:
    slots = stack.admin("GET", "/integrations/chats/mappings")
    return next(s for s in slots if s["slot"] == "deal")


def export(stack) -> dict:
    done = subprocess.run([sys.executable, "-m", "pontes.cli", "mappings", "export", "chats",
                           "--config", str(stack.config_path)], env=stack.env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def canal_of_newest_deal(stack, chat_id: int) -> str | None:
    outcome = steps.jivo_send(stack, "chats", "chat_finished", sample="ana-first",
                              overrides={"chat_id": chat_id,
                                         "visitor": {"number": str(chat_id),
                                                     "email": f"map{chat_id}@example.com"}})
    assert outcome["ok"], outcome
    done = len([e for e in stack.events("chats") if e["status"] == "succeeded"])
    stack.wait_for_events("chats", done + 1, finished=("succeeded",))
    deal = max(steps.ploomes_records(stack, "Deals"), key=lambda d: d["Id"])
    props = {p["FieldKey"]: p.get("StringValue") for p in deal.get("OtherProperties") or []}
    return props.get(CANAL_FIELD)


def other_process_targets(stack) -> list[str]:
    """The deal mapping's targets as another process (a worker) has them after its
    refresh: its own runtime over the same store."""
    store = Store.open(stack.runtime.config.store)
    try:
        integration = stack.runtime.integrations["chats"]
        before = integration.mappings["deal"]
        anyio.run(OverrideRefresher(stack.runtime, store).refresh)
        after = integration.mappings["deal"]
        integration.mappings["deal"] = before
    finally:
        store.close()
    return after.targets


def test_a_wrong_field_is_named_with_the_allowed_ones(stack):
    check = stack.admin("POST", f"{SLOT}/check", json={"rules": {"titel": "page_title"}})

    assert check["ok"] is False and check["field"] == "titel"
    assert "unknown target field 'titel'" in check["error"]
    assert "title" in check["allowed"] and "custom.<key>" in check["allowed"]
    refused = stack._admin.put(f"/admin/api{SLOT}", json={"rules": {"titel": "page_title"}})
    assert refused.status_code == 400 and refused.json()["field"] == "titel"
    assert deal_slot(stack)["version"] is None


def test_saved_versions_are_in_force_after_a_restart_and_roll_back(stack):
    assert deal_slot(stack)["rules"] == CONFIG_RULE
    assert export(stack) == {"mapping": {"deal": CONFIG_RULE}}

    saved = stack.admin("PUT", SLOT, json={"rules": {**CONFIG_RULE, **CANAL_RULE}})
    assert saved["version"] == 1 and saved["rules"] == {**CONFIG_RULE, **CANAL_RULE}
    assert export(stack) == {"mapping": {"deal": {**CONFIG_RULE, **CANAL_RULE}}}
    assert canal_of_newest_deal(stack, 990001) == "google"

    stack.stop()
    stack.start_server()
    assert canal_of_newest_deal(stack, 990002) == "google"
    worker_view = other_process_targets(stack)
    assert f"custom.{CANAL_FIELD}" in worker_view

    back = stack.admin("POST", f"{SLOT}/rollback", json={"version": 0})
    assert back["version"] is None and back["rules"] == CONFIG_RULE
    assert [v["note"] for v in back["versions"]] == ["back to the config file", "saved"]
    assert export(stack) == {"mapping": {"deal": CONFIG_RULE}}
    assert canal_of_newest_deal(stack, 990003) is None

    again = stack.admin("POST", f"{SLOT}/rollback", json={"version": 1})
    assert again["version"] == 3 and again["rules"] == {**CONFIG_RULE, **CANAL_RULE}
