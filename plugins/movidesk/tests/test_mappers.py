"""Ticket and person mappers, custom fields and dates."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pontes.plugin import Address, Company, Contact, Message, Ticket, TicketStatus, UserRef
from pontes_movidesk.custom_fields import custom_of, merge_values, values_of
from pontes_movidesk.dates import parse_datetime
from pontes_movidesk.mappers.people import (
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
)
from pontes_movidesk.mappers.tickets import ticket_from_canonical, ticket_to_canonical

CONN = "movidesk"

RAW_TICKET = {
    "id": 10452, "protocol": None, "type": 2, "subject": "Falha ao emitir nota fiscal",
    "category": "Problema", "urgency": "Alta", "status": "Em atendimento",
    "baseStatus": "InAttendance", "ownerTeam": "Suporte", "tags": ["nfe", "urgente"],
    "createdDate": "2025-03-10T14:22:31.1234567", "lastUpdate": "2025-03-11T09:00:00.5000000",
    "resolvedIn": None, "closedIn": None,
    "owner": {"id": "agent-007", "personType": 1, "profileType": 1, "businessName": "Ana Lima",
              "email": "Ana@Suporte.example.com", "phone": None},
    "clients": [{"id": "cli-42", "personType": 1, "profileType": 2, "businessName": "Maria Souza",
                 "email": "maria@exemplo.com.br", "phone": "(11) 91234-5678", "isDeleted": False,
                 "organization": {"id": "org-9", "personType": 2, "profileType": 2,
                                  "businessName": "Acme", "email": None, "phone": None}}],
    "actions": [
        {"id": 1, "type": 2, "origin": 3, "description": "Erro 500 ao emitir NF-e.",
         "htmlDescription": "<p>Erro 500 ao emitir NF-e.</p>", "createdDate": "2025-03-10T14:22:31",
         "createdBy": {"id": "cli-42", "profileType": 2, "businessName": "Maria Souza"}},
        {"id": 2, "type": 1, "origin": 2, "description": "Ver com fiscal",
         "createdDate": "2025-03-10T15:00:00", "createdBy": {"id": "agent-007", "profileType": 1}},
        {"id": 3, "type": 2, "origin": 9, "description": "Estamos verificando.",
         "createdDate": "2025-03-10T16:00:00", "createdBy": {"id": "agent-007", "profileType": 1}},
        {"id": 4, "type": 2, "origin": 9, "description": "apagada", "isDeleted": True},
    ],
    "customFieldValues": [
        {"customFieldId": 5001, "customFieldRuleId": 7001, "line": 1, "value": "12.345.678/0001-90",
         "items": []},
        {"customFieldId": 5002, "customFieldRuleId": 7001, "line": 1, "value": None,
         "items": [{"personId": None, "clientId": None, "team": None,
                    "customFieldItem": "Plano Ouro"}]},
        {"customFieldId": 5003, "customFieldRuleId": 7001, "line": 1, "value": "1.530,75",
         "items": []},
        {"customFieldId": 5003, "customFieldRuleId": 7001, "line": 2, "value": "10,00",
         "items": []},
    ],
}


def test_ticket_to_canonical():
    raw = copy.deepcopy(RAW_TICKET)
    ticket = ticket_to_canonical(raw, CONN)
    assert raw == RAW_TICKET and ticket.remote_data == RAW_TICKET
    assert ticket.refs == {CONN: "10452"} and ticket.number == "10452"
    assert ticket.status is TicketStatus.open and ticket.vendor_status == "Em atendimento"
    assert ticket.requester.refs == {CONN: "cli-42"}
    assert ticket.requester.phones == ["+5511912345678"]
    assert ticket.company.refs == {CONN: "org-9"} and ticket.company.name == "Acme"
    assert ticket.owner == UserRef(remote_id="agent-007", name="Ana Lima",
                                   email="ana@suporte.example.com")
    assert ticket.team == "Suporte" and ticket.tags == ["nfe", "urgente"]
    assert ticket.created_at == datetime(2025, 3, 10, 14, 22, 31, 123456, tzinfo=UTC)
    assert ticket.remote_updated_at == ticket.updated_at == datetime(2025, 3, 11, 9, 0, 0, 500000,
                                                                     tzinfo=UTC)
    assert ticket.custom == {"5001": "12.345.678/0001-90", "5002": ["Plano Ouro"],
                             "5003": "1.530,75", "5003:2": "10,00"}
    assert [(m.remote_id, m.direction.value, m.public) for m in ticket.messages] == [
        ("1", "inbound", True), ("2", "internal", False), ("3", "outbound", True)]
    assert ticket.messages[0].html == "<p>Erro 500 ao emitir NF-e.</p>"
    assert ticket.description == "Erro 500 ao emitir NF-e."


@pytest.mark.parametrize("base, status", [
    ("New", TicketStatus.new), ("InAttendance", TicketStatus.open),
    ("InAttention", TicketStatus.open), ("Stopped", TicketStatus.on_hold),
    ("Resolved", TicketStatus.solved), ("Closed", TicketStatus.closed),
    ("Canceled", TicketStatus.canceled),
])
def test_base_status_gives_the_canonical_status(base, status):
    ticket = ticket_to_canonical({"id": 1, "baseStatus": base, "status": "Qualquer"}, CONN)
    assert ticket.status is status and ticket.vendor_status == "Qualquer"


def test_unknown_base_status_names_the_field():
    with pytest.raises(ValueError, match="baseStatus.*'Paused'"):
        ticket_to_canonical({"id": 1, "baseStatus": "Paused"}, CONN)


def test_a_company_client_is_the_ticket_company():
    ticket = ticket_to_canonical({"id": 1, "clients": [
        {"id": "org-9", "personType": 2, "businessName": "Acme", "email": "a@acme.com"}]}, CONN)
    assert ticket.requester is None
    assert ticket.company.refs == {CONN: "org-9"} and ticket.company.emails == ["a@acme.com"]


def test_ticket_from_canonical_writes_what_movidesk_takes():
    ticket = ticket_to_canonical(copy.deepcopy(RAW_TICKET), CONN)
    payload = ticket_from_canonical(ticket, CONN)
    assert payload["clients"] == [{"id": "cli-42"}]
    assert payload["owner"] == {"id": "agent-007"} and payload["ownerTeam"] == "Suporte"
    assert payload["status"] == "Em atendimento"
    assert [a.get("id") for a in payload["actions"]] == [1, 2, 3]
    assert payload["actions"][0]["description"] == "<p>Erro 500 ao emitir NF-e.</p>"
    assert payload["customFieldValues"] == [
        {"customFieldId": 5001, "customFieldRuleId": 7001, "line": 1,
         "value": "12.345.678/0001-90", "items": []},
        {"customFieldId": 5002, "customFieldRuleId": 7001, "line": 1, "value": None,
         "items": [{"customFieldItem": "Plano Ouro"}]},
        {"customFieldId": 5003, "customFieldRuleId": 7001, "line": 1, "value": "1.530,75",
         "items": []},
        {"customFieldId": 5003, "customFieldRuleId": 7001, "line": 2, "value": "10,00",
         "items": []},
    ]
    again = ticket_to_canonical(payload, CONN)
    for field in ("refs", "subject", "category", "urgency", "status", "vendor_status", "team",
                  "tags", "custom", "created_at"):
        assert getattr(again, field) == getattr(ticket, field), field


# --- round trips ----------------------------------------------------------------------

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzáçãéõ ABCDEF", min_size=1, max_size=30) \
    .map(str.strip).filter(bool)
emails = st.from_regex(r"[a-z][a-z0-9.]{0,8}@[a-z]{2,8}\.com\.br", fullmatch=True)
phones = st.integers(0, 99_999_999).map(lambda n: f"+55119{n:08d}")
moments = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1),
                       timezones=st.just(UTC))
br_numbers = st.decimals(min_value=0, max_value=Decimal("9999999"), places=2).map(
    lambda d: f"{d:,.2f}".replace(",", "_").replace(".", ",").replace("_", "."))
custom_values = st.one_of(st.none(), names, br_numbers, st.lists(names, min_size=1, max_size=3))
custom_keys = st.builds(lambda field, line: str(field) if line == 1 else f"{field}:{line}",
                        st.integers(1, 99999), st.integers(1, 3))
customs = st.dictionaries(custom_keys, custom_values, max_size=4)
messages = st.builds(lambda text, public, n: Message(remote_id=str(n), text=text, public=public),
                     names, st.booleans(), st.integers(1, 50))


@given(subject=names, category=st.none() | names, urgency=st.none() | names,
       vendor_status=st.none() | names, status=st.sampled_from(list(TicketStatus)),
       team=st.none() | names, owner=st.none() | names, tags=st.lists(names, max_size=3),
       custom=customs, created=st.none() | moments, client=names,
       messages=st.lists(messages, max_size=3, unique_by=lambda m: m.remote_id))
def test_ticket_round_trip(subject, category, urgency, vendor_status, status, team, owner, tags,
                           custom, created, client, messages):
    ticket = Ticket(refs={CONN: "77"}, subject=subject, category=category, urgency=urgency,
                    vendor_status=vendor_status, status=status, team=team,
                    owner=UserRef(remote_id=owner) if owner else None, tags=tags, custom=custom,
                    created_at=created, requester=Contact(refs={CONN: client}),
                    messages=messages)
    back = ticket_to_canonical(ticket_from_canonical(ticket, CONN, default_rule=7001), CONN)
    expected_status = TicketStatus.on_hold if status is TicketStatus.pending else status
    assert back.status is expected_status
    for field in ("refs", "subject", "category", "urgency", "vendor_status", "team", "tags",
                  "custom", "created_at"):
        assert getattr(back, field) == getattr(ticket, field), field
    assert (back.owner.remote_id if back.owner else None) == owner
    assert back.requester.ref(CONN) == client
    assert [(m.remote_id, m.text, m.public) for m in back.messages] == \
        [(m.remote_id, m.text, m.public) for m in messages]


addresses = st.builds(Address, street=st.none() | names, number=st.none() | st.from_regex(
    r"[1-9][0-9]{0,3}", fullmatch=True), city=st.none() | names, state=st.none() | names,
    postal_code=st.none() | st.from_regex(r"[0-9]{5}-[0-9]{3}", fullmatch=True),
    country=st.none() | st.just("Brasil"))


@given(name=names, emails=st.lists(emails, max_size=3), phones=st.lists(phones, max_size=2),
       tax_id=st.none() | st.from_regex(r"[0-9]{11}", fullmatch=True),
       addresses=st.lists(addresses, max_size=2), company=st.none() | names,
       person_id=st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True), custom=customs)
def test_contact_round_trip(name, emails, phones, tax_id, addresses, company, person_id, custom):
    contact = Contact(refs={CONN: person_id}, name=name, emails=emails, phones=phones,
                      tax_id=tax_id, addresses=addresses, custom=custom,
                      company=Company(refs={CONN: company}, name="Org") if company else None)
    payload = contact_from_canonical(contact, CONN, default_rule=7001)
    back = contact_to_canonical(payload, CONN)
    for field in ("refs", "name", "emails", "phones", "tax_id", "addresses", "custom"):
        assert getattr(back, field) == getattr(contact, field), field
    assert (back.company.ref(CONN) if back.company else None) == company


@given(name=names, legal=st.none() | names, emails=st.lists(emails, max_size=2),
       tax_id=st.none() | st.from_regex(r"[0-9]{14}", fullmatch=True))
def test_company_round_trip(name, legal, emails, tax_id):
    company = Company(refs={CONN: "org-1"}, name=name, legal_name=legal, emails=emails,
                      tax_id=tax_id)
    back = company_to_canonical(company_from_canonical(company, CONN), CONN)
    for field in ("refs", "name", "legal_name", "emails", "tax_id"):
        assert getattr(back, field) == getattr(company, field), field


def test_person_mappers_check_the_person_type():
    with pytest.raises(ValueError, match="personType"):
        contact_to_canonical({"id": "org-1", "personType": 2}, CONN)
    with pytest.raises(ValueError, match="personType"):
        company_to_canonical({"id": "p-1", "personType": 1}, CONN)
    assert company_to_canonical({"id": "d-1", "personType": 4, "businessName": "TI"}, CONN).name == "TI"


def test_person_to_canonical():
    raw = {
        "id": "cli-42", "personType": 1, "businessName": "Maria Souza", "cpfCnpj": "12345678909",
        "changedDate": "2025-03-10T11:05:40.1000000",
        "emails": [{"emailType": "Pessoal", "email": "m@casa.com", "isDefault": False},
                   {"emailType": "Profissional", "email": "Maria@Exemplo.com.br", "isDefault": True}],
        "contacts": [{"contactType": "Skype", "contact": "maria.souza", "isDefault": True},
                     {"contactType": "Telefone celular", "contact": "(11) 91234-5678",
                      "isDefault": False}],
        "relationships": [{"id": "org-9", "name": "Acme"}],
        "customFieldValues": [{"customFieldId": 9001, "customFieldRuleId": 8001, "line": 1,
                               "value": "40000123", "items": []}],
    }
    contact = contact_to_canonical(raw, CONN)
    assert contact.emails == ["maria@exemplo.com.br", "m@casa.com"]
    assert contact.phones == ["+5511912345678"]
    assert contact.company.refs == {CONN: "org-9"} and contact.company.name == "Acme"
    assert contact.custom == {"9001": "40000123"}
    assert contact.remote_updated_at == datetime(2025, 3, 10, 11, 5, 40, 100000, tzinfo=UTC)
    payload = contact_from_canonical(contact, CONN)
    assert payload["customFieldValues"][0]["customFieldRuleId"] == 8001


# --- custom fields and dates ----------------------------------------------------------


@given(custom=customs)
def test_custom_values_round_trip(custom):
    assert custom_of(values_of(custom, default_rule=1)) == custom


@pytest.mark.parametrize("value", [Decimal("1530.75"), 1530.75, True, {"a": 1}, [1, 2]])
def test_values_that_need_a_transform_are_refused_by_key(value):
    with pytest.raises(ValueError, match=r"custom\['5003'\]"):
        values_of({"5003": value})


def test_merge_values_keeps_others_and_rules():
    current = [{"customFieldId": 1, "customFieldRuleId": 10, "line": 1, "value": "a", "items": []},
               {"customFieldId": 2, "customFieldRuleId": 10, "line": 1, "value": "b", "items": []}]
    merged = merge_values(current, [{"customFieldId": 2, "line": 1, "value": "B", "items": []},
                                    {"customFieldId": 3, "customFieldRuleId": 11, "line": 1,
                                     "value": "c", "items": []}])
    assert [(v["customFieldId"], v["customFieldRuleId"], v["value"]) for v in merged] == [
        (1, 10, "a"), (2, 10, "B"), (3, 11, "c")]


@pytest.mark.parametrize("text, expected", [
    ("2019-10-30T13:35:38.0174433", datetime(2019, 10, 30, 13, 35, 38, 17443, tzinfo=UTC)),
    ("2016-09-01T00:00:00.00z", datetime(2016, 9, 1, tzinfo=UTC)),
    ("2016-09-01T00:00:00Z", datetime(2016, 9, 1, tzinfo=UTC)),
    ("2022-12-15T14:59:45.13-03:00", datetime(2022, 12, 15, 17, 59, 45, 130000, tzinfo=UTC)),
    ("", None), (None, None),
])
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


def test_parse_datetime_keeps_aware_values_and_names_the_field():
    local = datetime(2025, 1, 1, 9, tzinfo=timezone(timedelta(hours=-3)))
    assert parse_datetime(local) == datetime(2025, 1, 1, 12, tzinfo=UTC)
    with pytest.raises(ValueError, match="resolvedIn"):
        parse_datetime("ontem", "resolvedIn")
