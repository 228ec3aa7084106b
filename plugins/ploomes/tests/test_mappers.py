"""Ploomes records <-> canonical records, including the three custom-field forms."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from pontes.plugin import Company, Contact, Deal, DealStatus, Interaction, UserRef
from pontes_ploomes.custom_fields import read_custom, value_columns, write_custom
from pontes_ploomes.mappers import (
    client_to_canonical,
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
    deal_from_canonical,
    deal_to_canonical,
    interaction_from_canonical,
    interaction_to_canonical,
)

CONN = "crm"
KEY = "contact_8F1D6C2A-0000-4000-8000-000000000001"


def _rest_row(key, **values):
    row = {"Id": 1, "FieldId": 7, "FieldKey": key, "StringValue": None, "BigStringValue": None,
           "IntegerValue": None, "DecimalValue": None, "DateTimeValue": None, "BoolValue": None,
           "ObjectValueId": None, "ObjectValueName": None, "UserValueId": None}
    row.update(values)
    return row


PERSON = {
    "Id": 40000123, "TypeId": 2, "Name": "Maria Souza", "Email": "Maria@Exemplo.com.br",
    "CompanyId": 40000100, "OwnerId": 10000001, "CPF": "123.456.789-09",
    "StreetAddress": "Rua A", "StreetAddressNumber": "10", "ZipCode": "01000-000",
    "CreateDate": "2025-03-10T11:02:11.52-03:00", "LastUpdateDate": "2025-03-10T11:05:40.1-03:00",
    "Phones": [{"PhoneNumber": "(11) 91234-5678", "TypeId": 2, "CountryId": 76}],
    "OtherProperties": [_rest_row(KEY, StringValue="cli-42"),
                        _rest_row("contact_X", ObjectValueId=9, ObjectValueName="Gold")],
}


def test_person_to_contact():
    contact = contact_to_canonical(PERSON, CONN)
    assert contact.refs == {CONN: "40000123"}
    assert contact.remote_data == PERSON
    assert contact.remote_updated_at == datetime(2025, 3, 10, 14, 5, 40, 100000, tzinfo=UTC)
    assert contact.emails == ["maria@exemplo.com.br"]
    assert contact.phones == ["+5511912345678"]
    assert contact.tax_id == "12345678909"
    assert contact.company.refs == {CONN: "40000100"}
    assert contact.owner.remote_id == "10000001"
    assert contact.addresses[0].street == "Rua A"
    assert contact.addresses[0].postal_code == "01000-000"
    assert contact.custom == {KEY: "cli-42", "contact_X": 9}


def test_person_with_expanded_company_keeps_its_details():
    raw = {**PERSON, "Company": {"Id": 40000100, "TypeId": 1, "Name": "Exemplo Ltda",
                                 "CNPJ": "11.222.333/0001-81"}}
    contact = contact_to_canonical(raw, CONN)
    assert contact.company.name == "Exemplo Ltda"
    assert contact.company.tax_id == "11222333000181"


def test_type_id_decides_company_or_person():
    company = client_to_canonical({"Id": 5, "TypeId": 1, "Name": "Acme", "CNPJ": "44555666000172"}, CONN)
    person = client_to_canonical({"Id": 6, "TypeId": 2, "Name": "Ana"}, CONN)
    assert isinstance(company, Company) and company.tax_id == "44555666000172"
    assert isinstance(person, Contact) and person.name == "Ana"


def test_custom_fields_read_in_all_three_forms():
    rest = [_rest_row("deal_A", IntegerValue=13), _rest_row("deal_B", BigStringValue="False"),
            _rest_row("deal_C")]
    written = [{"FieldKey": "deal_A", "IntegerValue": 13}, {"FieldKey": "deal_B", "BoolValue": False}]
    flat = {"deal_A": 13, "deal_B": "x"}
    assert read_custom(rest) == {"deal_A": 13, "deal_B": "False", "deal_C": None}
    assert read_custom(written) == {"deal_A": 13, "deal_B": False}
    assert read_custom(flat) == flat
    assert read_custom(None) == {}


def test_custom_fields_write_in_the_column_they_were_read_from():
    columns = value_columns([_rest_row("deal_A", BigStringValue="texto"),
                             _rest_row("deal_B", ObjectValueId=4)])
    rows = write_custom({"deal_A": "novo", "deal_B": 5, "deal_C": 2.5, "deal_D": True,
                         "deal_E": {"UserValueId": 10000002}, "deal_F": date(2025, 3, 1)},
                        columns)
    assert rows == [
        {"FieldKey": "deal_A", "BigStringValue": "novo"},
        {"FieldKey": "deal_B", "ObjectValueId": 5},
        {"FieldKey": "deal_C", "DecimalValue": 2.5},
        {"FieldKey": "deal_D", "BoolValue": True},
        {"FieldKey": "deal_E", "UserValueId": 10000002},
        {"FieldKey": "deal_F", "DateTimeValue": "2025-03-01T00:00:00-03:00"},
    ]


def test_contact_payload():
    contact = Contact(name="Ana Lima", emails=["ana@x.com"], phones=["+5511912345678"],
                      tax_id="123.456.789-09", company=Company(refs={CONN: "40000100"}),
                      owner=UserRef(remote_id="10000002"), custom={KEY: "cli-9"})
    assert contact_from_canonical(contact, CONN) == {
        "TypeId": 2, "Name": "Ana Lima", "CPF": "12345678909", "CompanyId": 40000100,
        "OwnerId": 10000002, "Email": "ana@x.com", "Phones": [{"PhoneNumber": "+5511912345678"}],
        "OtherProperties": [{"FieldKey": KEY, "StringValue": "cli-9"}]}


def test_company_payload():
    company = Company(name="Acme", legal_name="Acme S.A.", tax_id="44.555.666/0001-72",
                      website="https://acme.test", emails=["compras@acme.test"])
    assert company_from_canonical(company, CONN) == {
        "TypeId": 1, "Name": "Acme", "LegalName": "Acme S.A.", "CNPJ": "44555666000172",
        "Website": "https://acme.test", "Email": "compras@acme.test"}


DEAL = {
    "Id": 50000777, "Title": "Upgrade", "ContactId": 40000100, "ContactName": "Exemplo Ltda",
    "PersonId": 40000123, "PersonName": "Maria Souza", "PipelineId": 10000200,
    "StageId": 10000201, "StatusId": 2, "Amount": 1530.75, "OwnerId": 10000001,
    "FinishDate": "2025-03-12T16:00:01.233-03:00", "LastUpdateDate": "2025-03-12T16:00:01.213-03:00",
    "CollaboratingUsers": [{"UserId": 10000003}],
    "OtherProperties": [_rest_row("deal_T", StringValue="10452")],
}


def test_deal_to_canonical():
    deal = deal_to_canonical(DEAL, CONN)
    assert deal.refs == {CONN: "50000777"}
    assert deal.status is DealStatus.won
    assert deal.amount == Decimal("1530.75")
    assert (deal.pipeline, deal.stage) == ("10000200", "10000201")
    assert deal.owner == UserRef(remote_id="10000001")
    assert deal.collaborators == [UserRef(remote_id="10000003")]
    assert deal.company.refs == {CONN: "40000100"} and deal.company.name == "Exemplo Ltda"
    assert deal.contact.refs == {CONN: "40000123"} and deal.contact.name == "Maria Souza"
    assert deal.close_date == date(2025, 3, 12)
    assert deal.custom == {"deal_T": "10452"}


def test_deal_statuses():
    assert deal_to_canonical({"Id": 1, "StatusId": 1}, CONN).status is DealStatus.open
    assert deal_to_canonical({"Id": 1, "StatusId": 3}, CONN).status is DealStatus.lost


def test_deal_whose_client_is_a_person():
    raw = {"Id": 9, "ContactId": 40000123, "Contact": {"Id": 40000123, "TypeId": 2, "Name": "Maria",
                                                       "Email": "maria@x.com"}}
    deal = deal_to_canonical(raw, CONN)
    assert deal.company is None
    assert deal.contact.refs == {CONN: "40000123"} and deal.contact.emails == ["maria@x.com"]
    payload = deal_from_canonical(Deal(title="t", contact=Contact(refs={CONN: "40000123"})), CONN)
    assert payload == {"Title": "t", "ContactId": 40000123}


def test_snapshot_times_without_offset_are_brasilia_time():
    deal = deal_to_canonical({"Id": 1, "LastUpdateDate": "2025-03-12T16:00:01.213"}, CONN)
    assert deal.remote_updated_at == datetime(2025, 3, 12, 19, 0, 1, 213000, tzinfo=UTC)


def test_deal_payload_never_writes_status():
    deal = Deal(title="t", status=DealStatus.won, amount=Decimal("10.50"), stage="10000202",
                company=Company(refs={CONN: "1"}), contact=Contact(refs={CONN: "2"}),
                owner=UserRef(remote_id="3"), collaborators=[UserRef(remote_id="4")],
                custom={"deal_T": 10})
    assert deal_from_canonical(deal, CONN) == {
        "Title": "t", "Amount": 10.5, "StageId": 10000202, "ContactId": 1, "PersonId": 2,
        "OwnerId": 3, "CollaboratingUsers": [{"UserId": 4}],
        "OtherProperties": [{"FieldKey": "deal_T", "IntegerValue": 10}]}


def test_interaction_mapping():
    interaction = Interaction(subject="Ticket 10452", content_text="Resolvido <ok>\nObrigado",
                              occurred_at=datetime(2025, 3, 12, 19, 0, tzinfo=UTC),
                              contact=Contact(refs={CONN: "40000123"}),
                              deal=Deal(refs={CONN: "50000777"}))
    payload = interaction_from_canonical(interaction, CONN)
    assert payload == {
        "ContactId": 40000123, "DealId": 50000777, "Date": "2025-03-12T16:00:00-03:00",
        "Content": "<p><strong>Ticket 10452</strong></p>Resolvido &lt;ok&gt;<br>Obrigado"}
    back = interaction_to_canonical({"Id": 3, **payload}, CONN)
    assert back.content_text == "Ticket 10452\nResolvido <ok>\nObrigado"
    assert back.occurred_at == interaction.occurred_at
    assert back.contact.refs == {CONN: "40000123"} and back.deal.refs == {CONN: "50000777"}


def test_interaction_on_a_company():
    payload = interaction_from_canonical(
        Interaction(content_html="<p>x</p>", company=Company(refs={CONN: "40000100"})), CONN)
    assert payload["ContactId"] == 40000100


ids = st.integers(min_value=1, max_value=2**31 - 1).map(str)
names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).map(str.strip).filter(bool)
custom = st.dictionaries(st.from_regex(r"deal_[A-F0-9]{8}", fullmatch=True),
                         st.one_of(st.integers(-10**6, 10**6), st.booleans(), names), max_size=3)


@settings(max_examples=40, deadline=None)
@given(title=names, amount=st.decimals(min_value=0, max_value=10**9, places=2),
       stage=ids, company=ids, person=ids, owner=ids, collaborators=st.lists(ids, max_size=3),
       custom=custom)
def test_deal_round_trip(title, amount, stage, company, person, owner, collaborators, custom):
    deal = Deal(title=title, amount=amount, stage=stage, company=Company(refs={CONN: company}),
                contact=Contact(refs={CONN: person}), owner=UserRef(remote_id=owner),
                collaborators=[UserRef(remote_id=c) for c in collaborators], custom=custom)
    payload = deal_from_canonical(deal, CONN)
    back = deal_to_canonical({"Id": 77, "StatusId": 1, **payload}, CONN)
    assert back.title == title and back.amount == amount and back.stage == stage
    assert back.company.ref(CONN) == company and back.contact.ref(CONN) == person
    assert back.owner.remote_id == owner
    assert [c.remote_id for c in back.collaborators] == collaborators
    assert back.custom == custom


@settings(max_examples=40, deadline=None)
@given(name=names, email=st.emails(), tax=st.from_regex(r"[0-9]{11}", fullmatch=True),
       phone=st.from_regex(r"\+55119[0-9]{8}", fullmatch=True), company=ids, custom=custom)
def test_contact_round_trip(name, email, tax, phone, company, custom):
    contact = Contact(name=name, emails=[email], tax_id=tax, phones=[phone],
                      company=Company(refs={CONN: company}), custom=custom)
    back = contact_to_canonical({"Id": 5, **contact_from_canonical(contact, CONN)}, CONN)
    assert (back.name, back.emails, back.tax_id, back.phones) == \
        (contact.name, contact.emails, tax, contact.phones)
    assert back.company.ref(CONN) == company and back.custom == custom


@settings(max_examples=40, deadline=None)
@given(name=names, email=st.emails(), tax=st.from_regex(r"[0-9]{14}", fullmatch=True))
def test_company_round_trip(name, email, tax):
    company = Company(name=name, emails=[email], tax_id=tax)
    back = company_to_canonical({"Id": 5, **company_from_canonical(company, CONN)}, CONN)
    assert (back.name, back.emails, back.tax_id) == (company.name, company.emails, tax)
