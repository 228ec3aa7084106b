"""Records a sandbox starts with: a small Brazilian support desk, or what a test gives.

A seed is ``{"persons": [...], "tickets": [...]}`` in the API's own JSON shapes, with
optionally ``survey_questions`` and ``survey_responses`` (see ``surveys``).
Persons are stored in order (companies before the people related to them); tickets may
name their clients, owner and author by id only, and may carry their own dates and
status, so a test can place a ticket more than 90 days in the past.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from . import persons, surveys, tickets
from .answers import ApiError
from .state import MovideskState
from .surveys import SURVEY_KEYS
from .timefmt import format_instant

INTEGRATION_AGENT = "agent-pontes"
"""The agent the sandbox's connection settings use as ``createdBy``."""


def load_seed(state: MovideskState, seed: dict[str, Any]) -> dict[str, list[Any]]:
    """Store the seed's persons and tickets; answers the ids stored."""
    unknown = set(seed) - {"persons", "tickets", *SURVEY_KEYS}
    if unknown:
        raise ApiError(400, f"Unknown seed keys: {', '.join(sorted(unknown))}; "
                            "use persons, tickets, survey_questions and survey_responses.")
    stored: dict[str, list[Any]] = {"persons": [], "tickets": []}
    for data in seed.get("persons") or []:
        person = persons.seed(state, data)
        state.persons[person["id"]] = person
        stored["persons"].append(person["id"])
    for data in seed.get("tickets") or []:
        ticket = tickets.seed(state, data)
        state.tickets[ticket["id"]] = ticket
        stored["tickets"].append(ticket["id"])
    for key in SURVEY_KEYS:
        if seed.get(key):
            stored[key] = surveys.seed(state, key, seed[key])
    return stored


def _email(address: str) -> list[dict[str, Any]]:
    return [{"emailType": "Profissional", "email": address, "isDefault": True}]


def _phone(number: str) -> list[dict[str, Any]]:
    return [{"contactType": "Telefone celular", "contact": number, "isDefault": True}]


def demo_seed(now: datetime) -> dict[str, Any]:
    """Two agents, two client companies, three client people and four tickets.

    Ticket 1004 was last changed 200 days before ``now``, so only ``/tickets/past`` has it.
    """
    def ago(**delta: float) -> str:
        return format_instant(now - timedelta(**delta))

    agents = [
        {"id": INTEGRATION_AGENT, "personType": 1, "profileType": 1,
         "businessName": "Integração pontes", "accessProfile": "Agentes",
         "teams": ["Suporte"], "emails": _email("integracao@suporte.example.com.br")},
        {"id": "agent-ana", "personType": 1, "profileType": 1, "businessName": "Ana Lima",
         "accessProfile": "Agentes", "teams": ["Suporte", "Financeiro"],
         "emails": _email("ana.lima@suporte.example.com.br")},
    ]
    companies = [
        {"id": "org-acme", "personType": 2, "businessName": "Acme Indústria",
         "corporateName": "Acme Indústria e Comércio Ltda", "cpfCnpj": "11222333000181",
         "emails": _email("contato@acme.example.com.br"), "contacts": _phone("(11) 3333-4444"),
         "addresses": [{"addressType": "Comercial", "country": "Brasil", "postalCode": "01310-100",
                        "state": "SP", "city": "São Paulo", "district": "Bela Vista",
                        "street": "Avenida Paulista", "number": "1000", "complement": "10º andar",
                        "reference": None, "isDefault": True}]},
        {"id": "org-padaria", "personType": 2, "businessName": "Padaria Pão Quente",
         "corporateName": "Pão Quente Alimentos ME", "cpfCnpj": "45723174000110",
         "emails": _email("financeiro@paoquente.example.com.br")},
    ]
    people = [
        {"id": "cli-maria", "personType": 1, "businessName": "Maria Souza",
         "cpfCnpj": "12345678909", "emails": _email("maria.souza@acme.example.com.br"),
         "contacts": _phone("+55 11 91234-5678"), "relationships": [{"id": "org-acme"}]},
        {"id": "cli-joao", "personType": 1, "businessName": "João Pereira",
         "emails": _email("joao@paoquente.example.com.br"), "contacts": _phone("(21) 98765-4321"),
         "relationships": [{"id": "org-padaria"}]},
        {"id": "cli-carla", "personType": 1, "businessName": "Carla Dias",
         "emails": _email("carla.dias@example.com.br")},
    ]
    plan = {"customFieldId": 5002, "customFieldRuleId": 7001, "line": 1, "value": None,
            "items": [{"customFieldItem": "Plano Ouro"}]}
    amount = {"customFieldId": 5003, "customFieldRuleId": 7001, "line": 1, "value": "1.530,75",
              "items": []}
    ticket_list = [
        {"id": 1001, "type": 2, "subject": "Erro 500 ao emitir nota fiscal",
         "category": "Problema", "urgency": "Alta", "status": "Em atendimento",
         "ownerTeam": "Suporte", "owner": {"id": "agent-ana"}, "createdBy": {"id": "cli-maria"},
         "clients": [{"id": "cli-maria"}], "tags": ["nfe"], "origin": 3,
         "createdDate": ago(days=2), "lastUpdate": ago(hours=3),
         "customFieldValues": [plan, amount],
         "actions": [
             {"type": 2, "origin": 3, "createdDate": ago(days=2),
              "description": "<p>Ao emitir a NF-e o sistema mostra <b>erro 500</b>.</p>"},
             {"type": 2, "origin": 2, "createdBy": {"id": "agent-ana"}, "createdDate": ago(hours=3),
              "description": "<p>Olá Maria, estamos verificando com a equipe fiscal.</p>"},
         ]},
        {"id": 1002, "type": 2, "subject": "Dúvida sobre segunda via de boleto",
         "category": "Dúvida", "urgency": "Média", "status": "Novo",
         "createdBy": {"id": "cli-joao"}, "clients": [{"id": "cli-joao"}], "origin": 1,
         "createdDate": ago(hours=5), "lastUpdate": ago(hours=5),
         "actions": [{"type": 2, "origin": 1, "description": "Como emito a segunda via do boleto?"}]},
        {"id": 1003, "type": 2, "subject": "Treinamento para novos usuários",
         "category": "Solicitação", "urgency": "Baixa", "status": "Resolvido",
         "ownerTeam": "Suporte", "owner": {"id": "agent-ana"}, "createdBy": {"id": "cli-carla"},
         "clients": [{"id": "cli-carla"}], "createdDate": ago(days=10),
         "resolvedIn": ago(days=1), "lastUpdate": ago(days=1),
         "actions": [{"type": 2, "description": "Gostaria de agendar um treinamento."},
                     {"type": 2, "origin": 2, "createdBy": {"id": "agent-ana"},
                      "description": "Treinamento agendado e realizado. Obrigada!"}]},
        {"id": 1004, "type": 2, "subject": "Acesso bloqueado ao portal",
         "category": "Problema", "urgency": "Urgente", "status": "Fechado",
         "createdBy": {"id": "cli-maria"}, "clients": [{"id": "cli-maria"}],
         "createdDate": ago(days=210), "closedIn": ago(days=200), "lastUpdate": ago(days=200),
         "actions": [{"type": 2, "description": "Não consigo acessar o portal."}]},
    ]
    return {"persons": agents + companies + people, "tickets": ticket_list}
