"""Usedesk and a real pontes server, end to end: the sandbox's API channel posts its
webhooks (JSON, then as forms) to an integration's hook URL and the tickets reach the
CRM's history; the sandbox's ticket card posts to a dynamic block served by pontes and
shows the answer built from the card. The channel token and the block secret, which
every delivery carries, are kept out of everything the server stores and shows."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from pontes.testing.stack import Stack

pytestmark = pytest.mark.slow

SUPPORT = Path(__file__).parent / "support"
TOKEN = "ud/Tok+en=5&x 7y~"
BLOCK_SECRET = "blk/Sec+ret=9&q 2z~"
"""Secrets with the characters URL encoders write their own ways."""

SEEDED_TICKET = 153341111


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    sys.path.insert(0, str(SUPPORT))
    env = {"PYTHONPATH": os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")]),
           "PONTES_EXTRA_PLUGINS": "card_recipe", "PONTES_BACKOFF_BASE": "0.05",
           "PONTES_BACKOFF_CAP": "0.4"}
    try:
        with Stack.running(
            tmp_path_factory.mktemp("usedesk"),
            connections={"usedesk": ("usedesk", {"block_secret": BLOCK_SECRET}),
                         "ploomes": ("ploomes", {})},
            integrations={
                "history": {"recipe": "ticket_history", "helpdesk": "usedesk",
                            "crm": "ploomes", "options": {"create_clients": True}},
                "card": {"recipe": "card_echo", "helpdesk": "usedesk"},
            },
            sandbox_options={"usedesk": {"api_token": TOKEN},
                             "ploomes": {"requests_per_minute": 1200}},
            server_env=env,
        ) as running:
            yield running
    finally:
        sys.path.remove(str(SUPPORT))


def usedesk_call(stack: Stack, method: str, **params) -> dict:
    with stack.sandbox("usedesk") as usedesk:
        answer = usedesk.post(method, json={"api_token": TOKEN, **params})
    answer.raise_for_status()
    assert "error" not in answer.json(), answer.json()
    return answer.json()


def usedesk_control(stack: Stack, path: str, body: dict | None = None):
    with stack.sandbox("usedesk") as usedesk:
        answer = usedesk.post(f"/_sandbox{path}", json=body or {})
        answer.raise_for_status()
        return answer.json()


def deliveries(stack: Stack) -> list[dict]:
    with stack.sandbox("usedesk") as usedesk:
        return usedesk.get("/_sandbox/deliveries").json()


def finished(stack: Stack, integration: str) -> int:
    """How many of the integration's events have run to an end."""
    return len([e for e in stack.events(integration) if e["status"] in ("succeeded", "dead")])


def history_mentions(stack: Stack, text: str) -> bool:
    with stack.sandbox("ploomes") as ploomes:
        rows = ploomes.get("/_sandbox/ploomes/records/InteractionRecords").json()
    return any(text in json.dumps(row, ensure_ascii=False) for row in rows)


def test_ticket_webhooks_in_json_reach_the_crm_history(stack):
    usedesk_control(stack, "/channel", {"url": stack.hook_url("history", "helpdesk")})
    ticket_id = usedesk_call(stack, "/create/ticket", subject="Flickering lamp",
                             message="<p>It flickers</p>", client_name="Olga Ivanova",
                             client_email="olga@example.org")["ticket_id"]
    usedesk_call(stack, "/update/ticket", ticket_id=ticket_id, status=2, user_id=1)
    events = stack.wait_for_events("history", 2)
    assert [d["status"] for d in deliveries(stack)] == [200, 200]
    assert sorted(e["type"] for e in events) == ["ticket.changed", "ticket.created"]
    assert {e["status"] for e in events} == {"succeeded"}, events
    assert history_mentions(stack, "Flickering lamp")


def test_ticket_webhooks_as_forms_are_read_and_a_comment_is_acknowledged(stack):
    usedesk_control(stack, "/channel", {"url": stack.hook_url("history", "helpdesk"),
                                        "json": False})
    before, done = len(stack.events("history")), finished(stack, "history")
    ticket_id = usedesk_call(stack, "/create/ticket", subject="Wrong size",
                             message="Too small", client_name="Pavel Orlov",
                             client_email="pavel@example.org")["ticket_id"]
    usedesk_control(stack, f"/tickets/{ticket_id}/client-message", {"message": "Hello?"})
    usedesk_call(stack, "/update/ticket", ticket_id=ticket_id, status=3)
    stack.wait_until(lambda: len(stack.events("history")) >= before + 3, 60,
                     "three deliveries stored")
    stack.wait_for_events("history", done + 2)
    sent = deliveries(stack)[-3:]
    assert all(d["form"] for d in sent) and [d["status"] for d in sent] == [200, 200, 200]
    newest = {e["type"]: e["status"] for e in stack.events("history")[before:]}
    assert newest["ticket.commented"] == "ignored", "ticket_history does not use comments"
    assert newest["ticket.created"] == newest["ticket.changed"] == "succeeded"
    assert history_mentions(stack, "Wrong size")


