"""The Tickets tab's pieces: its address key and signed context, the modules it takes,
its forms, the actions a helpdesk's capabilities allow, and the signal notes."""

from __future__ import annotations

import json
from importlib import resources
from types import SimpleNamespace

import pytest
from jinja2.ext import extract_from_ast
from pontes.models import Contact, Message, Ticket, UserRef
from pontes.panels.tickets_tab.context import (
    TabContext,
    UnknownModule,
    key_is_valid,
    open_tab,
    record_kind,
    sign_tab,
    tab_address,
    tab_key,
)
from pontes.panels.tickets_tab.forms import ForwardForm, ReplyForm, TicketForm
from pontes.panels.tickets_tab.tickets import RecordTickets
from pontes.plugins import load_plugins
from pontes.recipes.tickets_tab import mentions_agent, note_text
from pontes.testing.connections import connect, sandbox_settings
from pontes.web.signing import BadSignature
from pontes.web.templating import environment
from starlette.datastructures import FormData


def integration(name: str = "tickets", token: str = "hook-token"):
    """What the context needs of an integration: its name, webhook tokens, public URL."""
    return SimpleNamespace(name=name, webhook_tokens={"helpdesk": token},
                           public_url="https://pontes.example",
                           recipe=SimpleNamespace(name="tickets_tab"))


CONTEXT = TabContext(integration="tickets", kind="deal", record="5436", user="ana@x.example")


def test_the_address_has_the_integrations_key_and_the_placeholders():
    address = tab_address(integration())
    assert address == (f"https://pontes.example/tabs/tickets/{tab_key(integration())}"
                       "?module={module}&id={id}")
    assert key_is_valid(integration(), tab_key(integration()))
    assert not key_is_valid(integration(), tab_key(integration(token="new-token")))
    assert not key_is_valid(integration("other"), tab_key(integration()))


def test_the_context_comes_back_and_another_integration_refuses_it():
    token = sign_tab(integration(), CONTEXT)
    assert open_tab(integration(), token) == CONTEXT
    with pytest.raises(BadSignature):
        open_tab(integration("other"), token)
    with pytest.raises(BadSignature):
        open_tab(integration(), token[:-2] + "xx")


@pytest.mark.parametrize(("module", "kind"), [
    ("Contacts", "contact"), ("Accounts", "company"), ("companies", "company"),
    ("Pipelines", "deal"), ("leads", "deal"), (" DEALS ", "deal")])
def test_a_crm_module_names_a_kind_of_record(module, kind):
    assert record_kind(module) == kind


def test_another_module_is_refused_by_name():
    with pytest.raises(UnknownModule, match="'Tasks'"):
        record_kind("Tasks")


def test_a_new_ticket_needs_a_subject_and_an_email():
    form = TicketForm.posted(FormData({"subject": " ", "email": "a@b.example"}))
    assert not form.valid() and form.errors == {"subject": "Subject is required."}
    form = TicketForm.posted(FormData({"subject": "Hi", "email": "not an address"}))
    assert not form.valid() and form.errors == {
        "email": "'not an address' is not an e-mail address."}
    form = TicketForm.posted(FormData({"subject": "Hi", "email": "a@b.example",
                                       "priority": "Urgent!"}))
    assert not form.valid() and form.errors == {
        "priority": "Priority: choose one of the values listed."}


def test_a_new_ticket_is_for_the_records_contact_or_the_email_typed():
    person = Contact(name="Ana", emails=["ana@b.example"])
    form = TicketForm.posted(FormData({"subject": "Hi", "email": "ana@b.example",
                                       "priority": "High"}))
    assert form.valid()
    assert form.draft(person).requester == person
    assert form.draft(person).priority == "High"
    other = TicketForm.posted(FormData({"subject": "Hi", "email": "bo@b.example",
                                        "name": "Bo"})).draft(person)
    assert other.requester.emails == ["bo@b.example"] and other.requester.name == "Bo"


def test_a_reply_needs_text_and_a_forward_an_address():
    assert not ReplyForm.posted(FormData({"text": "  "})).valid()
    assert ReplyForm.posted(FormData({"text": "ok"})).valid()
    assert not ForwardForm.posted(FormData({"to": "nobody"})).valid()
    assert ForwardForm.posted(FormData({"to": "boss@b.example"})).valid()


def tab_for(connector: str) -> RecordTickets:
    registry = load_plugins().registry
    helpdesk = connect(registry, connector,
                       sandbox_settings(registry, connector, "http://127.0.0.1:9"))
    return RecordTickets(SimpleNamespace(connections={"helpdesk": helpdesk}), "contact", "1",
                         links=None)


def test_the_tab_offers_what_the_helpdesk_can_do():
    assert tab_for("zohodesk").features == {"open", "create", "reply", "reply_all",
                                            "forward", "status"}
    assert tab_for("usedesk").features == {"open", "create", "reply", "status"}


def test_a_mention_counts_only_when_it_names_a_mapped_agent():
    ticket = Ticket(messages=[Message(text="old"), Message(html="zsu[@user:60012345]zsu look")])
    assert mentions_agent(ticket, ["600123", "60012345"]) == "60012345"
    assert mentions_agent(ticket, ["600123"]) is None
    assert mentions_agent(Ticket(), ["60012345"]) is None


def test_a_rating_note_says_the_rating_and_the_feedback():
    ticket = Ticket(number="101", subject="Printer", vendor_status="Closed",
                    owner=UserRef(name="Sam"),
                    custom={"rating": "BAD", "rating_feedback": "Too slow"})
    subject, text = note_text("new_rating", ticket, "Zoho Desk")
    assert subject == "Zoho Desk: New rating - ticket 101: Printer"
    assert "Rating: BAD" in text and "Feedback: Too slow" in text and "Owner: Sam" in text


def tab_messages() -> set[str]:
    env = environment("en")
    found = set()
    for name in env.list_templates():
        if name.startswith("tabs/"):
            source = env.loader.get_source(env, name)[0]
            for _line, _function, message in extract_from_ast(env.parse(source)):
                messages = message if isinstance(message, tuple) else (message,)
                found.update(m for m in messages if isinstance(m, str))
    return found


@pytest.mark.parametrize("language", ["es", "pt", "ru"])
def test_every_tab_message_is_translated(language):
    catalog = json.loads(resources.files("pontes.web").joinpath(
        "locales", f"{language}.json").read_text(encoding="utf-8"))
    assert len(tab_messages()) > 30
    assert not sorted(tab_messages() - set(catalog))


def test_the_off_page_speaks_portuguese():
    page = environment("pt").get_template("tabs/off.html").render(
        helpdesk_title="Zoho Desk", csrf_token=None, link=lambda *a, **k: "/x",
        features=set(), mapped=False)
    assert '<html lang="pt">' in page
    assert "A integração com o Zoho Desk está desativada." in page
