"""Template options (subjects, titles, links) are checked when the configuration loads:
an unknown placeholder names the closest known one instead of failing the first event."""

from __future__ import annotations

import pytest
from pontes.models import Chat, Ticket
from pontes.recipes.chat_to_crm import CHAT_PLACEHOLDERS, ChatToCrmOptions, _chat_fields
from pontes.recipes.deal_to_ticket import DealToTicketOptions
from pontes.recipes.text import check_template
from pontes.recipes.ticket_history import PLACEHOLDERS, TicketHistoryOptions, ticket_fields
from pydantic import ValidationError


def error_of(model, **options) -> str:
    with pytest.raises(ValidationError) as caught:
        model(**options)
    return str(caught.value)


def test_the_placeholders_offered_are_the_ones_the_recipes_fill():
    assert set(ticket_fields(Ticket(), "%Y")) == set(PLACEHOLDERS)
    assert set(_chat_fields(Chat())) == set(CHAT_PLACEHOLDERS)


def test_known_placeholders_pass_and_the_defaults_are_valid():
    assert check_template("Ticket {number}: {subject}", PLACEHOLDERS) == "Ticket {number}: {subject}"
    assert check_template(None, PLACEHOLDERS) is None
    TicketHistoryOptions()
    ChatToCrmOptions(crm_link="https://crm.example.com/contacts/{contact_id}")
    DealToTicketOptions()


def test_an_unknown_placeholder_names_the_closest_and_the_known_ones():
    message = error_of(TicketHistoryOptions, subject="Ticket {numbr}")
    assert "unknown placeholder {numbr}; did you mean 'number'? known placeholders: " \
           "category, description, number, opened_at, owner, requester, status, subject, " \
           "team, urgency, url" in message


@pytest.mark.parametrize(("model", "option", "template", "expected"), [
    (TicketHistoryOptions, "template", "Owner: {ownr}", "did you mean 'owner'?"),
    (ChatToCrmOptions, "deal_title", "Chat with {vistor}", "did you mean 'visitor'?"),
    (ChatToCrmOptions, "crm_link", "https://crm/{contact}", "did you mean 'contact_id'?"),
    (DealToTicketOptions, "description", "Deal {deal_ids}", "did you mean 'deal_id'?"),
    (DealToTicketOptions, "subject", "{}", "unknown placeholder {}; known placeholders: "),
])
def test_every_template_option_is_checked(model, option, template, expected):
    message = error_of(model, **{option: template})
    assert option in message and expected in message


def test_a_broken_template_is_reported_as_such():
    message = error_of(TicketHistoryOptions, template="Ticket {number")
    assert "not a valid template: " in message
