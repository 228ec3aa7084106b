"""The standard suite of pontes for the ``zohodesk`` connector (docs/testing-plugins.md):
a documented delivery of every webhook event this plugin reads, a case for every action
against the sandbox, and round trips of the ticket, contact and account mappers."""

import json

from hypothesis import strategies as st
from pontes.testing import (
    ActionCase,
    ConnectorStandardTests,
    WebhookSample,
    find_created_cases,
    finder_cases,
    made,
    prepared,
)
from pontes.testing.round_trip import canonical_emails, canonical_phones

from pontes_zohodesk.client import desk_post
from pontes_zohodesk.sandbox.state import AGENT_ZUID, DEPARTMENT_ID, ORG_ID

TICKET = {"id": "900000000000100033", "ticketNumber": "1042", "subject": "Invoice PDF",
          "status": "Escalated", "statusType": "Open", "departmentId": DEPARTMENT_ID,
          "contactId": "900000000000165005", "isEscalated": True, "isOverDue": True,
          "modifiedTime": "2025-03-04T11:02:40.000Z"}


def delivery(event_type: str, payload: dict, previous: dict | None = None) -> bytes:
    """A Zoho Desk delivery: a JSON array of one event."""
    item = {"eventType": event_type, "orgId": ORG_ID, "eventTime": "1741086160000",
            "payload": payload}
    if previous is not None:
        item["prevState"] = previous
    return json.dumps([item]).encode()


SAMPLES = [
    (delivery("Ticket_Add", {**TICKET, "status": "Open", "isEscalated": False,
                             "isOverDue": False, "firstThread": {"id": "1"}}),
     ["ticket.created"]),
    (delivery("Ticket_Update", TICKET, {"id": TICKET["id"], "status": "Open",
                                        "isEscalated": False, "isOverDue": False}),
     ["ticket.changed", "ticket.overdue", "ticket.escalated"]),
    (delivery("Ticket_Thread_Add", {"id": "900000000000170011", "ticketId": TICKET["id"],
                                    "direction": "in", "content": "Still broken",
                                    "createdTime": "2025-03-04T11:05:00.000Z"}),
     ["ticket.replied"]),
    (delivery("Ticket_Comment_Add", {"id": "900000000000180001", "ticketId": TICKET["id"],
                                     "content": f"zsu[@user:{AGENT_ZUID}]zsu please look",
                                     "commentedTime": "2025-03-04T11:06:00.000Z"}),
     ["ticket.commented", "ticket.mentioned"]),
    (delivery("Contact_Update", {"id": "900000000000165005", "lastName": "Ng",
                                 "modifiedTime": "2025-03-04T11:07:00.000Z"}),
     ["contact.changed"]),
    (delivery("Account_Add", {"id": "900000000000161001", "accountName": "Acme",
                              "modifiedTime": "2025-03-04T11:08:00.000Z"}),
     ["company.changed"]),
    (delivery("Task_Add", {"id": "900000000000190001"}), []),
]
"""Deliveries as Zoho Desk's webhook documentation shapes them, and the events each makes."""


async def contact_made(connection, **fields) -> dict:
    """A contact created in the sandbox (``POST /contacts``)."""
    body = {"firstName": "Dana", "lastName": "Ng", "email": "dana@example.com",
            "phone": "+14155550123", **fields}
    return await desk_post(connection, "/contacts", body)


async def account_made(connection) -> dict:
    """An account created in the sandbox (``POST /accounts``)."""
    return await desk_post(connection, "/accounts", {
        "accountName": "Acme Ltd", "email": "office@acme.example", "phone": "+14155550999"})


async def ticket_made(connection) -> dict:
    """A ticket of Dana's (at Acme) in the sandbox, with her first message."""
    account = await account_made(connection)
    contact = await contact_made(connection, accountId=account["id"])
    return await desk_post(connection, "/tickets", {
        "subject": "Invoice PDF will not open", "departmentId": DEPARTMENT_ID,
        "contactId": contact["id"], "description": "<p>It shows an error.</p>"})


DRAFT = {"id": "draft-7", "name": "Dana Ng", "emails": ["dana@example.com"]}
TICKET_DRAFT = {"id": "draft-8", "subject": "Refund", "description": "Please refund",
                "requester": DRAFT}


registered_webhook = made("webhook.register", {"event": "ticket.changed",
                                              "url": "https://hooks.example/desk"})


async def rated_ticket(connection):
    import httpx

    ticket = await ticket_made(connection)
    async with httpx.AsyncClient(base_url=connection.settings.base_url) as control:
        answer = await control.post(f"/_sandbox/tickets/{ticket['id']}/rating",
                                    json={"rating": "GOOD", "feedback": "Quick"})
        answer.raise_for_status()
    return {"ticket_id": ticket["id"]}


