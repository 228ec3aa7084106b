"""The account's service catalogue as ``GET /public/v1/services`` lists it (a bare JSON
array, as ``/tickets`` lists), with the fields the notes give a service: which tickets it
serves (``serviceForTicketType``: 0 public, 1 internal, 2 both), who may pick it
(``allowSelection``: 1 agents, 2 clients, 3 both), whether it is active, its default
category and urgency, and its categories (or ``allowAllCategories``).

The categories and urgencies are the account's (``state.Tenant``), which a ticket's
``category`` and ``urgency`` must name.
"""

from __future__ import annotations

from typing import Any


def _service(service_id: int, name: str, categories: list[str], *, for_type: int = 2,
             selection: int = 3, active: bool = True, category: str | None = None,
             urgency: str | None = None) -> dict[str, Any]:
    return {"id": service_id, "name": name, "description": None, "parentServiceId": None,
            "serviceForTicketType": for_type, "isVisible": selection,
            "allowSelection": selection, "allowFinishTicket": True, "isActive": active,
            "automationMacro": None, "defaultCategory": category or categories[0],
            "defaultUrgency": urgency, "allowAllCategories": False, "categories": categories}


SERVICES = (
    _service(1001, "Suporte técnico", ["Problema", "Dúvida"], urgency="Média"),
    _service(1002, "Financeiro", ["Solicitação", "Comercial"], urgency="Baixa"),
    _service(1003, "Interno", ["Solicitação"], for_type=1, selection=1),
    _service(1004, "Implantação (antigo)", ["Comercial"], active=False),
)
"""The sandbox account's services: two for every ticket, one for internal tickets only,
and one no longer active."""
