"""Every action against the sandbox, through ``Connection.call``."""

from __future__ import annotations

import pytest
from pontes.plugin import (
    Company,
    Contact,
    Message,
    NotFoundError,
    PermanentFailure,
    Ticket,
    TicketStatus,
    UserRef,
)

pytestmark = pytest.mark.anyio


# --- contacts and companies -----------------------------------------------------------


async def test_contact_find_by_email(conn):
    found = await conn.call("contact.find_by_email", email="  Maria.Souza@ACME.example.com.br ")
    assert found.refs == {conn.name: "cli-maria"}
    assert found.name == "Maria Souza"
    assert found.emails == ["maria.souza@acme.example.com.br"]
    assert found.phones == ["+5511912345678"]
    assert found.tax_id == "12345678909"
    assert found.company.refs == {conn.name: "org-acme"} and found.company.name == "Acme Indústria"
    assert found.remote_data["businessName"] == "Maria Souza"
    assert found.remote_updated_at is not None and found.remote_updated_at.utcoffset().total_seconds() == 0
    assert await conn.call("contact.find_by_email", email="ninguem@example.com") is None


async def test_contact_find_by_email_ignores_companies(conn):
    assert await conn.call("contact.find_by_email", email="contato@acme.example.com.br") is None


async def test_contact_get(conn):
    contact = await conn.call("contact.get", id="cli-joao")
    assert contact.name == "João Pereira" and contact.company.ref(conn.name) == "org-padaria"
    with pytest.raises(NotFoundError):
        await conn.call("contact.get", id="org-acme")
    with pytest.raises(NotFoundError):
        await conn.call("contact.get", id="nobody")


async def test_contact_create_links_the_company(conn, sandbox):
    company = Company(refs={conn.name: "org-padaria"}, name="Padaria Pão Quente")
    created = await conn.call("contact.create", Contact(
        name="Beatriz Nunes", emails=["bia@paoquente.example.com.br"], phones=["(21) 99876-5432"],
        tax_id="529.982.247-25", company=company))
    person_id = created.ref(conn.name)
    assert person_id
    stored = sandbox.call("GET", "/persons", id=person_id).json()
    assert stored["personType"] == 1 and stored["profileType"] == 2
    assert stored["cpfCnpj"] == "52998224725"
    assert stored["relationships"][0]["id"] == "org-padaria"
    assert stored["contacts"][0]["contact"] == "+5521998765432"
    again = await conn.call("contact.find_by_email", email="bia@paoquente.example.com.br")
    assert again.ref(conn.name) == person_id and again.company.name == "Padaria Pão Quente"


async def test_contact_create_keeps_a_chosen_id_and_names_by_email(conn):
    created = await conn.call("contact.create", Contact(refs={conn.name: "ploomes-40000123"},
                                                        emails=["sem.nome@example.com"]))
    assert created.ref(conn.name) == "ploomes-40000123"
    fetched = await conn.call("contact.get", id="ploomes-40000123")
    assert fetched.name == "sem.nome@example.com"


async def test_contact_create_without_name_or_email_fails_clearly(conn, sandbox):
    before = len(sandbox.control("GET", "/requests"))
    with pytest.raises(PermanentFailure, match="businessName"):
        await conn.call("contact.create", Contact(phones=["+5511912345678"]))
    assert len(sandbox.control("GET", "/requests")) == before


async def test_company_find_by_email_and_name(conn):
    by_email = await conn.call("company.find_by_email", email="financeiro@paoquente.example.com.br")
    assert by_email.ref(conn.name) == "org-padaria"
    assert by_email.legal_name == "Pão Quente Alimentos ME"
    by_name = await conn.call("company.find_by_name", name="acme indústria")
    assert by_name.ref(conn.name) == "org-acme"
    by_legal_name = await conn.call("company.find_by_name", name="Pão Quente Alimentos ME")
    assert by_legal_name.ref(conn.name) == "org-padaria"
    assert by_name.addresses[0].city == "São Paulo" and by_name.tax_id == "11222333000181"
    assert await conn.call("company.find_by_name", name="Maria Souza") is None


