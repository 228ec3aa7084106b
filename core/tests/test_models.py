"""Properties of the canonical models: JSON round trips and idempotent normalisation."""

from datetime import UTC, datetime

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pontes.models import (
    Address,
    Chat,
    Company,
    Contact,
    Deal,
    Event,
    Interaction,
    Message,
    Ticket,
    UserRef,
    normalize_email,
    normalize_phone,
    normalize_tax_id,
    to_utc,
)
from pontes.testing.strategies import (
    br_phone_writings,
    datetimes,
    emails,
    phones,
    record_of,
    tax_ids,
)

MODELS = [Address, UserRef, Company, Contact, Deal, Message, Ticket, Interaction, Chat, Event]

nested = settings(max_examples=30, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@nested
@given(data=st.data())
def test_every_model_survives_json_and_revalidation(model, data):
    record = data.draw(record_of(model))
    assert model.model_validate_json(record.model_dump_json()) == record
    again = model.model_validate(record.model_dump())
    assert again == record
    assert again.model_dump() == record.model_dump()


@given(emails())
def test_email_normalisation_is_idempotent(text):
    once = normalize_email(text)
    assert normalize_email(once) == once
    assert once == once.strip()


@given(phones())
def test_phone_normalisation_is_idempotent(text):
    once = normalize_phone(text)
    assert normalize_phone(once) == once


@given(tax_ids())
def test_tax_id_normalisation_is_idempotent(text):
    once = normalize_tax_id(text)
    assert normalize_tax_id(once) == once


@given(datetimes())
def test_datetime_normalisation_is_idempotent_and_utc(moment):
    once = to_utc(moment)
    assert to_utc(once) == once
    assert once.tzinfo is UTC
    if moment.tzinfo is not None:
        assert once.timestamp() == moment.timestamp()


@given(br_phone_writings())
def test_writings_of_a_brazilian_number_share_one_e164(case):
    e164, one, other = case
    assert phonenumbers.is_valid_number(phonenumbers.parse(e164))
    assert normalize_phone(one) == normalize_phone(other) == e164
    assert Contact(phones=[one]).phones == Contact(phones=[other]).phones == [e164]


@given(tax_ids().filter(lambda t: any(c.isdigit() for c in t)))
def test_tax_ids_keep_only_their_digits(text):
    assert Company(tax_id=text).tax_id == "".join(c for c in text if c.isdigit())


def test_normalisation_examples():
    contact = Contact(emails=[" Ana@Exemplo.COM.br "], phones=["(11) 91234-5678"],
                      tax_id="123.456.789-09")
    assert contact.emails == ["ana@exemplo.com.br"]
    assert contact.phones == ["+5511912345678"]
    assert contact.tax_id == "12345678909"
    ticket = Ticket(created_at=datetime(2024, 3, 1, 12, 0))
    assert ticket.created_at == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
