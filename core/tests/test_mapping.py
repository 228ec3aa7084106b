"""Compiling mapping specs against canonical models and applying them to records."""

import types
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pontes import hookimpl
from pontes.errors import ConfigError, PermanentFailure, PluginLoadError
from pontes.mapping import (
    CompiledMapping,
    Transform,
    TransformOptions,
    builtin_transforms,
    compile_mapping,
)
from pontes.models import (
    Chat,
    Company,
    Contact,
    Deal,
    DealStatus,
    Message,
    Ticket,
    TicketStatus,
    UserRef,
)
from pontes.plugins import load_plugins

WHERE = "integrations.support-history.mapping"
TRANSFORMS = builtin_transforms()


def compile_(spec, source=Contact, target=Contact, slot="contact", transforms=TRANSFORMS):
    return compile_mapping(spec, source_model=source, target_model=target,
                           transforms=transforms, where=f"{WHERE}.{slot}")


def config_error(spec, source=Contact, target=Contact, slot="contact") -> str:
    with pytest.raises(ConfigError) as caught:
        compile_(spec, source, target, slot)
    return str(caught.value)


# --- records as the plugins build them ----------------------------------------------


def movidesk_person() -> Contact:
    raw = {
        "id": "cli-42", "personType": 1, "profileType": 2, "businessName": "Maria Souza",
        "cpfCnpj": "12345678909", "role": None,
        "emails": [{"emailType": "Profissional", "email": "Maria@Exemplo.com.br",
                    "isDefault": True}],
        "contacts": [{"contactType": "Telefone celular", "contact": "(11) 91234-5678"},
                     {"contactType": "Ramal", "contact": "ramal 204"},
                     {"contactType": "Telefone comercial", "contact": "+55 21 3123-4567"}],
        "relationships": [{"id": "org-9", "name": "Exemplo Ltda"}],
    }
    return Contact(refs={"movidesk": "cli-42"}, remote_data=raw, name="Maria Souza",
                   emails=["maria@exemplo.com.br"], tax_id="123.456.789-09")


def movidesk_ticket(**changes) -> Ticket:
    raw = {
        "id": 10452, "subject": "Falha ao emitir nota fiscal", "baseStatus": "Resolved",
        "status": "Resolvido", "urgency": "Alta", "ownerTeam": "Suporte N1",
        "createdDate": "2025-03-10T14:02:11.5230000", "resolvedIn": "2025-03-11T01:30:00",
        "clients": [{"id": "cli-42", "businessName": "Maria Souza",
                     "email": "maria@exemplo.com.br", "phone": "+55 11 91234-5678"}],
        "customFieldValues": [{"customFieldId": 5003, "customFieldRuleId": 7001, "line": 1,
                               "value": "1.530,75", "items": []}],
    }
    raw.update(changes)
    return Ticket(refs={"movidesk": "10452"}, remote_data=raw, number="10452",
                  subject=raw["subject"], vendor_status=raw["status"],
                  status=TicketStatus.solved, urgency="Alta", team="Suporte N1",
                  created_at=datetime(2025, 3, 10, 14, 2, 11, tzinfo=UTC),
                  custom={"5003": raw["customFieldValues"][0]["value"]},
                  requester=Contact(name="Maria Souza", emails=["maria@exemplo.com.br"]),
                  tags=["integracao-crm", "fiscal"],
                  messages=[Message(text="Erro 500 ao emitir NF-e."),
                            Message(text="Corrigido.")])


def jivo_chat() -> Chat:
    return Chat(refs={"jivo": "chat-1"}, visitor=Contact(name="João", emails=["joao@x.com.br"],
                                                          phones=["11 98765-4321"]),
                utm={"source": "google", "medium": "cpc", "campaign": "verao"},
                page_url="https://loja.example/produto", remote_data={"chat_id": "chat-1"})


# --- compile and apply --------------------------------------------------------------


def test_movidesk_person_to_ploomes_person():
    mapping = compile_({
        "name": "name",
        "emails": {"from": "remote_data.emails.*.email", "transform": "email"},
        "phones": {"from": "remote_data.contacts.*.contact", "transform": "phone_e164",
                   "invalid": "drop"},
        "tax_id": "tax_id",
        "company.name": "remote_data.relationships.0.name",
        "custom.contact_movidesk_id": "refs.movidesk",
        "custom.contact_cargo": {"from": "remote_data.role", "transform": "default",
                                 "fallback": "Não informado"},
    })
    assert isinstance(mapping, CompiledMapping)
    assert mapping.apply(movidesk_person()) == {
        "name": "Maria Souza",
        "emails": ["maria@exemplo.com.br"],
        "phones": ["+5511912345678", "+552131234567"],
        "tax_id": "12345678909",
        "company": {"name": "Exemplo Ltda"},
        "custom": {"contact_movidesk_id": "cli-42", "contact_cargo": "Não informado"},
    }
    person = mapping.build(movidesk_person())
    assert person.company.name == "Exemplo Ltda"
    assert person.phones == ["+5511912345678", "+552131234567"]


