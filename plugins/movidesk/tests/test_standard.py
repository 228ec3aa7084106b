"""The standard connector suite of ``pontes.testing``, run against the Movidesk sandbox."""

from __future__ import annotations

from hypothesis import strategies as st
from pontes.models import Company, Contact, Ticket, TicketStatus
from pontes.testing.cases import ActionCase, WebhookSample, find_created_cases, id_of, made
from pontes.testing.standard import ConnectorStandardTests

LOSSLESS_STATUSES = [s for s in TicketStatus if s is not TicketStatus.pending]
"""``pending`` has no base status of its own at Movidesk (it is written as Stopped)."""

async def _new_ticket(conn) -> dict:
    return {"subject": "Pedido de upgrade", "description": "Cliente quer o Plano Ouro",
            "requester": Contact(refs={conn.name: "cli-joao"}), "custom": {"5002": ["Plano Ouro"]}}

async def _ticket_created_before(conn) -> Ticket:
    draft = Ticket.model_validate({**await _new_ticket(conn),
                                   "id": "6f1c2a9e-0000-4000-8000-00000000b001"})
    await conn.call("ticket.create", draft)
    return draft


async def _ticket_never_created(conn) -> Ticket:
    return Ticket.model_validate({**await _new_ticket(conn),
                                  "id": "6f1c2a9e-0000-4000-8000-00000000b002"})


