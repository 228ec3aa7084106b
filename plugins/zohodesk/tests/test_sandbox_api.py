"""The sandbox answers as the vendor notes say Zoho Desk does (their §4, Zoho Desk items),
called over loopback as a client of the documented API would."""

from __future__ import annotations

import base64
import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pontes.testing.receiver import Reply

from pontes_zohodesk.sandbox.state import (
    AGENT_ZUID,
    DEPARTMENT_ID,
    ORG_ID,
    SUPPORT_ADDRESS,
    parse_desk_time,
)

from .conftest import AUTH

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_every_call_but_organizations_needs_the_org_id(desk):
    token_only = {"Authorization": AUTH["Authorization"]}
    missing = desk.api("GET", "/tickets", headers=token_only)
    assert missing.status_code == 400 and missing.json()["errorCode"] == "INVALID_DATA"
    other = desk.api("GET", "/tickets", headers={**token_only, "orgId": "999"})
    assert other.status_code == 403
    portals = desk.api("GET", "/organizations", headers=token_only)
    assert portals.status_code == 200
    assert portals.json()["data"][0]["id"] == ORG_ID


@pytest.mark.parametrize("authorization", [None, "Bearer 1000.x", "Zoho-oauthtoken 1000.bad"])
def test_calls_without_a_valid_zoho_token_are_refused(desk, authorization):
    headers = {"orgId": ORG_ID, **({"Authorization": authorization} if authorization else {})}
    answer = desk.api("GET", "/contacts", headers=headers)
    assert answer.status_code == 401 and answer.json()["errorCode"] == "INVALID_OAUTH"


def test_lists_page_from_one_with_ten_by_default_and_no_total(desk):
    contact = desk.contact()
    for n in range(12):
        desk.ticket(contact["id"], subject=f"T{n}")
    first = desk.api("GET", "/tickets", sortBy="ticketNumber").json()
    assert set(first) == {"data"} and len(first["data"]) == 10
    rest = desk.api("GET", "/tickets", sortBy="ticketNumber", **{"from": 11}).json()["data"]
    assert [t["subject"] for t in rest] == ["T10", "T11"]
    assert desk.api("GET", "/tickets", limit=101).status_code == 422
    past = desk.api("GET", "/tickets", **{"from": 13})
    assert past.status_code == 204 and past.content == b""


def test_an_empty_list_is_a_204_without_a_body(desk):
    answer = desk.api("GET", "/contacts")
    assert answer.status_code == 204 and answer.content == b""


def test_a_ticket_is_created_with_the_minimum_and_answers_in_zoho_shapes(desk):
    contact = desk.contact()
    ticket = desk.ticket(contact["id"])
    assert ticket["id"].isdigit() and ticket["ticketNumber"] == "101"
    assert ticket["statusType"] == "Open" and TIME.match(ticket["createdTime"])
    assert ticket["threadCount"] == "0" and isinstance(ticket["commentCount"], str)
    assert ticket["isOverDue"] is False and "isOverdue" not in ticket
    missing = desk.api("POST", "/tickets", {"departmentId": DEPARTMENT_ID,
                                            "contactId": contact["id"]})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"fieldName": "/subject",
                                         "errorMessage": "subject is mandatory"}]
    no_department = desk.api("POST", "/tickets", {"subject": "x", "contactId": contact["id"]})
    assert no_department.json()["errors"][0]["fieldName"] == "/departmentId"


def test_on_hold_freezes_the_sla_and_a_customer_reply_reopens(desk):
    ticket = desk.ticket(desk.contact()["id"])
    held = desk.api("PATCH", f"/tickets/{ticket['id']}", {"status": "On Hold"}).json()
    assert held["statusType"] == "On Hold" and TIME.match(held["onholdTime"])
    kept = desk.api("PATCH", f"/tickets/{ticket['id']}",
                    {"dueDate": "2030-01-01T00:00:00.000Z"}).json()
    assert kept["dueDate"] == held["dueDate"]
    desk.control("/clock", {"advance": 3 * 86400}).raise_for_status()
    still = desk.api("GET", f"/tickets/{ticket['id']}").json()
    assert still["isOverDue"] is False and still["isEscalated"] is False

    desk.control(f"/tickets/{ticket['id']}/customer-reply", {"content": "Any news?"})
    reopened = desk.api("GET", f"/tickets/{ticket['id']}").json()
    assert reopened["status"] == "Open" and reopened["onholdTime"] is None
    held_for = parse_desk_time(reopened["dueDate"]) - parse_desk_time(held["dueDate"])
    assert 3 * 86400 <= held_for < 3 * 86400 + 60


def test_time_past_the_due_date_flags_overdue_and_escalates(desk):
    ticket = desk.ticket(desk.contact()["id"])
    moved = desk.control("/clock", {"advance": 25 * 3600}).json()
    assert moved["flagged"] == [ticket["id"]]
    late = desk.api("GET", f"/tickets/{ticket['id']}").json()
    assert late["isOverDue"] is True and late["isResponseOverdue"] is True
    assert late["isEscalated"] is True and late["status"] == "Escalated"
    assert late["statusType"] == "Open"