def test_movidesk_ticket_to_ploomes_deal():
    mapping = compile_({
        "title": {"template": "Movidesk #{number}: {subject}"},
        "amount": {"from": "custom.5003", "transform": "br_decimal"},
        "status": {"from": "remote_data.baseStatus", "transform": "status",
                   "values": {"Resolved": "won", "Closed": "won", "Canceled": "lost"},
                   "default": "open"},
        "close_date": {"from": "remote_data.resolvedIn", "transform": "date",
                       "day_timezone": "America/Sao_Paulo"},
        "custom.deal_aberto_em": {"from": "remote_data.createdDate",
                                  "transform": "utc_datetime"},
        "custom.deal_urgencia": "urgency",
        "custom.deal_tags": {"from": "tags", "transform": "join", "sep": "; "},
        "custom.deal_ultima_acao": "messages.-1.text",
        "contact.emails": "requester.emails",
        "contact.phones": {"from": "remote_data.clients.*.phone", "transform": "phone_e164"},
        "currency": {"value": "BRL"},
    }, source=Ticket, target=Deal, slot="ticket_to_deal")
    mapped = mapping.apply(movidesk_ticket())
    assert mapped == {
        "title": "Movidesk #10452: Falha ao emitir nota fiscal",
        "amount": Decimal("1530.75"),
        "status": DealStatus.won,
        "close_date": date(2025, 3, 10),
        "custom": {"deal_aberto_em": datetime(2025, 3, 10, 14, 2, 11, 523000, tzinfo=UTC),
                   "deal_urgencia": "Alta", "deal_tags": "integracao-crm; fiscal",
                   "deal_ultima_acao": "Corrigido."},
        "contact": {"emails": ["maria@exemplo.com.br"], "phones": ["+5511912345678"]},
        "currency": "BRL",
    }
    reopened = mapping.apply(movidesk_ticket(baseStatus="InAttendance"))
    assert reopened["status"] is DealStatus.open


def test_jivo_utm_to_a_deal_custom_field():
    mapping = compile_({
        "title": {"template": "Chat com {visitor.name} ({utm.source}/{utm.medium})"},
        "custom.deal_utm_source": "utm.source",
        "custom.deal_utm_campaign": {"from": "utm.campaign", "transform": "upper"},
        "custom.deal_utm_term": {"from": "utm.term", "transform": "default",
                                 "fallback": "(nenhum)"},
        "custom.deal_pagina": "page_url",
        "contact.phones": "visitor.phones",
    }, source=Chat, target=Deal, slot="deal")
    deal = mapping.build(jivo_chat())
    assert deal.title == "Chat com João (google/cpc)"
    assert deal.custom == {"deal_utm_source": "google", "deal_utm_campaign": "VERAO",
                           "deal_utm_term": "(nenhum)",
                           "deal_pagina": "https://loja.example/produto"}
    assert deal.contact.phones == ["+5511987654321"]


def test_apply_merges_into_the_target_without_changing_it():
    mapping = compile_({"company.name": "remote_data.relationships.0.name",
                        "custom.a": {"value": 1}})
    base = {"name": "Kept", "company": {"tax_id": "1"}, "custom": {"b": 2}}
    merged = mapping.apply(movidesk_person(), base)
    assert merged == {"name": "Kept", "company": {"tax_id": "1", "name": "Exemplo Ltda"},
                      "custom": {"b": 2, "a": 1}}
    assert base == {"name": "Kept", "company": {"tax_id": "1"}, "custom": {"b": 2}}


def test_apply_merges_into_a_model_found_in_the_target():
    mapping = compile_({"company.name": "remote_data.relationships.0.name"})
    merged = mapping.apply(movidesk_person(), {"company": Company(tax_id="12.345/0001-00")})
    assert merged["company"]["name"] == "Exemplo Ltda"
    assert merged["company"]["tax_id"] == "12345000100"