async def test_company_names_with_quotes_are_escaped(conn):
    created = await conn.call("company.create", Company(name="Bar do Zé D'Ávila"))
    found = await conn.call("company.find_by_name", name="Bar do Zé D'Ávila")
    assert found.ref(conn.name) == created.ref(conn.name)


async def test_company_get_and_create(conn, sandbox):
    company = await conn.call("company.get", id="org-acme")
    assert company.name == "Acme Indústria" and company.phones == ["+551133334444"]
    with pytest.raises(NotFoundError):
        await conn.call("company.get", id="cli-maria")
    created = await conn.call("company.create", Company(
        name="Loja Nova", legal_name="Loja Nova Comércio Ltda", tax_id="12.345.678/0001-95",
        emails=["contato@lojanova.example.com"]))
    stored = sandbox.call("GET", "/persons", id=created.ref(conn.name)).json()
    assert (stored["personType"], stored["corporateName"], stored["cpfCnpj"]) == \
        (2, "Loja Nova Comércio Ltda", "12345678000195")


# --- tickets --------------------------------------------------------------------------


async def test_ticket_get_has_actions_clients_and_custom_fields(conn):
    ticket = await conn.call("ticket.get", id="1001")
    assert ticket.refs == {conn.name: "1001"} and ticket.number == "1001"
    assert ticket.status is TicketStatus.open and ticket.vendor_status == "Em atendimento"
    assert ticket.requester.ref(conn.name) == "cli-maria"
    assert ticket.company.ref(conn.name) == "org-acme"
    assert ticket.owner == UserRef(remote_id="agent-ana", name="Ana Lima",
                                   email="ana.lima@suporte.example.com.br")
    assert ticket.team == "Suporte" and ticket.urgency == "Alta" and ticket.category == "Problema"
    assert ticket.custom == {"5002": ["Plano Ouro"], "5003": "1.530,75"}
    assert [m.text for m in ticket.messages] == [
        "Ao emitir a NF-e o sistema mostra erro 500.",
        "Olá Maria, estamos verificando com a equipe fiscal."]
    assert [m.direction.value for m in ticket.messages] == ["inbound", "outbound"]
    assert ticket.description == ticket.messages[0].text


async def test_ticket_get_reads_old_tickets_from_past(conn):
    ticket = await conn.call("ticket.get", id="1004")
    assert ticket.status is TicketStatus.closed and ticket.closed_at is not None


async def test_ticket_get_missing(conn):
    with pytest.raises(NotFoundError):
        await conn.call("ticket.get", id="424242")


async def test_ticket_create(conn, sandbox):
    requester = await conn.call("contact.find_by_email", email="carla.dias@example.com.br")
    created = await conn.call("ticket.create", Ticket(
        subject="Upgrade Plano Ouro", description="<p>Negócio ganho no CRM: <b>upgrade</b>.</p>",
        category="Comercial", urgency="Média", team="Comercial", owner=UserRef(remote_id="agent-ana"),
        requester=requester, tags=["ploomes"],
        custom={"5002": ["Plano Ouro"], "5003": "1.530,75", "5005": "50000777"}))
    assert created.ref(conn.name).isdigit()
    assert created.status is TicketStatus.new and created.vendor_status == "Novo"
    assert created.requester.ref(conn.name) == "cli-carla"
    assert created.custom == {"5002": ["Plano Ouro"], "5003": "1.530,75", "5005": "50000777"}
    assert created.messages[0].text == "Negócio ganho no CRM: upgrade."
    stored = sandbox.stored_ticket(int(created.ref(conn.name)))
    assert stored["origin"] == 9 and stored["type"] == 2
    assert stored["createdBy"]["id"] == "agent-pontes"
    assert stored["owner"]["id"] == "agent-ana" and stored["ownerTeam"] == "Comercial"
    assert {v["customFieldRuleId"] for v in stored["customFieldValues"]} == {7001}
    assert stored["actions"][0]["htmlDescription"] == "<p>Negócio ganho no CRM: <b>upgrade</b>.</p>"


