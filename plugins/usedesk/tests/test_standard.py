"""The standard suite of pontes for the ``usedesk`` connector (docs/testing-plugins.md):
every documented delivery, a case for every action against the sandbox, every mapper."""

import json
from pathlib import Path

from hypothesis import strategies as st
from pontes.plugin import Contact, InteractionKind, Ticket, TicketStatus
from pontes.testing import (
    ActionCase,
    ConnectorStandardTests,
    WebhookSample,
    find_created_cases,
    id_of,
    made,
)
from pontes.testing.round_trip import canonical_emails, canonical_phones, words

EXAMPLES = Path(__file__).parent / "examples"
"""Deliveries in the shapes Usedesk's documentation and public code show (ids and values
invented): one per API channel kind (``ticket``, ``comment``, ``trigger``, ``csi``,
``chat``), a ticket as a form, and a dynamic block's request. Their ``secret`` is the
sandbox's channel token, so a connection to the sandbox accepts them."""


def example(name: str):
    """The example ``name``: decoded JSON, or the raw form text."""
    path = EXAMPLES / name
    text = path.read_text().strip()
    return json.loads(text) if path.suffix == ".json" else text


FORM = "application/x-www-form-urlencoded"
SEEDED_TICKET = "153341111"
SEEDED_CLIENT = "242630"


def draft_ticket(subject: str = "Invoice copy") -> Ticket:
    return Ticket(subject=subject, description="Please send the May invoice again.",
                  requester=Contact(name="Maria Silva", emails=["maria@example.org"]))


class TestUsedesk(ConnectorStandardTests):
    connector = "usedesk"

    def webhook_samples(self):
        """Every kind of API channel delivery, JSON and form, and the dynamic block."""
        return [
            WebhookSample("webhook", example("ticket.json"), events=["ticket.created"]),
            WebhookSample("webhook", example("ticket.form"), FORM, ["ticket.created"]),
            WebhookSample("webhook", example("comment.json"), events=["ticket.commented"]),
            WebhookSample("webhook", example("trigger.json"), events=["ticket.changed"]),
            WebhookSample("webhook", example("csi.json"), events=["ticket.rated"]),
            WebhookSample("webhook", example("chat.json"), events=[]),
            WebhookSample("ticket_card", example("block.json"), events=["ticket.card_opened"]),
        ]

    def action_cases(self):
        """Each action on the sandbox's seeded ticket and client, or on records it makes."""
        return [
            ActionCase("ticket.get", {"id": SEEDED_TICKET},
                       check=lambda t: t.subject == "Order question" and t.messages),
            ActionCase("ticket.create", draft_ticket(),
                       check=lambda t: t.requester.emails == ["maria@example.org"]
                       and t.status == TicketStatus.new),
            ActionCase("ticket.fields", {}, check=lambda fields: [
                (f.name, f.required, f.default) for f in fields] == [
                ("subject", True, None), ("priority", False, "medium"),
                ("category", False, "question"), ("description", True, None)]),
            *find_created_cases("ticket", draft_ticket("Find me again"),
                                check=lambda t: t.subject == "Find me again"),
            ActionCase("ticket.reply", {"id": SEEDED_TICKET, "text": "It ships today."},
                       check=lambda t: t.messages[-1].public
                       and t.messages[-1].text == "It ships today."),
            ActionCase("ticket.reply", {"id": SEEDED_TICKET, "html": "<b>VIP</b>",
                                        "public": False},
                       check=lambda t: not t.messages[-1].public),
            ActionCase("ticket.set_status", {"id": SEEDED_TICKET, "status": "solved"},
                       check=lambda t: t.status == TicketStatus.solved
                       and t.vendor_status == "2"),
            ActionCase("ticket.list_for_client", {"contact_id": SEEDED_CLIENT},
                       check=lambda ts: [t.number for t in ts] == [SEEDED_TICKET]),
            ActionCase("usedesk.ticket.list", {"statuses": [1]},
                       check=lambda ts: ts[0].status == TicketStatus.open),
            ActionCase("contact.get", {"id": SEEDED_CLIENT},
                       check=lambda c: c.phones == ["+79990001122"]),
            ActionCase("contact.find_by_email", {"email": "Ivan@Example.org"},
                       check=lambda c: c.name == "Ivan Petrov"),
            ActionCase("contact.find_by_email", {"email": "nobody@example.org"},
                       expect_empty=True),
            ActionCase("contact.find_by_phone", {"phone": "+79990001122"},
                       check=lambda c: c.name == "Ivan Petrov"),
            ActionCase("contact.create", Contact(name="Ana Souza", emails=["ana@example.com"],
                                                 phones=["+5511987654321"]),
                       check=lambda c: c.phones == ["+5511987654321"]),
            *find_created_cases("contact", Contact(name="Rosa Lima", emails=["rosa@example.org"]),
                                check=lambda c: c.name == "Rosa Lima"),
            ActionCase("contact.update", {"id": SEEDED_CLIENT,
                                          "changes": {"name": "Ivan P. Petrov"}},
                       check=lambda c: c.name == "Ivan P. Petrov"),
            ActionCase("contact.update", id_of(made("contact.create", Contact(
                name="Caio Reis", emails=["caio@example.org"])), changes={"first_name": "Cauã"}),
                       check=lambda c: c.name == "Cauã Reis"),
        ]

    def mapper_round_trip_fields(self):
        """What Usedesk keeps of each record when it is written and read back."""
        return {
            "ticket": [
                "subject",
                ("priority", st.sampled_from(["low", "medium", "urgent", "extreme"])),
                ("category", st.sampled_from(["question", "task", "problem", "incident"])),
                "status",
                ("tags", st.lists(words(), min_size=1, max_size=3, unique=True)),
                ("requester.name", words()),
                ("requester.emails", st.lists(canonical_emails(), min_size=1, max_size=1)),
            ],
            "contact": ["name", ("emails", st.lists(canonical_emails(), min_size=1,
                                                    max_size=3, unique=True)),
                        ("phones", st.lists(canonical_phones(), min_size=1, max_size=1))],
            "comment": ["content_html",
                        ("kind", st.sampled_from([InteractionKind.note,
                                                  InteractionKind.comment]))],
        }

