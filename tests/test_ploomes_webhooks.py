"""Ploomes webhooks end to end, through a real server and the sandboxes: deliveries
checked against the connection's ``ValidationKey``, and a webhook Ploomes turned off
after failed deliveries turned on again by ``pontes activate``.

The integration is seed 000's deal -> ticket: a deal owned by the integration user opens a
Movidesk ticket.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from pontes.testing.stack import Stack
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES, SANDBOX_OPTIONS

pytestmark = pytest.mark.slow

KEY = "chave-e2e-7f3a9c"
INTEGRATION = "deals"
PLOOMES_MARIA = 40000123


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    connections = {"movidesk": ("movidesk", {}),
                   "ploomes": ("ploomes", {"webhook_validation_key": KEY})}
    integrations = {INTEGRATION: {
        "recipe": "deal_to_ticket", "crm": "ploomes", "helpdesk": "movidesk",
        "options": {"integration_user": "Movidesk", "category": "Solicitação",
                    "urgency": "Média", "team": "Suporte"}}}
    with Stack.running(tmp_path_factory.mktemp("ploomes-hooks"), connections=connections,
                       integrations=integrations, sandbox_options=SANDBOX_OPTIONS,
                       server_env=FAST_RETRIES) as running:
        steps.activate(running, INTEGRATION)
        yield running


def configure_ploomes(stack: Stack, **config) -> None:
    with stack.sandbox("ploomes") as ploomes:
        ploomes.post("/_sandbox/ploomes/config", json=config).raise_for_status()


def webhooks(stack: Stack) -> list[dict]:
    return steps.ploomes_records(stack, "Webhooks")


def deliveries(stack: Stack) -> list[dict]:
    with stack.sandbox("ploomes") as ploomes:
        return ploomes.get("/_sandbox/deliveries").raise_for_status().json()


def new_deal_events(stack: Stack, deal_id: int) -> list[dict]:
    return [e for e in stack.events(INTEGRATION) if e.get("entity_key") == f"deal:{deal_id}"]


def open_deal(stack: Stack, title: str) -> int:
    user = steps.ploomes_user_id(stack, "Movidesk")
    return steps.ploomes_create_deal(stack, title, PLOOMES_MARIA, owner_id=user)


def post_hook(stack: Stack, body: dict, **headers: str) -> httpx.Response:
    return httpx.post(stack.hook_url(INTEGRATION, "crm"), json=body, headers=headers,
                      timeout=30)


def test_activation_gives_every_webhook_the_configured_key(stack):
    hooks = webhooks(stack)
    assert {(h["EntityId"], h["ActionId"]) for h in hooks} == {(2, 1), (2, 2), (2, 5),
                                                             (2, 6), (2, 7)}
    assert all(h["ValidationKey"] == KEY and h["Active"] for h in hooks)


def test_a_delivery_with_the_key_is_stored_and_run(stack):
    configure_ploomes(stack, webhook_shape="thin", deactivate_after_failures=None)
    deal_id = open_deal(stack, "Entrega com chave")
    stack.wait_until(lambda: any(e["status"] == "succeeded" for e in new_deal_events(stack, deal_id)),
                     60, "the keyed delivery to run")
    [created] = [d for d in deliveries(stack) if d["body"].get("ResourceId") == deal_id]
    assert created["status"] == 200 and created["body"]["ValidationKey"] == KEY
    [event] = [e for e in new_deal_events(stack, deal_id) if e["status"] == "succeeded"]
    assert KEY not in str(stack.event(event["id"]))


@pytest.mark.parametrize(("body", "headers", "reason"), [
    ({"ResourceId": 50000777, "Entity": "Deals", "Action": "Update",
      "ValidationKey": "chave-errada"}, {}, "is not the connection's webhook_validation_key"),
    ({"ResourceId": 50000777, "Entity": "Deals", "Action": "Update"},
     {"ValidationKey": "chave-errada"}, "is not the connection's webhook_validation_key"),
    ({"ResourceId": 50000777, "Entity": "Deals", "Action": "Update"}, {},
     "carries no ValidationKey"),
])
def test_a_delivery_without_the_key_is_refused_and_stored_as_rejected(stack, body, headers,
                                                                       reason):
    answer = post_hook(stack, body, **headers)
    assert answer.status_code == 400 and reason in answer.json()["error"]
    newest = stack.events(INTEGRATION)[-1]
    assert newest["status"] == "rejected" and reason in newest["last_error"]
    assert KEY not in answer.text and KEY not in str(stack.event(newest["id"]))


def test_the_header_carries_the_key_as_well(stack):
    answer = post_hook(stack, {"ResourceId": 50000777, "Entity": "Deals", "Action": "Reopen"},
                       ValidationKey=KEY)
    assert answer.status_code == 200, answer.text


def test_a_webhook_ploomes_turned_off_is_turned_on_again_by_activate(stack):
    configure_ploomes(stack, webhook_shape="full", deactivate_after_failures=1)
    deal_id = open_deal(stack, "Entrega sem chave")       # full deliveries carry no key
    stack.wait_until(lambda: not next(h for h in webhooks(stack) if h["ActionId"] == 1)["Active"],
                     30, "Ploomes to turn the deal.created webhook off")
    refused = [d for d in deliveries(stack) if (d["body"].get("New") or {}).get("Id") == deal_id]
    assert refused and all(d["status"] == 400 for d in refused)

    configure_ploomes(stack, webhook_shape="thin", deactivate_after_failures=None)
    printed = steps.activate(stack, INTEGRATION)
    lines = printed.splitlines()
    step = next(n for n, line in enumerate(lines) if "webhook for deal.created" in line)
    assert lines[step + 1].strip().startswith("registered (id "), printed
    assert all(h["Active"] for h in webhooks(stack))
    later = open_deal(stack, "Entrega depois de reativar")
    stack.wait_until(lambda: any(e["status"] == "succeeded" for e in new_deal_events(stack, later)),
                     60, "a delivery after the webhook was turned on again")