async def test_ticket_create_for_a_company_and_default_team(connect, sandbox):
    conn = connect(sandbox, agent_id=None)
    company = Company(refs={conn.name: "org-acme"})
    created = await conn.call("ticket.create", Ticket(
        subject="Sem descrição", company=company, owner=UserRef(remote_id="agent-ana")))
    stored = sandbox.stored_ticket(int(created.ref(conn.name)))
    assert stored["clients"][0]["id"] == "org-acme" and stored["createdBy"]["id"] == "org-acme"
    assert stored["ownerTeam"] == "Suporte"
    assert stored["actions"][0]["description"] == "Sem descrição"
    assert created.company.ref(conn.name) == "org-acme" and created.requester is None


async def test_ticket_create_needs_a_known_client(conn):
    with pytest.raises(PermanentFailure, match=r"requester\.refs"):
        await conn.call("ticket.create", Ticket(subject="x", requester=Contact(emails=["a@b.c"])))


async def test_ticket_create_needs_a_rule_for_custom_fields(connect, sandbox):
    conn = connect(sandbox, custom_field_rule_id=None)
    with pytest.raises(PermanentFailure, match="custom_field_rule_id"):
        await conn.call("ticket.create", Ticket(subject="x", custom={"5001": "y"},
                                                requester=Contact(refs={conn.name: "cli-joao"})))
    with pytest.raises(PermanentFailure, match="customFieldId"):
        await conn.call("ticket.create", Ticket(subject="x", custom={"valor": "y"},
                                                requester=Contact(refs={conn.name: "cli-joao"})))


async def test_ticket_reply_sends_only_the_new_action(conn, sandbox):
    before = sandbox.stored_ticket(1001)["actions"]
    replied = await conn.call("ticket.reply", id="1001", text="Corrigido <hoje>.\nObrigado!")
    assert [m.text for m in replied.messages][-1] == "Corrigido <hoje>.\nObrigado!"
    assert len(replied.messages) == 3
    stored = sandbox.stored_ticket(1001)
    assert stored["actions"][:2] == before
    assert stored["actions"][0]["htmlDescription"] == \
        "<p>Ao emitir a NF-e o sistema mostra <b>erro 500</b>.</p>"
    assert [(a["id"], a["isDeleted"]) for a in stored["actions"]] == \
        [(1, False), (2, False), (3, False)]
    assert stored["actions"][2]["htmlDescription"] == "Corrigido &lt;hoje&gt;.<br>Obrigado!"
    assert stored["actions"][2]["createdBy"]["id"] == "agent-pontes"
    calls = [r["method"] for r in sandbox.control("GET", "/requests")]
    assert calls == ["PATCH", "GET"]


async def test_ticket_reply_as_internal_note(conn):
    replied = await conn.call("ticket.reply", id="1002", html="<i>Verificar boleto</i>",
                              public=False)
    note = replied.messages[-1]
    assert note == Message(remote_id="2", author="Integração pontes", direction="internal",
                           public=False, text="Verificar boleto", html=None,
                           sent_at=note.sent_at)


async def test_ticket_reply_needs_text(conn):
    with pytest.raises(PermanentFailure):
        await conn.call("ticket.reply", id="1001")


async def test_set_custom_fields_keeps_the_other_values(conn, sandbox):
    updated = await conn.call("movidesk.ticket.set_custom_fields", id="1001",
                              values={"5003": "2.000,00", "5005": "50000777"})
    assert updated.custom == {"5002": ["Plano Ouro"], "5003": "2.000,00", "5005": "50000777"}
    stored = sandbox.stored_ticket(1001)["customFieldValues"]
    assert [(v["customFieldId"], v["value"]) for v in stored] == [
        (5002, None), (5003, "2.000,00"), (5005, "50000777")]


async def test_set_status(conn):
    resolved = await conn.call("movidesk.ticket.set_status", id="1002", status="Resolvido")
    assert resolved.status is TicketStatus.solved and resolved.resolved_at is not None
    waiting = await conn.call("movidesk.ticket.set_status", id="1002", status="Aguardando",
                              justification="Retorno do cliente")
    assert waiting.status is TicketStatus.on_hold
