"""``pontes demo`` (or ``python -m pontes_demo``): start the sandboxes and a server, play the seed integrations, then
keep serving until Ctrl-C (``--no-wait`` exits after the story)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from pontes.testing.stack import Stack

from . import seed004, steps
from .installation import CARD_BLOCK, DEAL_REQUESTS, INTEGRATION_USER, full_demo_stack

MARIA_IN_PLOOMES = 40000123
IVANS_TICKET = 153341111
"""The ticket the Usedesk sandbox starts with: "Order question", from Ivan Petrov."""


def say(text: str = "") -> None:
    print(text, flush=True)


def result_of(stack: Stack, event: dict) -> str:
    """What pontes did for an event, in its own words (or why it could not)."""
    detail = stack.event(event["id"])
    if detail["status"] != "succeeded":
        return f"{detail['status']}: {detail['last_error']}"
    result = detail["result"] or {}
    return "; ".join(result.get("notes") or [result.get("summary") or "done"])


def story_ticket_history(stack: Stack) -> None:
    say("1. Movidesk -> Ploomes: a resolved ticket becomes history in the CRM")
    steps.movidesk_automation(stack, "support-history")
    say("   Movidesk automation: Status changed to Resolvido -> call webhook "
        f"{stack.hook_url('support-history', 'helpdesk')}")
    steps.movidesk_set_status(stack, 1001)
    say("   Ana resolves ticket 1001 'Erro 500 ao emitir nota fiscal' (client Maria Souza)")
    (event,) = stack.wait_for_events("support-history", 1)
    say(f"   pontes: {result_of(stack, event)}")
    record = steps.ploomes_records(stack, "InteractionRecords")[-1]
    say("   Ploomes history record:")
    for line in str(record.get("Content", "")).splitlines():
        say(f"     | {line}")


def story_deal_to_ticket(stack: Stack) -> None:
    say("\n2. Ploomes -> Movidesk: a deal for the 'Movidesk' user opens a ticket; solving it "
        "wins the deal")
    say("   pontes activate deal-ticket:")
    for line in steps.activate(stack, "deal-ticket").splitlines():
        say(f"     {line}")
    steps.movidesk_automation(stack, "deal-ticket")
    user = steps.ploomes_user_id(stack, INTEGRATION_USER)
    deal_id = steps.ploomes_create_deal(stack, "Implantação do módulo fiscal", MARIA_IN_PLOOMES,
                                        owner_id=user)
    say(f"   A salesperson creates deal {deal_id} for Maria Souza, owned by '{INTEGRATION_USER}'")
    (opened,) = stack.wait_for_events("deal-ticket", 1)
    say(f"   pontes: {result_of(stack, opened)}")
    ticket = max(steps.movidesk_state(stack)["tickets"], key=lambda t: int(t["id"]))
    say(f"   Movidesk ticket {ticket['id']}: {ticket['subject']!r} ({ticket['status']})")
    steps.movidesk_set_status(stack, ticket["id"])
    say(f"   Ana resolves ticket {ticket['id']}")
    events = stack.wait_for_events("deal-ticket", 3)
    for event in events[1:]:
        say(f"   pontes ({event['type']}): {result_of(stack, event)}")
    deal = next(d for d in steps.ploomes_records(stack, "Deals") if d["Id"] == deal_id)
    status = {1: "open", 2: "won", 3: "lost"}.get(deal["StatusId"], deal["StatusId"])
    say(f"   Ploomes deal {deal_id} is now {status}")


def story_chat_to_crm(stack: Stack) -> None:
    say("\n3. Jivo -> Ploomes: a finished chat becomes a client, a deal and its transcript")
    steps.jivo_send(stack, "chat-leads", "chat_finished", sample="marcos-company")
    say("   A visitor finishes a chat on the website")
    (event,) = stack.wait_for_events("chat-leads", 1)
    say(f"   pontes: {result_of(stack, event)}")


def story_seed003(stack: Stack) -> str:
    """Seed 003; returns the address of the ticket card to open in a browser."""
    say("\n4. Usedesk -> amoCRM: a rule's POST request creates a deal once; the CRM block "
        "in the ticket card")
    page = steps.crm_login(stack, "amocrm")
    say(f"   Login to amoCRM: {stack.server_url}/oauth/amocrm/start -> amoCRM's page asks to "
        f"allow access -> Allow -> pontes: {page}")
    contact = steps.amocrm_add_contact(stack, "Ivan Petrov", "ivan@example.org")
    say(f"   Ivan Petrov (ivan@example.org) is amoCRM contact {contact}")
    url, body = steps.request_example(stack, DEAL_REQUESTS)
    body = {**body, "fields": {**body["fields"], "name": "Order #1042: upgrade to Pro",
                               "price": 1200}, "comment": "Ivan asked about the Pro plan"}
    steps.usedesk_rule(stack, "Deal for the sales team", url, body)
    say("   Usedesk Settings -> Triggers: when a ticket changes, \"POST request\" (pontes "
        "hooks printed the URL and the JSON):")
    say(f"     {url}")
    for line in json.dumps(body, ensure_ascii=False, indent=2).splitlines():
        say(f"     {line}")
    sent = len(steps.usedesk_deliveries(stack))
    steps.usedesk_api(stack, "/update/ticket", ticket_id=IVANS_TICKET, tag="upgrade")
    steps.usedesk_deliveries(stack)  # the agent's second change comes after the first POST
    steps.usedesk_api(stack, "/update/ticket", ticket_id=IVANS_TICKET, priority="urgent")
    answers = [f"{d['status']} {json.loads(d['answer'] or '{}').get('status', '')}"
               for d in steps.usedesk_deliveries(stack)[sent:]]
    say(f"   An agent tags ticket {IVANS_TICKET} (Ivan Petrov), then raises its priority: "
        f"the rule fires twice, pontes answers {', '.join(answers)}")
    (event,) = stack.wait_for_events(DEAL_REQUESTS, 1)
    say(f"   pontes: {result_of(stack, event)}")
    for lead in steps.amocrm_records(stack, "leads"):
        contacts = [c["id"] for c in (lead.get("_embedded") or {}).get("contacts") or []]
        say(f"   amoCRM lead {lead['id']}: {lead['name']!r}, {lead['price']}, status "
            f"{lead['status_id']}, contacts {contacts}")
    if CARD_BLOCK in stack.runtime.integrations:
        steps.usedesk_block(stack, CARD_BLOCK, "amoCRM")
        say(f"   Usedesk Settings -> Blocks: dynamic block 'amoCRM' -> "
            f"{stack.hook_url(CARD_BLOCK, 'helpdesk')}")
        for block in steps.usedesk_open_card(stack, IVANS_TICKET):
            shown = "answers" if block["error"] is None else f"fails: {block['error']}"
            say(f"   The card of ticket {IVANS_TICKET} loads its block {block['name']!r}: "
                f"it {shown}")
    card = steps.usedesk_card_url(stack, IVANS_TICKET)
    say(f"   Open Ivan's ticket card in a browser: {card}")
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pontes demo", description=__doc__)
    parser.add_argument("--no-wait", action="store_true", help="exit after the story")
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the story, not every HTTP call
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pontes-demo-") as tmp, \
            full_demo_stack(Path(tmp)) as stack:
        say(f"pontes server {stack.server_url}  (admin token {stack.admin_token})")
        say(f"admin pages {stack.server_url}/admin  (sign in with the admin token)")
        for name, url in stack.sandbox_urls.items():
            say(f"{name} sandbox {url}")
        say()
        story_ticket_history(stack)
        story_deal_to_ticket(stack)
        story_chat_to_crm(stack)
        card = story_seed003(stack)
        record_page = seed004.story(stack, say)
        say(f"\nThe story took {time.monotonic() - started:.0f}s.")
        if args.no_wait:
            return 0
        say("\nExplore:\n"
            f"  {stack.server_url}/admin  (the admin pages; token {stack.admin_token})\n"
            f"  curl -H 'Authorization: Bearer {stack.admin_token}' "
            f"{stack.server_url}/admin/api/events\n"
            f"  {stack.server_url}/metrics\n"
            f"  {stack.sandbox_urls['ploomes']}/_sandbox/ploomes/records/InteractionRecords\n"
            f"  {stack.sandbox_urls['movidesk']}/_sandbox/state\n"
            f"  {card}  (the Usedesk ticket card, with the amoCRM block)\n"
            f"  {record_page}  (the Bigin record page, with the Zoho Desk Tickets tab)\n"
            "Ctrl-C to stop.")
        try:
            while stack.process and stack.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            say("\nstopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