def test_send_reply_needs_a_support_address_and_can_close(desk):
    ticket = desk.ticket(desk.contact()["id"], description="<p>Broken</p>")
    path = f"/tickets/{ticket['id']}/sendReply"
    wrong = desk.api("POST", path, {"channel": "EMAIL", "fromEmailAddress": "me@x.example",
                                    "to": "dana@example.com", "content": "Hi"})
    assert wrong.json()["errors"][0]["fieldName"] == "/fromEmailAddress"
    no_to = desk.api("POST", path, {"channel": "EMAIL", "fromEmailAddress": SUPPORT_ADDRESS,
                                    "content": "Hi"})
    assert no_to.status_code == 422
    sent = desk.api("POST", path, {"channel": "EMAIL", "fromEmailAddress": SUPPORT_ADDRESS,
                                   "to": "dana@example.com", "content": "Fixed",
                                   "ticketStatus": "CLOSED"}).json()
    assert sent["direction"] == "out" and sent["id"].isdigit()
    closed = desk.api("GET", f"/tickets/{ticket['id']}").json()
    assert closed["status"] == "Closed" and closed["threadCount"] == "2"
    assert TIME.match(closed["closedTime"])


def test_comments_keep_mentions_and_default_to_html(desk):
    ticket = desk.ticket(desk.contact()["id"])
    content = f"zsu[@user:{AGENT_ZUID}]zsu have a look"
    comment = desk.api("POST", f"/tickets/{ticket['id']}/comments",
                       {"content": content, "isPublic": False}).json()
    assert comment["content"] == content and comment["contentType"] == "html"
    assert comment["commenter"]["type"] == "AGENT"
    assert desk.api("GET", f"/tickets/{ticket['id']}").json()["commentCount"] == "1"


def test_contact_search_matches_any_field_with_all(desk):
    desk.contact(email="dana@example.com")
    desk.contact(lastName="Souza", firstName="Ana", email="ana@example.org")
    found = desk.api("GET", "/contacts/search", _all="example.org", sortBy="relevance")
    assert [c["lastName"] for c in found.json()["data"]] == ["Souza"]
    assert desk.api("GET", "/contacts/search").status_code == 422


def test_webhook_filters_are_checked_per_event(desk, receiver):
    bad = desk.api("POST", "/webhooks", {"url": receiver.url(), "name": "x", "subscriptions": {
        "Contact_Add": {"departmentIds": [DEPARTMENT_ID]}}})
    assert bad.status_code == 422 and bad.json()["errorCode"] == "INVALID_DATA"
    ignored = desk.api("POST", "/webhooks", {
        "url": receiver.url(), "name": "x", "subscriptions": {"Ticket_Add": None},
        "ignoreSourceId": "0b7c7f3e-7f1a-4e8a-9d6b-0f6f2a1c3d4e"})
    assert ignored.status_code == 422
    made = desk.api("POST", "/webhooks", {"url": receiver.url(), "name": "x", "subscriptions": {
        "Ticket_Add": None, "Ticket_Update": {"includePrevState": True}}})
    assert made.status_code == 200 and made.json()["id"].isdigit()


def test_deliveries_are_arrays_with_prev_state_only_when_asked(desk, receiver):
    for name, spec in (("with", {"includePrevState": True}), ("without", None)):
        desk.api("POST", "/webhooks", {"url": receiver.url(name), "name": name,
                                       "subscriptions": {"Ticket_Update": spec}})
    ticket = desk.ticket(desk.contact()["id"])
    desk.api("PATCH", f"/tickets/{ticket['id']}", {"priority": "High"})
    desk.deliveries()
    [[item]] = receiver.bodies("with")
    assert item["eventType"] == "Ticket_Update" and item["orgId"] == ORG_ID
    assert item["prevState"]["priority"] is None and item["payload"]["priority"] == "High"
    [[plain]] = receiver.bodies("without")
    assert "prevState" not in plain


def test_a_410_answer_deletes_the_subscription(desk, receiver):
    receiver.replies["gone"] = [Reply(status=410)]
    desk.api("POST", "/webhooks", {"url": receiver.url("gone"), "name": "g",
                                   "subscriptions": {"Contact_Add": None}})
    desk.contact()
    desk.deliveries()
    assert desk.api("GET", "/webhooks").json() == {"data": []}
    desk.contact(email="second@example.com")
    desk.deliveries()
    assert len(receiver.bodies("gone")) == 1