def test_missing_values_are_left_out_and_null_rules_map_nothing():
    mapping = compile_({"first_name": "remote_data.firstName", "last_name": None,
                        "owner": "owner", "phones": "remote_data.nothing.*.x"})
    assert mapping.targets == ["first_name", "owner", "phones"]
    assert mapping.apply(movidesk_person()) == {}


def test_a_dict_of_the_record_maps_like_the_record():
    mapping = compile_({"name": "name", "company.name": "remote_data.relationships.0.name",
                        "custom.first_phone": "remote_data.contacts.0.contact"})
    person = movidesk_person()
    assert mapping.apply(person.model_dump()) == mapping.apply(person)


def test_values_are_checked_and_normalised_for_their_target_field():
    mapping = compile_({"emails": "remote_data.emails.0.email", "owner": "remote_data.owner"})
    contact = movidesk_person().model_copy(update={
        "remote_data": {"emails": [{"email": " Ana@X.com "}],
                        "owner": {"name": "Agente", "email": "AGENTE@X.COM"}}})
    mapped = mapping.apply(contact)
    assert mapped["emails"] == ["ana@x.com"]
    assert mapped["owner"] == UserRef(name="Agente", email="agente@x.com")


def test_a_constant_is_checked_at_load_and_lists_take_single_values():
    mapping = compile_({"status": {"value": "pending"}, "tags": {"value": "crm"}},
                       source=Ticket, target=Ticket, slot="ticket")
    assert mapping.apply(movidesk_ticket()) == {"status": TicketStatus.pending,
                                                "tags": ["crm"]}


def test_a_transform_can_make_a_value_without_a_source():
    mapping = compile_({"title": {"transform": "template", "text": "#{number}"},
                        "stage": {"transform": "default", "fallback": "Novo"}},
                       source=Ticket, target=Deal, slot="ticket_to_deal")
    assert mapping.apply(movidesk_ticket()) == {"title": "#10452", "stage": "Novo"}


def test_status_found_from_the_target_or_named_with_of():
    mapping = compile_({
        "status": {"from": "vendor_status", "transform": "status",
                   "values": {"Resolvido": "solved"}},
        "custom.deal_status": {"from": "vendor_status", "transform": "status", "of": "deal",
                               "values": {"Resolvido": "won"}},
    }, source=Ticket, target=Ticket, slot="ticket")
    mapped = mapping.apply(movidesk_ticket())
    assert mapped["status"] is TicketStatus.solved
    assert mapped["custom"]["deal_status"] is DealStatus.won


# --- failures at run time -----------------------------------------------------------


def test_a_bad_value_fails_naming_field_source_and_value():
    mapping = compile_({"amount": {"from": "custom.5003", "transform": "br_decimal"}},
                       source=Ticket, target=Deal, slot="ticket_to_deal")
    ticket = movidesk_ticket()
    ticket.custom = {"5003": "mil e quinhentos"}
    with pytest.raises(PermanentFailure) as caught:
        mapping.apply(ticket)
    assert str(caught.value) == (
        "integrations.support-history.mapping.ticket_to_deal.amount: cannot map "
        "'custom.5003' value 'mil e quinhentos': 'mil e quinhentos' is not a number in "
        "Brazilian format (expected e.g. 1.530,75 or 1530,75)"
    )


def test_an_unmapped_status_without_default_fails_listing_the_keys():
    mapping = compile_({"status": {"from": "remote_data.baseStatus", "transform": "status",
                                   "values": {"Resolved": "won", "Canceled": "lost"}}},
                       source=Ticket, target=Deal, slot="ticket_to_deal")
    with pytest.raises(PermanentFailure, match=r"ticket_to_deal\.status: cannot map "
                       r"'remote_data\.baseStatus' value 'Stopped': 'Stopped' is not in the "
                       r"map and the map has no default; mapped values: 'Resolved', "
                       r"'Canceled'"):
        mapping.apply(movidesk_ticket(baseStatus="Stopped"))


def test_a_value_of_the_wrong_type_for_its_field_fails_naming_it():
    mapping = compile_({"number": "remote_data.id"}, source=Ticket, target=Ticket,
                       slot="ticket")
    with pytest.raises(PermanentFailure, match=r"ticket\.number: cannot map 'remote_data\.id' "
                       r"value 10452: Input should be a valid string"):
        mapping.apply(movidesk_ticket())


def test_a_template_whose_format_does_not_fit_the_value_fails_naming_it():
    mapping = compile_({"title": {"template": "{number:%d/%m/%Y}"}}, source=Ticket,
                       target=Deal, slot="ticket_to_deal")
    with pytest.raises(PermanentFailure, match=r"ticket_to_deal\.title: cannot fill template "
                                               r"'\{number:%d/%m/%Y\}': Invalid format"):
        mapping.apply(movidesk_ticket())


