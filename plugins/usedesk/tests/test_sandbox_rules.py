"""The sandbox's rules with a "POST request" action (seed 003): the rule's JSON is posted
with ``{{ticket_id}}`` filled in when a ticket is created or changes, to a status when the
rule names one, with the rule's headers."""

from __future__ import annotations

import pytest

from pontes_usedesk.sandbox.app import SANDBOX_API_TOKEN as TOKEN

RULE_DATA = {"ticketId": "{{ticket_id}}", "fields": {"name": "Deal for {{ticket_id}}",
                                                     "pipeline_id": 6516490},
             "comment": "4444"}


def new_ticket(usedesk) -> int:
    return usedesk.call("/create/ticket", subject="Rule test", message="hello",
                        client_email="rules@example.org").json()["ticket_id"]


def test_a_change_rule_posts_its_json_with_the_ticket_filled_in_on_every_change(usedesk,
                                                                              receiver):
    usedesk.control("/rules", {"name": "deal", "on": "ticket_changed",
                               "url": receiver.url("rule"), "data": RULE_DATA,
                               "headers": [{"name": "X-Team", "value": "sales"}]})
    ticket = new_ticket(usedesk)
    usedesk.call("/update/ticket", ticket_id=ticket, priority="urgent")
    usedesk.call("/update/ticket", ticket_id=ticket, tag="vip")
    usedesk.deliveries()
    posted = receiver.to("rule")
    assert [r.json() for r in posted] == [
        {"ticketId": str(ticket), "fields": {"name": f"Deal for {ticket}",
                                             "pipeline_id": 6516490}, "comment": "4444"}] * 2
    assert all(r.content_type == "application/json" for r in posted)
    assert TOKEN not in str([r.body for r in posted])


def test_a_rule_for_a_status_runs_only_when_a_change_sets_it(usedesk, receiver):
    usedesk.control("/rules", {"name": "solved", "on": "ticket_changed", "status_id": 2,
                               "url": receiver.url("rule"), "data": RULE_DATA})
    ticket = new_ticket(usedesk)
    usedesk.call("/update/ticket", ticket_id=ticket, priority="urgent")
    usedesk.call("/update/ticket", ticket_id=ticket, status=2)
    usedesk.call("/update/ticket", ticket_id=ticket, tag="after")
    usedesk.deliveries()
    assert [r.json()["ticketId"] for r in receiver.to("rule")] == [str(ticket)]


def test_a_creation_rule_runs_for_new_tickets_and_rules_can_be_removed(usedesk, receiver):
    usedesk.control("/rules", {"name": "new", "on": "ticket_created",
                               "url": receiver.url("rule"), "data": RULE_DATA})
    first = new_ticket(usedesk)
    usedesk.call("/update/ticket", ticket_id=first, priority="urgent")
    assert usedesk.control("/rules", method="DELETE").json() == []
    new_ticket(usedesk)
    usedesk.deliveries()
    assert [r.json()["ticketId"] for r in receiver.to("rule")] == [str(first)]


@pytest.mark.parametrize(("spec", "words"), [
    ({"on": "ticket_changed", "url": "http://x.example/r", "data": {}}, "name"),
    ({"name": "r", "url": "ftp://x.example/r", "data": {}}, "url"),
    ({"name": "r", "on": "ticket_rated", "url": "http://x.example/r", "data": {}}, "on must"),
    ({"name": "r", "url": "http://x.example/r"}, "data is required"),
    ({"name": "r", "url": "http://x.example/r", "data": {}, "status_id": "2"}, "status_id"),
    ({"name": "r", "url": "http://x.example/r", "data": {}, "headers": ["X: y"]}, "headers"),
])
def test_a_bad_rule_is_refused_naming_what_is_wrong(usedesk, spec, words):
    answer = usedesk.control("/rules", spec)
    assert answer.status_code == 400
    assert words in answer.text