class TestZohodesk(ConnectorStandardTests):
    connector = "zohodesk"

    def webhook_samples(self):
        """Every ticket, thread, comment, contact and account event, and one ignored."""
        return [WebhookSample("webhook", body, "application/json", events)
                for body, events in SAMPLES]

    def action_cases(self):
        """Each action against records the sandbox holds."""
        by_id = lambda raw: {"id": raw["id"]}  # noqa: E731
        return [
            *finder_cases("contact", contact_made, email="Dana@Example.com",
                          phone="+1 415 555 0123", check=lambda c: c.last_name == "Ng"
                          and c.emails == ["dana@example.com"]),
            ActionCase("contact.get", prepared(contact_made, by_id),
                       check=lambda c: c.name == "Dana Ng"),
            ActionCase("contact.create", {"first_name": "Ana", "last_name": "Souza",
                                          "emails": ["ana@example.com"]},
                       check=lambda c: c.emails == ["ana@example.com"]),
            *find_created_cases("contact", DRAFT,
                                check=lambda c: c.emails == ["dana@example.com"]),
            ActionCase("contact.update", prepared(contact_made, lambda raw: {
                "id": raw["id"], "changes": {"phones": ["+14155550100"]}}),
                check=lambda c: c.phones == ["+14155550100"] and c.last_name == "Ng"),
            *finder_cases("company", account_made, email="Office@Acme.example",
                          phone="+1 (415) 555-0999", check=lambda c: c.name == "Acme Ltd"),
            ActionCase("company.find_by_name", prepared(account_made, {
                "name": "acme ltd"}), check=lambda c: c.emails == ["office@acme.example"]),
            ActionCase("company.get", prepared(account_made, by_id),
                       check=lambda c: c.name == "Acme Ltd"),
            ActionCase("contact.list", prepared(contact_made, {}),
                       check=lambda page: [c.name for c in page.records] == ["Dana Ng"]
                       and page.next_cursor is None),
            ActionCase("company.list", prepared(account_made, {}),
                       check=lambda page: [c.name for c in page.records] == ["Acme Ltd"]),
            ActionCase("company.create", {"name": "Borealis", "website": "https://b.example"},
                       check=lambda c: c.website == "https://b.example"),
            *find_created_cases("company", {"id": "draft-9", "name": "Borealis"},
                                check=lambda c: c.name == "Borealis"),
            ActionCase("company.update", prepared(account_made, lambda raw: {
                "id": raw["id"], "changes": {"website": "https://acme.example"}}),
                check=lambda c: c.website == "https://acme.example" and c.name == "Acme Ltd"),
            ActionCase("ticket.get", prepared(ticket_made, by_id),
                       check=lambda t: t.messages and t.requester.last_name == "Ng"),
            ActionCase("ticket.create", {"subject": "Refund", "description": "Please",
                                         "requester": DRAFT},
                       check=lambda t: t.subject == "Refund" and t.number),
            ActionCase("ticket.fields", {}, check=lambda fields: [
                (f.name, f.type, f.required) for f in fields] == [
                ("subject", "text", True), ("priority", "choice", False),
                ("category", "choice", False), ("description", "long_text", False)]
                and [o.id for o in fields[1].options] == ["High", "Medium", "Low"]),
            *find_created_cases("ticket", TICKET_DRAFT, check=lambda t: t.subject == "Refund"),
            ActionCase("ticket.set_status", prepared(ticket_made, lambda raw: {
                "id": raw["id"], "status": "solved"}),
                check=lambda t: t.vendor_status == "Closed" and t.closed_at),
            ActionCase("ticket.list_for_client", prepared(ticket_made, lambda raw: {
                "contact_id": raw["contactId"]}), check=lambda ts: len(ts) == 1),
            ActionCase("ticket.list_for_company", prepared(ticket_made, lambda raw: {
                "company_id": raw["accountId"]}), check=lambda ts: len(ts) == 1),
            ActionCase("ticket.reply", prepared(ticket_made, lambda raw: {
                "id": raw["id"], "text": "Fixed, please retry."}),
                check=lambda t: t.messages[-1].direction == "outbound"),
            ActionCase("ticket.reply_all", prepared(ticket_made, lambda raw: {
                "id": raw["id"], "text": "Thanks all."}),
                check=lambda t: len(t.messages) == 2),
            ActionCase("ticket.forward", prepared(ticket_made, lambda raw: {
                "id": raw["id"], "to": ["billing@acme.example"], "text": "FYI"}),
                check=lambda t: t.remote_data["lastThread"]["isForward"] is True),
            ActionCase("ticket.comment", prepared(ticket_made, lambda raw: {
                "id": raw["id"], "text": "Looking", "mentions": [AGENT_ZUID]}),
                check=lambda t: f"zsu[@user:{AGENT_ZUID}]zsu" in t.messages[-1].html),
            ActionCase("ticket.list_messages", prepared(ticket_made, by_id),
                       check=lambda ms: ms[0].text == "It shows an error."),
            ActionCase("ticket.list_ratings", rated_ticket,
                       check=lambda rs: rs[0].rating == "good" and rs[0].feedback == "Quick"),
            ActionCase("webhook.register", {"event": "ticket.created",
                                            "url": "https://hooks.example/desk"},
                       check=lambda w: w.event == "ticket.created"),
            ActionCase("webhook.list", prepared(registered_webhook, {}),
                       check=lambda ws: [w.event for w in ws] == ["ticket.changed"]),
            ActionCase("webhook.remove", prepared(registered_webhook,
                                                  lambda info: {"id": info.id}),
                       check=lambda answer: answer is not None),
            ActionCase("agent.permissions", {"id": AGENT_ZUID},
                       check=lambda agent: agent.active and len(agent.allowed) == 5),
        ]

    def mapper_round_trip_fields(self):
        """Zoho Desk keeps two e-mails and two phones of a contact, one of an account."""
        two_emails = st.lists(canonical_emails(), min_size=1, max_size=2, unique=True)
        two_phones = st.lists(canonical_phones(), min_size=1, max_size=2, unique=True)
        one_email = st.lists(canonical_emails(), min_size=1, max_size=1)
        one_phone = st.lists(canonical_phones(), min_size=1, max_size=1)
        return {
            "contact": ["first_name", "last_name", ("emails", two_emails),
                        ("phones", two_phones)],
            "account": ["name", ("emails", one_email), ("phones", one_phone), "website"],
            "ticket": ["subject", "priority", "category"],
        }
