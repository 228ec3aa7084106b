"""Two OData dialects and the records they query, for the engine's tests.

``helpdesk`` reads queries the way Movidesk does (forgiving: any case, values read as the
literal's type, absent members null; narrow: ``property op literal`` conditions, no
functions, no ``$count``), over tickets that keep their people and lists inside them.
``crm`` reads them the way Ploomes does (strict OData v4 with functions and ``$count``),
over deals and contacts linked by foreign keys. Both cut pages at 10 rows.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from pontes.sandbox.odata import (
    FUNCTIONS,
    STANDARD_OPTIONS,
    Dialect,
    EntityType,
    Navigation,
    Query,
    QueryEngine,
    Schema,
)

HELPDESK = Dialect(max_top=10, ignore_case=True, simple_conditions=True, loose_comparisons=True,
                   absent_members_are_null=True, default_orderby="id")
CRM = Dialect(max_top=10, options=STANDARD_OPTIONS | {"$count"}, functions=FUNCTIONS)

TICKET = EntityType(
    "Ticket", ("id", "subject", "status", "lastUpdate", "amount", "tags"),
    {"owner": Navigation(), "clients": Navigation(), "actions": Navigation()})
PERSON = EntityType("Person", ("id", "businessName"), {"emails": Navigation(expand_only=False)})

TICKETS = [
    {"id": 1, "subject": "Impressora", "status": "Novo", "lastUpdate": "2024-03-10T14:22:31.1234567",
     "amount": "1530.75", "tags": ["hardware"],
     "owner": {"id": "agent-ana", "team": "Suporte"},
     "clients": [{"id": "cli-1", "email": "Maria@Acme.example", "organization": {"id": "org-acme", "name": "Acme"}}],
     "actions": [{"id": 1, "description": "abre", "origin": 2},
                 {"id": 2, "description": "responde", "origin": 1},
                 {"id": 3, "description": "fecha", "origin": 2}]},
    {"id": 2, "subject": "Boleto", "status": "Aguardando", "lastUpdate": "2024-03-11T09:00:00",
     "amount": "12", "tags": [], "owner": None, "clients": [], "actions": []},
    {"id": 3, "subject": "impressora de novo", "status": "novo", "lastUpdate": None,
     "amount": "1.530,75", "tags": ["hardware", "urgente"],
     "owner": {"id": "agent-bia"}, "clients": [{"id": "cli-2"}], "actions": []},
    {"id": 4, "subject": "Senha", "status": "Fechado", "lastUpdate": "ontem", "amount": None,
     "tags": [], "owner": {"id": "agent-ana"}, "clients": [], "actions": []},
]
PERSONS = [
    {"id": "p1", "businessName": "Acme", "emails": [{"email": "a@acme.example", "isDefault": True}]},
]

DEAL = EntityType("CRM.Deals", ("Id", "Title", "Amount", "ContactId", "When", "Won"),
                  {"Contact": Navigation("CRM.Contacts"), "Tags": Navigation()})
CONTACT = EntityType("CRM.Contacts", ("Id", "Name"),
                     {"Deals": Navigation("CRM.Deals"), "Phones": Navigation()})


@dataclass
class Crm:
    """The crm dialect's engine and tables (deals point at contacts by ``ContactId``)."""

    engine: QueryEngine
    deals: list[dict[str, Any]]
    contacts: list[dict[str, Any]]

    def query(self, entity: str, **params: str) -> Query:
        return self.engine.parse(entity, params)


@dataclass
class Helpdesk:
    """The helpdesk dialect's engine and records."""

    engine: QueryEngine
    tickets: list[dict[str, Any]]
    persons: list[dict[str, Any]]

    def query(self, entity: str = "Ticket", **params: str) -> Query:
        return self.engine.parse(entity, params)

    def ids(self, **params: str) -> list[int]:
        rows, _ = self.query(**params).run(self.tickets)
        return [row["id"] for row in rows]


@pytest.fixture
def helpdesk() -> Helpdesk:
    return Helpdesk(QueryEngine(HELPDESK, Schema([TICKET, PERSON])), copy.deepcopy(TICKETS),
                    copy.deepcopy(PERSONS))


@pytest.fixture
def crm() -> Crm:
    contacts = [
        {"Id": 10, "Name": "Exemplo Ltda", "Phones": [{"PhoneNumber": "(11) 3333-4444", "TypeId": 1},
                                                     {"PhoneNumber": "(11) 5555-6666", "TypeId": 2}]},
        {"Id": 11, "Name": "O'Neil", "Phones": []},
    ]
    deals = [
        {"Id": 1, "Title": "Upgrade", "Amount": 10.5, "ContactId": 10,
         "When": "2025-03-10T11:00:00-03:00", "Won": True, "Tags": ["vip"]},
        {"Id": 2, "Title": "Renovação", "Amount": 3, "ContactId": 11, "When": None, "Won": False,
         "Tags": []},
        {"Id": 3, "Title": "upgrade extra", "Amount": None, "ContactId": None,
         "When": "2025-03-11T08:00:00-03:00", "Won": False, "Tags": []},
        {"Id": 4, "Title": "Serviço", "Amount": 7, "ContactId": 10, "When": None, "Won": True,
         "Tags": []},
    ]

    def related(entity: EntityType, name: str, record: Mapping[str, Any]) -> Any:
        if name == "Contact":
            return next((c for c in contacts if c["Id"] == record["ContactId"]), None)
        if name == "Deals":
            return [d for d in deals if d["ContactId"] == record["Id"]]
        return record.get(name) or []

    return Crm(QueryEngine(CRM, Schema([DEAL, CONTACT], related)), deals, contacts)