class TestMovidesk(ConnectorStandardTests):
    connector = "movidesk"

    def webhook_samples(self):
        return [
            WebhookSample("ticket_webhook", {"Id": 717525}, events=["ticket.changed"]),
            WebhookSample("ticket_webhook", {"id": 1001, "status": "Resolvido",
                                             "lastUpdate": "2025-03-12T16:00:01.2330000"},
                          events=["ticket.changed"]),
        ]

    def action_cases(self):
        return [
            ActionCase("contact.find_by_email", {"email": "carla.dias@example.com.br"},
                       lambda found: found.name == "Carla Dias"),
            ActionCase("contact.find_by_email", {"email": "contato@acme.example.com.br"},
                       expect_empty=True),
            ActionCase("contact.find_by_phone", {"phone": "(11) 91234-5678"},
                       lambda found: found.name == "Maria Souza"),
            ActionCase("contact.find_by_phone", {"phone": "+5511900000000"}, expect_empty=True),
            ActionCase("contact.get", {"id": "cli-maria"},
                       lambda contact: contact.company.name == "Acme Indústria"),
            ActionCase("contact.create", Contact(name="Rui Alves", emails=["rui@example.com"]),
                       lambda contact: contact.emails == ["rui@example.com"]),
            ActionCase("company.find_by_email", {"email": "contato@acme.example.com.br"},
                       lambda company: company.tax_id == "11222333000181"),
            ActionCase("company.find_by_email", {"email": "carla.dias@example.com.br"},
                       expect_empty=True),
            ActionCase("company.find_by_name", {"name": "Padaria Pão Quente"},
                       lambda company: company.tax_id == "45723174000110"),
            ActionCase("company.find_by_name", {"name": "Padaria"}, expect_empty=True),
            ActionCase("company.get", {"id": "org-acme"},
                       lambda company: company.name == "Acme Indústria"),
            ActionCase("contact.list", {},
                       lambda page: {c.name for c in page.records} >= {"Carla Dias"}
                       and page.next_cursor == str(len(page.records))),
            ActionCase("company.list", {},
                       lambda page: {c.name for c in page.records}
                       == {"Acme Indústria", "Padaria Pão Quente"}),
            ActionCase("company.create", Company(name="Oficina Dois Irmãos"),
                       lambda company: company.name == "Oficina Dois Irmãos"),
            *find_created_cases("contact", Contact(
                id="6f1c2a9e-0000-4000-8000-00000000c001", name="Rui Alves"),
                lambda contact: contact.name == "Rui Alves"),
            *find_created_cases("company", Company(
                id="6f1c2a9e-0000-4000-8000-00000000c003", name="Oficina Três"),
                lambda company: company.name == "Oficina Três"),
            ActionCase("contact.update", id_of(made(
                "contact.create", Contact(name="Lia Souza", emails=["lia@example.com"],
                                          phones=["+5511912345678"])),
                changes=Contact(name="Lia Souza Lima")),
                       lambda contact: contact.name == "Lia Souza Lima"
                       and contact.emails == ["lia@example.com"]
                       and contact.phones == ["+5511912345678"]),
            ActionCase("contact.update", id_of(made(
                "contact.create", Contact(name="Caio Reis", emails=["caio@example.com"])),
                changes=Contact(last_name="Reis Lima")),
                       lambda contact: contact.name == "Caio Reis Lima"),
            ActionCase("company.update", id_of(made(
                "company.create", Company(name="Oficina Quatro", emails=["o4@example.com"])),
                changes=Company(legal_name="Oficina Quatro Ltda")),
                       lambda company: company.legal_name == "Oficina Quatro Ltda"
                       and company.name == "Oficina Quatro"
                       and company.emails == ["o4@example.com"]),
            ActionCase("ticket.find_created", _ticket_created_before,
                       lambda ticket: ticket.subject == "Pedido de upgrade"
                       and ticket.custom == {"5002": ["Plano Ouro"]}),
            ActionCase("ticket.find_created", _ticket_never_created, expect_empty=True),
            ActionCase("ticket.create", _new_ticket,
                       lambda ticket: ticket.custom == {"5002": ["Plano Ouro"]}),
            ActionCase("ticket.fields", {}, lambda fields: [
                (f.name, f.type, f.required, f.default) for f in fields] == [
                ("subject", "text", True, None), ("category", "choice", False, "Problema"),
                ("urgency", "text", False, "Média"),
                ("description", "long_text", True, None)]
                and [o.id for o in fields[1].options] == [
                    "Problema", "Dúvida", "Solicitação", "Comercial"]),
            ActionCase("ticket.get", {"id": "1001"},
                       lambda ticket: len(ticket.messages) == 2),
            ActionCase("ticket.reply", {"id": "1002", "text": "Enviamos a segunda via."},
                       lambda ticket: ticket.messages[-1].text == "Enviamos a segunda via."),
            ActionCase("ticket.list_for_client", {"contact_id": "cli-maria"},
                       lambda tickets: [t.number for t in tickets] == ["1001"]
                       and tickets[0].requester.name == "Maria Souza"),
            ActionCase("ticket.list_for_client", {"contact_id": "cli-carla"},
                       lambda tickets: [t.number for t in tickets] == ["1003"]),
            ActionCase("ticket.list_for_client", {"contact_id": "cli-carla", "only_open": True},
                       expect_empty=True),
            ActionCase("ticket.list_for_client", {"contact_id": "agent-ana"}, expect_empty=True),
            ActionCase("ticket.list_for_company", {"company_id": "org-acme"},
                       lambda tickets: [t.number for t in tickets] == ["1001"]),
            ActionCase("ticket.set_status", {"id": "1002", "status": "pending"},
                       lambda ticket: ticket.vendor_status == "Aguardando"
                       and ticket.status is TicketStatus.on_hold),
            ActionCase("movidesk.ticket.set_status", {"id": "1002", "status": "Resolvido"},
                       lambda ticket: ticket.status is TicketStatus.solved
                       and ticket.resolved_at is not None),
            ActionCase("movidesk.ticket.set_custom_fields",
                       {"id": "1001", "values": {"5003": "2.000,00", "5005": "50000777"}},
                       lambda ticket: ticket.custom == {"5002": ["Plano Ouro"],
                                                        "5003": "2.000,00", "5005": "50000777"}),
            ActionCase("agent.permissions", {"id": "agent-pontes"},
                       lambda agent: agent.active and agent.allowed is None),
        ]

    def mapper_round_trip_fields(self):
        return {
            "ticket": ["subject", "category", "urgency", "vendor_status", "team", "tags",
                       "created_at", ("status", st.sampled_from(LOSSLESS_STATUSES))],
            "contact": ["name", "emails", "phones", "tax_id", "addresses"],
            "company": ["name", "legal_name", "emails", "phones", "tax_id", "addresses"],
        }