def test_one_bad_item_of_a_list_fails_the_rule():
    mapping = compile_({"phones": {"from": "remote_data.contacts.*.contact",
                                   "transform": "phone_e164"}})
    with pytest.raises(PermanentFailure, match="'ramal 204' is not a valid phone number"):
        mapping.apply(movidesk_person())


def test_build_reports_an_invalid_record():
    mapping = compile_({"custom.x": {"value": 1}})
    with pytest.raises(PermanentFailure, match=r"the mapped Contact is invalid: emails: "):
        mapping.build(movidesk_person(), {"emails": "not a list"})


def test_a_record_of_another_model_is_a_programming_error():
    with pytest.raises(TypeError, match="expected a Contact record, got Ticket"):
        compile_({"name": "name"}).apply(movidesk_ticket())


# --- failures at config load: one message with the key path and what is allowed -----


def test_unknown_target_field():
    assert config_error({"nome": "name"}) == (
        "integrations.support-history.mapping.contact.nome: unknown target field 'nome' in "
        "Contact; allowed: addresses, company, custom.<key>, emails, first_name, last_name, "
        "name, owner, phones, tax_id"
    )


def test_unknown_nested_target_field():
    message = config_error({"company.nome": "name"})
    assert message == (
        "integrations.support-history.mapping.contact.company.nome: unknown target field "
        "'nome' in Company (at company); allowed: addresses, custom.<key>, emails, "
        "legal_name, name, phones, tax_id, website"
    )


def test_envelope_fields_are_not_targets():
    message = config_error({"remote_data.x": "name"})
    assert message.startswith("integrations.support-history.mapping.contact.remote_data.x: "
                              "'remote_data' is kept by pontes and cannot be a mapping target")


def test_unknown_source_field():
    message = config_error({"title": "subjet"}, source=Ticket, target=Deal,
                           slot="ticket_to_deal")
    assert message.startswith(
        "integrations.support-history.mapping.ticket_to_deal.title.from: unknown source "
        "field 'subjet' in Ticket; allowed: "
    )
    allowed = message.split("allowed: ")[1].split(", ")
    assert {"subject", "custom.<key>", "remote_data.<path>", "status"} <= set(allowed)


def test_unknown_transform():
    message = config_error({"phones": {"from": "phones", "transform": "phone"}})
    assert message == (
        "integrations.support-history.mapping.contact.phones.transform: unknown transform "
        "'phone'; allowed: " + ", ".join(sorted(TRANSFORMS))
    )


def test_unknown_transform_option():
    assert config_error({"phones": {"from": "phones", "transform": "phone_e164",
                                    "regiao": "BR"}}) == (
        "integrations.support-history.mapping.contact.phones.regiao: unknown option "
        "'regiao' for transform 'phone_e164'; allowed options: region, invalid"
    )


def test_missing_transform_option():
    assert config_error({"name": {"from": "name", "transform": "map"}}) == (
        "integrations.support-history.mapping.contact.name: transform 'map' needs option "
        "'values'; its options: values, default, ignore_case"
    )


def test_bad_transform_option_value():
    assert config_error({"name": {"from": "name", "transform": "utc_datetime",
                                  "epoch": "hours"}}).startswith(
        "integrations.support-history.mapping.contact.name.epoch: Input should be 'seconds' "
        "or 'milliseconds' (an option of transform 'utc_datetime')"
    )


def test_options_without_a_transform():
    assert config_error({"phones": {"from": "phones", "region": "BR"}}) == (
        "integrations.support-history.mapping.contact.phones.region: unknown key; allowed: "
        "from, template, value, transform (other keys are options of a transform)"
    )


def test_unknown_template_placeholder():
    assert config_error({"title": {"template": "#{number} {assunto}"}}, source=Ticket,
                        target=Deal, slot="ticket_to_deal").startswith(
        "integrations.support-history.mapping.ticket_to_deal.title.template: placeholder "
        "{assunto}: unknown source field 'assunto' in Ticket; allowed: "
    )


def test_unknown_placeholder_in_the_template_transform():
    assert config_error({"title": {"from": "subject", "transform": "template",
                                   "text": "{value} ({urgencia})"}}, source=Ticket,
                        target=Deal, slot="ticket_to_deal").startswith(
        "integrations.support-history.mapping.ticket_to_deal.title.text: placeholder "
        "{urgencia}: unknown source field 'urgencia' in Ticket; allowed: "
    )