def test_a_delivery_with_another_secret_is_refused(stack):
    with stack.sandbox("usedesk") as usedesk:
        answer = usedesk.post(stack.hook_url("history", "helpdesk"), json={
            "secret": "guessed", "ticket": {"id": "1", "subject": "x"}})
    assert answer.status_code == 400 and "not the token" in answer.json()["error"]


def test_the_ticket_card_shows_the_blocks_answer_built_by_pontes(stack):
    hook = stack.hook_url("card", "helpdesk")
    usedesk_control(stack, "/blocks", {"name": "crm", "title": "CRM", "url": hook,
                                       "secret_key": BLOCK_SECRET,
                                       "parameters": {"language": "ru"}})
    usedesk_control(stack, "/blocks", {"name": "stranger", "url": hook,
                                       "secret_key": "not-the-secret"})
    shown = {b["name"]: b for b in usedesk_control(stack, f"/tickets/{SEEDED_TICKET}/blocks")}
    html = shown["crm"]["html"]
    assert "<strong>Ivan Petrov</strong>" in html and "ivan@example.org" in html
    assert f"/tickets/{SEEDED_TICKET}?language=ru" in html
    assert shown["stranger"]["html"] is None and "400" in shown["stranger"]["error"]
    [event] = stack.wait_for_events("card", 1)
    assert event["type"] == "ticket.card_opened"
    detail = stack.event(event["id"])
    assert f"card of ticket {SEEDED_TICKET} opened in ru" in json.dumps(detail)


def spellings(secret: str) -> set[str]:
    return {secret, quote(secret), quote_plus(secret), quote(secret, safe=""),
            json.dumps(secret)[1:-1]}


def test_no_secret_is_stored_or_shown(stack):
    test_the_ticket_card_shows_the_blocks_answer_built_by_pontes(stack)
    usedesk_control(stack, "/channel", {"url": stack.hook_url("history", "helpdesk")})
    done = finished(stack, "history")
    usedesk_call(stack, "/create/ticket", subject="Blocks listed", message="x",
                 client_email="olga@example.org")
    stack.wait_for_events("history", done + 1)
    assert BLOCK_SECRET in json.dumps(deliveries(stack)[-1]["body"]["ticket"]["custom_blocks"])
    shown = [json.dumps(stack.events()), *(json.dumps(stack.event(e["id"]))
                                           for e in stack.events())]
    with sqlite3.connect(stack.workdir / "pontes.db") as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        stored = [repr(db.execute(f'SELECT * FROM "{name}"').fetchall()) for name in tables]
    assert any("secret" in text for text in shown + stored), "the deliveries are stored"
    for secret in (TOKEN, BLOCK_SECRET):
        for spelling in spellings(secret):
            assert not [t for t in shown + stored + [stack.server_log()] if spelling in t], (
                f"{spelling!r} shows")


def test_other_blocks_keys_and_a_wrong_secret_are_masked_in_what_is_stored(stack):
    """A ticket delivery lists every dynamic block with its secret key (other servers'
    keys), and a refused delivery carries whatever secret was sent: none is kept."""
    other_key, guessed = "other-block-key/7+q", "guessed-channel-secret-42"
    usedesk_control(stack, "/blocks", {"name": "erp", "title": "ERP",
                                       "url": "http://127.0.0.1:9/erp", "secret_key": other_key})
    usedesk_control(stack, "/channel", {"url": stack.hook_url("history", "helpdesk"),
                                        "json": False})
    done = finished(stack, "history")
    usedesk_call(stack, "/create/ticket", subject="Other blocks", message="x",
                 client_email="olga@example.org")
    stack.wait_for_events("history", done + 1)
    with stack.sandbox("usedesk") as usedesk:
        refused = usedesk.post(stack.hook_url("history", "helpdesk"), json={
            "secret": guessed, "ticket": {"id": "2", "subject": "y"}})
    assert refused.status_code == 400
    sent = deliveries(stack)[-1]
    assert sent["form"] and other_key in json.dumps(sent["body"]), "the sandbox sent the key"
    shown = [json.dumps(stack.event(e["id"])) for e in stack.events("history")[-2:]]
    with sqlite3.connect(stack.workdir / "pontes.db") as db:
        stored = repr(db.execute("SELECT body, event, last_error FROM events").fetchall())
    assert any("custom_blocks" in text for text in shown), "the delivery is shown"
    for secret in (other_key, guessed):
        for spelling in spellings(secret):
            assert not [t for t in [*shown, stored, stack.server_log()] if spelling in t], (
                f"{spelling!r} shows")