@pytest.mark.parametrize("desk_options", [{"edition": "professional"}])
def test_the_edition_limits_enabled_webhooks(desk, receiver):
    def make(enabled: bool) -> httpx.Response:
        return desk.api("POST", "/webhooks", {"url": receiver.url(), "name": "w",
                                              "subscriptions": {"Ticket_Add": None},
                                              "isEnabled": enabled})

    assert all(make(True).status_code == 200 for _ in range(5))
    refused = make(True)
    assert refused.status_code == 422 and refused.json()["errorCode"] == "LIMIT_EXCEEDED"
    assert make(False).status_code == 200


def test_thread_add_follows_the_direction_filter_and_ticket_add_has_the_first_thread(
        desk, receiver):
    desk.api("POST", "/webhooks", {"url": receiver.url("in"), "name": "in", "subscriptions": {
        "Ticket_Thread_Add": {"direction": "in"}, "Ticket_Add": None}})
    ticket = desk.ticket(desk.contact()["id"], description="<p>Help</p>")
    desk.api("POST", f"/tickets/{ticket['id']}/sendReply", {
        "channel": "EMAIL", "fromEmailAddress": SUPPORT_ADDRESS, "to": "dana@example.com",
        "content": "On it"})
    desk.control(f"/tickets/{ticket['id']}/customer-reply", {"content": "Thanks"})
    desk.deliveries()
    kinds = [(body[0]["eventType"], body[0]["payload"].get("direction"))
             for body in receiver.bodies("in")]
    assert kinds == [("Ticket_Add", None), ("Ticket_Thread_Add", "in")]
    assert receiver.bodies("in")[0][0]["payload"]["firstThread"]["ticketId"] == ticket["id"]


def test_sla_changes_reach_only_webhooks_that_ask_for_automation(desk, receiver):
    for name, spec in (("rules", {"includeEventsFrom": ["AUTOMATION"]}), ("people", None)):
        desk.api("POST", "/webhooks", {"url": receiver.url(name), "name": name,
                                       "subscriptions": {"Ticket_Update": spec}})
    desk.ticket(desk.contact()["id"])
    desk.control("/clock", {"advance": 25 * 3600})
    desk.deliveries()
    assert receiver.bodies("people") == []
    [[item]] = receiver.bodies("rules")
    assert item["payload"]["isOverDue"] is True


@pytest.mark.parametrize("desk_options", [{"credits_per_day": 3}])
def test_spent_credits_answer_429(desk):
    assert [desk.api("GET", "/contacts").status_code for _ in range(3)] == [204, 204, 204]
    refused = desk.api("GET", "/contacts")
    assert refused.status_code == 429 and refused.json()["errorCode"] == "TOO_MANY_REQUESTS"
    assert int(refused.headers["Retry-After"]) > 0


@pytest.mark.parametrize("desk_options", [{"concurrency": 2, "latency": 0.5}])
def test_more_calls_in_flight_than_the_concurrency_answer_429(desk):
    def call(_: int) -> int:
        with httpx.Client(base_url=desk.url, timeout=10) as http:
            return http.get("/api/v1/contacts", headers=AUTH).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(call, range(6)))
    assert statuses.count(429) >= 1 and statuses.count(204) >= 2


def test_deliveries_are_signed_with_the_key_the_desk_host_publishes(desk, receiver):
    webhook = desk.api("POST", "/webhooks", {"url": receiver.url(), "name": "s",
                                             "subscriptions": {"Contact_Add": None}}).json()
    desk.contact()
    desk.deliveries()
    [headers] = receiver.headers()
    token = headers["x-zdesk-jwt"]
    signed, _, signature = token.rpartition(".")
    header, claims = (json.loads(_unb64(part)) for part in signed.split("."))
    assert header["alg"] == "RS256"
    assert claims["iss"] == f"orgId:{ORG_ID}" and claims["aud"] == f"webhookId:{webhook['id']}"
    [key] = desk.http.get("/.well-known/jwks.json").json()["keys"]
    public = rsa.RSAPublicNumbers(int.from_bytes(_unb64(key["e"]), "big"),
                                  int.from_bytes(_unb64(key["n"]), "big")).public_key()
    public.verify(_unb64(signature), signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        public.verify(_unb64(signature), signed.encode() + b"x", padding.PKCS1v15(),
                      hashes.SHA256())


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))



def test_ticket_search_takes_fields_or_all_and_zohos_sorts(desk):
    contact = desk.contact()
    desk.ticket(contact["id"], subject="Invoice PDF will not open")
    desk.ticket(contact["id"], subject="Password reset", priority="High")
    found = desk.api("GET", "/tickets/search", subject="invoice*").json()["data"]
    assert [t["subject"] for t in found] == ["Invoice PDF will not open"]
    assert [t["subject"] for t in desk.api("GET", "/tickets/search", _all="reset",
                                           sortBy="modifiedTime").json()["data"]] == [
        "Password reset"]
    assert desk.api("GET", "/tickets/search", priority="Low").status_code == 204
    assert desk.api("GET", "/tickets/search", subject="x", sortBy="dueDate").status_code == 422
