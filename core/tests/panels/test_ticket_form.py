"""The "+ Ticket" form built from a helpdesk's ticket fields, and the tab's messages in
every language."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from pontes.capabilities import FieldChoice, TicketField
from pontes.models import Contact
from pontes.panels.tickets_tab import messages
from pontes.panels.tickets_tab.forms import DEFAULT_FIELDS, TicketForm, ticket_fields
from pontes.web.i18n import LANGUAGES
from starlette.datastructures import FormData

FIELDS = [
    TicketField(name="subject", label="Summary", required=True),
    TicketField(name="urgency", label="Urgency", type="choice", required=True,
                default="2", options=[FieldChoice(id="1", value="Low"),
                                      FieldChoice(id="2", value="Normal")]),
    TicketField(name="Serial", label="Serial number", required=True),
    TicketField(name="visit", label="Visit", type="date"),
    TicketField(name="units", label="Units", type="number"),
    TicketField(name="copy_to", label="Copy to", type="email"),
]


def catalog(language: str) -> dict:
    return json.loads(resources.files("pontes.web").joinpath(
        "locales", f"{language}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_tab_refusal_is_in_every_catalog_with_its_placeholders(language):
    translations = catalog(language)
    missing = [m for m in messages.MESSAGES if m not in translations]
    assert not missing, f"{language} lacks {missing}"
    for message in messages.MESSAGES:
        placeholders = sorted(re.findall(r"%\((\w+)\)s", message))
        assert sorted(re.findall(r"%\((\w+)\)s", translations[message])) == placeholders, (
            f"{language}: {message!r} is translated with other placeholders")


def test_english_is_the_messages_themselves():
    values = {"crm": "Bigin", "helpdesk": "Zoho Desk", "user": "ana", "feature": "forward",
              "ticket": "7", "reason": "no", "field": "Plan", "value": "'x'", "module": "'T'"}
    for message in messages.MESSAGES:
        assert messages.say("en", message, **values) == message % values


def test_a_refusal_is_said_in_russian():
    said = messages.say("ru", messages.UNAVAILABLE, crm="Bigin", helpdesk="Zoho Desk")
    assert said == "Bigin или Zoho Desk сейчас не отвечает."


def test_the_form_starts_with_the_defaults_and_the_records_contact():
    form = TicketForm.prefilled(Contact(name="Ana Lima", emails=["ana@b.example"]), FIELDS)
    assert form.values == {"urgency": "2"} and form.email == "ana@b.example"
    assert form.name == "Ana Lima"


def test_each_field_at_fault_gets_its_message_in_the_forms_language():
    form = TicketForm.posted(FormData({"email": "ana@b.example", "urgency": "9",
                                       "visit": "next week", "units": "a few",
                                       "copy_to": "nobody"}), FIELDS, "pt")
    assert not form.valid()
    assert form.errors == {
        "subject": "Summary é obrigatório.",
        "urgency": "Urgency: escolha um dos valores da lista.",
        "Serial": "Serial number é obrigatório.",
        "visit": "Visit precisa de uma data (ano-mês-dia).",
        "units": "Units precisa de um número.",
        "copy_to": "'nobody' não é um endereço de e-mail.",
    }


def test_a_valid_form_makes_the_draft_with_attributes_and_custom_values():
    form = TicketForm.posted(FormData({"email": "bo@b.example", "name": "Bo",
                                       "subject": "Broken", "urgency": "1",
                                       "Serial": "SN-1", "visit": "2026-03-01"}), FIELDS)
    assert form.valid(), form.errors
    draft = form.draft(None)
    assert (draft.subject, draft.urgency) == ("Broken", "1")
    assert draft.custom == {"Serial": "SN-1", "visit": "2026-03-01"}
    assert draft.requester.emails == ["bo@b.example"] and draft.requester.name == "Bo"


class Helpdesk:
    """A helpdesk connection that may list its ticket fields, counting the calls."""

    def __init__(self, name: str, lists_fields: bool):
        self.name, self.lists_fields, self.calls = name, lists_fields, 0

    def has(self, capability: str) -> bool:
        return self.lists_fields and capability == "ticket.fields"

    async def call(self, capability: str, **params):
        self.calls += 1
        return [*FIELDS, TicketField(name="email", label="E-mail", type="email")]


@pytest.mark.anyio
async def test_the_fields_are_read_once_a_while_and_never_take_the_requesters_inputs():
    helpdesk = Helpdesk("fields-test", lists_fields=True)
    first = await ticket_fields(helpdesk)
    assert [f.name for f in first] == [f.name for f in FIELDS]
    assert await ticket_fields(helpdesk) == first and helpdesk.calls == 1


@pytest.mark.anyio
async def test_a_helpdesk_that_cannot_list_its_fields_keeps_the_fixed_form():
    helpdesk = Helpdesk("no-fields-test", lists_fields=False)
    assert await ticket_fields(helpdesk) == list(DEFAULT_FIELDS) and helpdesk.calls == 0
