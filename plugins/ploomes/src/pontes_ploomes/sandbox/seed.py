"""The demo account every sandbox starts with.

Two users (an administrator, whose key the sandbox settings use, and a salesperson), a
sales pipeline and a lead pipeline with their stages, loss reasons, custom fields for
the helpdesk integration and for pontes' markers, two companies with a person each, an
open deal and one interaction record.
"""

from __future__ import annotations

from typing import Any

ACCOUNT_ID = 1000001
ADMIN_ID = 10000001
SELLER_ID = 10000002
SANDBOX_USER_KEY = "ploomes-sandbox-user-key"
"""The ``User-Key`` of the seeded administrator."""

SALES_PIPELINE_ID = 10000200
FIRST_SALES_STAGE_ID = 10000201
LEADS_PIPELINE_ID = 10000300
FIRST_LEAD_STAGE_ID = 10000301

CONTACT_EXTERNAL_ID_FIELD = "contact_8F1D6C2A-0000-4000-8000-000000000001"
DEAL_TICKET_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000002"
DEAL_CHANNEL_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000003"
INTERACTION_TICKET_FIELD = "interaction_record_250E00F0-0000-4000-8000-000000000004"
DEAL_MARKER_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000005"
"""A text field where pontes writes the marker of the deals it creates."""
CONTACT_MARKER_FIELD = "contact_8F1D6C2A-0000-4000-8000-000000000006"
"""A text field where pontes writes the marker of the persons and companies it creates."""

ACCOUNT = {"Id": ACCOUNT_ID, "Name": "Conta Sandbox"}

USERS: list[dict[str, Any]] = [
    {"Id": ADMIN_ID, "Name": "Admin Sandbox", "Email": "admin@sandbox.ploomes.test",
     "ProfileId": 1, "AccountOwner": True, "Integration": False},
    {"Id": SELLER_ID, "Name": "Carla Vendas", "Email": "carla@sandbox.ploomes.test",
     "ProfileId": 2, "AccountOwner": False, "Integration": False},
]

PIPELINES = [
    {"Id": SALES_PIPELINE_ID, "Name": "Funil de Vendas", "Ordination": 1},
    {"Id": LEADS_PIPELINE_ID, "Name": "Leads", "Ordination": 2},
]

STAGES = [
    {"Id": FIRST_SALES_STAGE_ID, "Name": "Prospecção", "PipelineId": SALES_PIPELINE_ID, "Ordination": 1},
    {"Id": 10000202, "Name": "Qualificação", "PipelineId": SALES_PIPELINE_ID, "Ordination": 2},
    {"Id": 10000203, "Name": "Proposta", "PipelineId": SALES_PIPELINE_ID, "Ordination": 3},
    {"Id": 10000204, "Name": "Negociação", "PipelineId": SALES_PIPELINE_ID, "Ordination": 4},
    {"Id": FIRST_LEAD_STAGE_ID, "Name": "Novo lead", "PipelineId": LEADS_PIPELINE_ID, "Ordination": 1},
    {"Id": 10000302, "Name": "Em qualificação", "PipelineId": LEADS_PIPELINE_ID, "Ordination": 2},
]

LOSS_REASONS = [
    {"Id": 10000401, "Name": "Preço", "PipelineId": SALES_PIPELINE_ID},
    {"Id": 10000402, "Name": "Sem resposta", "PipelineId": SALES_PIPELINE_ID},
]

FIELDS = [
    {"Id": 10005001, "Key": CONTACT_EXTERNAL_ID_FIELD, "Name": "Id Movidesk", "EntityId": 1, "TypeId": 1},
    {"Id": 10005002, "Key": DEAL_TICKET_FIELD, "Name": "Ticket Movidesk", "EntityId": 2, "TypeId": 4},
    {"Id": 10005003, "Key": DEAL_CHANNEL_FIELD, "Name": "Canal", "EntityId": 2, "TypeId": 1},
    {"Id": 10005004, "Key": INTERACTION_TICKET_FIELD, "Name": "Ticket", "EntityId": None, "TypeId": 4},
    {"Id": 10005005, "Key": DEAL_MARKER_FIELD, "Name": "Ref. pontes", "EntityId": 2, "TypeId": 1},
    {"Id": 10005006, "Key": CONTACT_MARKER_FIELD, "Name": "Ref. pontes", "EntityId": 1,
     "TypeId": 1},
]

WEBHOOK_ACTIONS = [{"Id": number, "Name": name} for number, name in
                   ((1, "Create"), (2, "Update"), (3, "Delete"), (5, "Win"), (6, "Lose"),
                    (7, "Reopen"))]

COMPANIES = [
    {"Id": 40000100, "TypeId": 1, "Name": "Exemplo Ltda", "LegalName": "Exemplo Comércio Ltda",
     "CNPJ": "11222333000181", "Email": "contato@exemplo.com.br",
     "Website": "https://exemplo.com.br", "Phones": [{"PhoneNumber": "(11) 3333-4444", "TypeId": 1, "CountryId": 76}]},
    {"Id": 40000101, "TypeId": 1, "Name": "Acme Indústria S.A.", "CNPJ": "44555666000172",
     "Email": "compras@acme.ind.br"},
]

PERSONS = [
    {"Id": 40000123, "TypeId": 2, "Name": "Maria Souza", "Email": "maria@exemplo.com.br",
     "CompanyId": 40000100, "CPF": "12345678909",
     "Phones": [{"PhoneNumber": "(11) 91234-5678", "TypeId": 2, "CountryId": 76}],
     "OtherProperties": [{"FieldKey": CONTACT_EXTERNAL_ID_FIELD, "StringValue": "cli-42"}]},
    {"Id": 40000124, "TypeId": 2, "Name": "João Lima", "Email": "joao.lima@acme.ind.br",
     "CompanyId": 40000101, "Phones": [{"PhoneNumber": "(21) 98765-4321", "TypeId": 2, "CountryId": 76}]},
]

DEALS = [
    {"Id": 50000777, "Title": "Upgrade Plano Ouro", "ContactId": 40000100, "PersonId": 40000123,
     "StageId": FIRST_SALES_STAGE_ID, "Amount": 1530.75, "OwnerId": ADMIN_ID,
     "OtherProperties": [{"FieldKey": DEAL_CHANNEL_FIELD, "StringValue": "site"}]},
]

INTERACTION_RECORDS = [
    {"Id": 60000001, "ContactId": 40000123, "Content": "<p>Cliente pediu uma proposta.</p>",
     "TypeId": 1},
]
