"""The sandbox answers as Usedesk's documentation says (the vendor notes' cases 9 to 15),
called over HTTP the way the documentation shows, not through the plugin's client."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest
from pontes.plugin import nest_form
from pontes.testing import serve_app
from pontes.testing.receiver import Reply

from pontes_usedesk.sandbox.app import SANDBOX_API_TOKEN as TOKEN
from pontes_usedesk.sandbox.app import build_app

SEEDED_TICKET = 153341111


# --- 9: POST, api_token in the body, error bodies ----------------------------------------

def test_every_method_is_a_post_with_the_token_in_the_body(usedesk):
    as_json = usedesk.http.post("/tickets", json={"api_token": TOKEN})
    as_form = usedesk.http.post("/tickets", data={"api_token": TOKEN})
    in_query = usedesk.http.post("/tickets", params={"api_token": TOKEN})
    assert [r.status_code for r in (as_json, as_form, in_query)] == [200, 200, 200]
    assert as_json.json() == as_form.json() == in_query.json()
    assert [t["id"] for t in as_json.json()] == [SEEDED_TICKET]
    assert usedesk.http.get("/tickets", params={"api_token": TOKEN}).status_code == 405


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_a_missing_or_wrong_token_gets_an_error_body(usedesk, token):
    body = {} if token is None else {"api_token": token}
    answer = usedesk.http.post("/ticket", json={**body, "ticket_id": SEEDED_TICKET})
    assert answer.status_code == 200
    assert set(answer.json()) == {"error"} and "token" in answer.json()["error"]


def test_errors_can_come_with_http_statuses():
    with serve_app(build_app(errors="http")) as url:
        wrong = httpx.post(f"{url}/tickets", json={"api_token": "wrong"})
        missing = httpx.post(f"{url}/ticket", json={"api_token": TOKEN, "ticket_id": 1})
        invalid = httpx.post(f"{url}/create/ticket", json={"api_token": TOKEN})
    assert (wrong.status_code, missing.status_code, invalid.status_code) == (401, 404, 400)
    assert all("error" in r.json() for r in (wrong, missing, invalid))


def test_calls_above_the_rate_limit_get_429_with_retry_after():
    with serve_app(build_app(requests_per_minute=2)) as url:
        answers = [httpx.post(f"{url}/channels", json={"api_token": TOKEN}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) > 0


def test_faults_from_core_are_injected(usedesk):
    usedesk.control("/faults", {"status": 503, "path": "/tickets", "count": 1})
    assert usedesk.call("/tickets").status_code == 503
    assert usedesk.call("/tickets").status_code == 200
    log = usedesk.http.get("/_sandbox/requests").json()
    assert TOKEN not in str(log)


# --- 10: 100 tickets a page, offset; status ids --------------------------------------------

def test_tickets_come_100_a_page_paged_with_offset(usedesk):
    client_id = usedesk.state.clients[min(usedesk.state.clients)]["id"]
    for n in range(149):
        assert usedesk.call("/create/ticket", subject=f"Ticket {n}", message="hi",
                            client_id=client_id).json()["status"] == "success"
    pages = [usedesk.call("/tickets", offset=page).json() for page in range(3)]
    assert [len(p) for p in pages] == [100, 50, 0]
    ids = [t["id"] for page in pages for t in page]
    assert len(set(ids)) == 150 and ids == sorted(ids, reverse=True)


def test_tickets_are_filtered_by_status_id(usedesk):
    usedesk.call("/create/ticket", subject="Spam", message="buy", status=7)
    spam = usedesk.call("/tickets", fstatus="7").json()
    open_or_spam = usedesk.call("/tickets", fstatus="1,7").json()
    assert [t["subject"] for t in spam] == ["Spam"]
    assert {t["status"] for t in open_or_spam} == {1, 7}
    assert usedesk.call("/create/ticket", subject="x", message="y", status=11).json() == {
        "error": "The selected status is invalid."}


# --- 11: /create/ticket -------------------------------------------------------------------

@pytest.mark.parametrize("missing", ["subject", "message"])
def test_a_ticket_needs_a_subject_and_a_message(usedesk, missing):
    params = {"subject": "Hello", "message": "<p>Hi</p>"}
    del params[missing]
    answer = usedesk.call("/create/ticket", **params).json()
    assert "error" in answer and missing in answer["error"]
    assert len(usedesk.state.tickets) == 1


def test_a_ticket_for_a_new_client_with_a_company(usedesk):
    answer = usedesk.call("/create/ticket", subject="Lead #48213 needs a call-back",
                          message="<p>Call back</p>", client_id="new_client",
                          client_name="Ivan Petrov", client_email="ivan@example.org",
                          company_name="Acme LLC").json()
    assert answer == {"status": "success", "ticket_id": answer["ticket_id"]}
    ticket = usedesk.call("/ticket", ticket_id=answer["ticket_id"]).json()["ticket"]
    client = usedesk.call("/client", client_id=ticket["client_id"]).json()
    seeded = min(usedesk.state.clients)
    assert ticket["client_id"] != seeded, "new_client makes a new client"
    assert client["client_company"]["name"] == "Acme LLC"
    again = usedesk.call("/create/ticket", subject="Again", message="x",
                         client_email="IVAN@example.org").json()
    ticket = usedesk.call("/ticket", ticket_id=again["ticket_id"]).json()["ticket"]
    assert ticket["client_id"] == seeded, "without client_id the e-mail finds the client"


# --- 12: /create/comment ------------------------------------------------------------------

def test_a_private_comment_is_a_note(usedesk):
    answer = usedesk.call("/create/comment", ticket_id=SEEDED_TICKET, message="VIP client",
                          type="private").json()
    assert answer == {"status": "success", "comment_id": answer["comment_id"]}
    comments = usedesk.call("/ticket", ticket_id=SEEDED_TICKET).json()["comments"]
    assert [(c["id"], c["type"]) for c in comments][-1] == (answer["comment_id"], "private")


# --- 13, 14: webhooks ---------------------------------------------------------------------

def test_webhooks_carry_the_secret_and_tell_their_kind_by_key(usedesk, receiver):
    usedesk.control("/channel", {"url": receiver.url("hook")})
    created = usedesk.call("/create/ticket", subject="New", message="hello",
                           client_email="olga@example.org").json()["ticket_id"]
    usedesk.call("/create/comment", ticket_id=created, message="reply")
    usedesk.call("/update/ticket", ticket_id=created, status=2, user_id=1)
    usedesk.control(f"/tickets/{created}/rating", {"rating": 5})
    usedesk.deliveries()
    bodies = [r.json() for r in receiver.to("hook")]
    assert [b["secret"] for b in bodies] == [TOKEN] * 4
    kinds = [next(k for k in ("ticket", "comment", "trigger", "csi") if k in b) for b in bodies]
    assert kinds == ["ticket", "comment", "trigger", "csi"]
    change = bodies[2]["trigger"]
    assert (change["old_status"], change["new_status"]) == (8, 2)
    assert {"target": "status_id", "value": 2, "old_value": 8} in change["data"]
    assert all(r.content_type == "application/json" for r in receiver.to("hook"))


def test_the_ticket_webhook_writes_numbers_as_strings(usedesk, receiver):
    usedesk.control("/channel", {"url": receiver.url("hook")})
    usedesk.call("/create/ticket", subject="New", message="hello", client_email="a@b.org")
    usedesk.control("/ticket-fields", {"name": "Order #"})
    usedesk.call("/create/ticket", subject="Newer", message="hello", client_email="a@b.org")
    usedesk.deliveries()
    first, second = (r.json()["ticket"] for r in receiver.to("hook"))
    assert isinstance(first["id"], str) and first["id"].isdigit()
    assert first["company_id"] == "153561" and isinstance(first["channel_id"], str)
    assert "custom_fields" not in first, "only an account with additional fields sends them"
    assert second["custom_fields"] == [{"id": "54", "name": "Order #", "value": None}]


def test_without_json_request_the_webhook_is_a_form_with_bracket_keys(usedesk, receiver):
    usedesk.control("/channel", {"url": receiver.url("hook"), "json": False})
    usedesk.control(f"/tickets/{SEEDED_TICKET}/client-message", {"message": "Any news?"})
    usedesk.deliveries()
    [delivery] = receiver.to("hook")
    assert delivery.content_type.startswith("application/x-www-form-urlencoded")
    pairs = parse_qsl(delivery.body.decode(), keep_blank_values=True)
    assert ("comment[from]", "client") in pairs and ("secret", TOKEN) in pairs
    body = nest_form(pairs)
    assert body["comment"]["message"] == "Any news?"
    assert body["client"]["emails"][0]["email"] == "ivan@example.org"


def test_only_the_events_ticked_are_sent(usedesk, receiver):
    usedesk.control("/channel", {"url": receiver.url("hook"), "events": ["csi"]})
    usedesk.call("/create/comment", ticket_id=SEEDED_TICKET, message="reply")
    usedesk.control(f"/tickets/{SEEDED_TICKET}/rating", {"rating": 4, "comment": "ok"})
    usedesk.deliveries()
    assert [list(r.json())[1] for r in receiver.to("hook")] == ["csi"]


# --- 15: the ticket card's dynamic blocks -------------------------------------------------

def test_opening_a_ticket_posts_to_every_enabled_block(usedesk, receiver):
    receiver.replies["crm"] = [Reply({"html": "<b>Lead #48213</b>"})]
    usedesk.control("/blocks", {"name": "crm", "url": receiver.url("crm"), "title": "CRM",
                                "secret_key": "s3cr3t",
                                "parameters": {"language": "pt"}})
    usedesk.control("/blocks", {"name": "off", "url": receiver.url("off"), "enabled": False})
    [shown] = usedesk.control(f"/tickets/{SEEDED_TICKET}/blocks", {}).json()
    assert shown["html"] == "<b>Lead #48213</b>" and shown["error"] is None
    [posted] = receiver.to("crm")
    assert posted.content_type == "application/json" and not receiver.to("off")
    body = posted.json()
    assert body["ticket_id"] == SEEDED_TICKET and body["subject"] == "Order question"
    assert body["client_data"]["emails"] == ["ivan@example.org"]
    assert body["client_data"]["phones"] == [{"type": "mobile", "phone": "+79990001122"}]
    assert body["channel_data"] == {"type": "email", "data": "support@shop.example.org",
                                    "id": 64327}
    assert (body["is_auto_load"], body["secret_key"], body["language"]) == ("1", "s3cr3t", "pt")


def test_refresh_posts_the_same_request_again(usedesk, receiver):
    usedesk.control("/blocks", {"name": "crm", "url": receiver.url("crm")})
    usedesk.control(f"/tickets/{SEEDED_TICKET}/blocks", {})
    usedesk.control(f"/tickets/{SEEDED_TICKET}/blocks", {"automatic": False, "name": "crm"})
    first, again = (r.json() for r in receiver.to("crm"))
    assert again == {**first, "is_auto_load": "0"}


def test_a_block_that_answers_late_or_wrongly_shows_an_error(usedesk, receiver):
    receiver.replies["slow"] = [Reply({"html": "late"}, delay=2.0)]
    receiver.replies["text"] = [Reply({"text": "no html"})]
    receiver.replies["broken"] = [Reply({"html": "oops"}, status=500)]
    usedesk.control("/card-settings", {"timeout": 0.5})
    for name in ("slow", "text", "broken"):
        usedesk.control("/blocks", {"name": name, "url": receiver.url(name)})
    shown = {r["name"]: r for r in usedesk.control(f"/tickets/{SEEDED_TICKET}/blocks",
                                                   {}).json()}
    assert "0.5 s" in shown["slow"]["error"] and shown["slow"]["html"] is None
    assert "html" in shown["text"]["error"]
    assert "500" in shown["broken"]["error"]


def test_the_card_page_shows_the_ticket_and_loads_its_blocks(usedesk, receiver):
    usedesk.control("/blocks", {"name": "crm", "url": receiver.url("crm"), "title": "CRM"})
    page = usedesk.http.get(f"/_sandbox/tickets/{SEEDED_TICKET}/card")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Order question" in page.text and "ivan@example.org" in page.text
    assert 'data-block="crm"' in page.text and 'fetch("blocks"' in page.text
    assert usedesk.http.get("/_sandbox/tickets/1/card").status_code == 404


def test_tickets_are_filtered_by_assignee_or_its_absence(usedesk):
    assigned = usedesk.call("/create/ticket", subject="Mine", message="m",
                            assignee_id=1).json()["ticket_id"]
    assert [t["id"] for t in usedesk.call("/tickets", fassigned="1").json()] == [assigned]
    assert assigned not in [t["id"] for t in usedesk.call("/tickets",
                                                          fassigned="unassigned").json()]
    assert usedesk.call("/create/ticket", subject="x", message="y",
                        assignee_id=99).json() == {"error": "The selected assignee_id is invalid."}