def test_status_value_that_is_not_a_canonical_status():
    assert config_error({"status": {"from": "remote_data.baseStatus", "transform": "status",
                                    "values": {"Resolved": "ganho"}}},
                        source=Ticket, target=Deal, slot="ticket_to_deal") == (
        "integrations.support-history.mapping.ticket_to_deal.status.values.Resolved: "
        "'ganho' is not a deal status; allowed: open, won, lost"
    )


def test_status_into_a_field_that_is_not_a_status():
    assert config_error({"custom.s": {"from": "status", "transform": "status",
                                      "values": {"solved": "won"}}},
                        source=Ticket, target=Deal, slot="ticket_to_deal") == (
        "integrations.support-history.mapping.ticket_to_deal.custom.s.of: the target is "
        "not a status field; say which statuses with of: ticket or deal"
    )


def test_constant_that_does_not_fit_its_field():
    assert config_error({"status": {"value": "finished"}}, source=Ticket, target=Deal,
                        slot="ticket_to_deal") == (
        "integrations.support-history.mapping.ticket_to_deal.status.value: 'finished' does "
        "not fit status: Input should be 'open', 'won' or 'lost'"
    )


@pytest.mark.parametrize(("rule", "message"), [
    (5, "contact.name: expected a source path, or a table with one of from, template, "
        "value (and optionally transform); got int 5"),
    ({"from": "name", "value": "x"}, "contact.name: use only one of from, template, value; "
                                     "got from and value"),
    ({}, "contact.name: nothing to map: give one of from, template, value, transform"),
    ({"from": 3}, "contact.name.from: a source path must be text, got int 3"),
    ({"from": "emails.primeiro"}, "contact.name.from: emails is a list: follow it with an "
                                  "index (0, 1, -1) or * for every item, not 'primeiro'"),
    ({"from": "name.first"}, "contact.name.from: name is a str value and has no field "
                             "'first'"),
    ({"from": "company..name"}, "contact.name.from: 'company..name' has an empty part "
                                "between dots"),
])
def test_malformed_rules(rule, message):
    assert config_error({"name": rule}) == f"{WHERE}.{message}"


def test_lists_are_targets_as_a_whole():
    assert config_error({"emails.0": "name"}) == (
        f"{WHERE}.contact.emails.0: emails is a list and is mapped as a whole, not item by "
        f"item ('emails.0')"
    )


def test_a_spec_that_is_not_a_table():
    assert config_error(["name"]) == (
        f"{WHERE}.contact: expected a table of target field -> source, got list"
    )


# --- transforms from plugins --------------------------------------------------------


class Cep(Transform):
    """A Brazilian postal code written 00000-000."""

    name = "cep"

    class Options(TransformOptions):
        strict: bool = True

    options = Options

    def apply(self, value, options, context):
        digits = "".join(c for c in str(value) if c.isdigit())
        if len(digits) != 8:
            raise ValueError(f"{value!r} is not a CEP")
        return f"{digits[:5]}-{digits[5:]}"


def plugin(**transforms):
    @hookimpl
    def register_transforms():
        return transforms

    module = types.ModuleType("transforms_plugin")
    module.register_transforms = register_transforms
    return module


def test_plugins_add_transforms_next_to_the_built_in_ones():
    registry = load_plugins(enabled=[], extra=[plugin(cep=Cep())]).registry
    assert set(TRANSFORMS) < set(registry.transforms)
    mapping = compile_mapping({"custom.cep": {"from": "remote_data.cep", "transform": "cep"}},
                              source_model=Contact, target_model=Contact,
                              transforms=registry.transforms, where="m")
    person = Contact(remote_data={"cep": "01310 100"})
    assert mapping.apply(person) == {"custom": {"cep": "01310-100"}}
    with pytest.raises(ConfigError, match="m.custom.cep.strct: unknown option 'strct' for "
                                          "transform 'cep'; allowed options: strict"):
        compile_mapping({"custom.cep": {"from": "remote_data.cep", "transform": "cep",
                                        "strct": False}},
                        source_model=Contact, target_model=Contact,
                        transforms=registry.transforms, where="m")
    with pytest.raises(PermanentFailure, match="m.custom.cep: cannot map 'remote_data.cep' "
                                               "value '123': '123' is not a CEP"):
        mapping.apply(Contact(remote_data={"cep": "123"}))


def test_a_plugin_transform_cannot_take_a_built_in_name():
    with pytest.raises(PluginLoadError, match="registers transform 'email', already registered"):
        load_plugins(enabled=[], extra=[plugin(email=Cep())])
