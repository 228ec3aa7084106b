"""What a new Movidesk ticket takes (``ticket.fields``).

``POST /tickets`` requires only ``type``, which the connection sets (``ticket_type``), as
it sets ``createdBy`` (the integration agent) and the client (the requester). In practice
a ticket also has a subject and a first action with a description, so both are asked as
required. Its ``category`` and ``urgency`` must be names the account knows: the
categories the account's services offer for this type of ticket (``GET /services``: the
active ones an agent may pick) are the choices, and the first such service's
``defaultCategory`` and ``defaultUrgency`` the defaults. Movidesk publishes no list of
urgencies, so the urgency is typed; when a service allows every category, so is the
category.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Connection, FieldChoice, NoParams, TicketField

from .connector import kit

SERVICES = "/services"
SERVICE_TYPES = {1: (1, 2), 2: (0, 2)}
"""A ticket's ``type`` (1 internal, 2 public) -> the ``serviceForTicketType`` values of
the services that serve it (0 public, 1 internal, 2 both)."""
AGENT_SELECTION = (1, 3)
"""The ``allowSelection`` values that let an agent pick the service."""


def _offered(services: list[dict[str, Any]], ticket_type: int) -> list[dict[str, Any]]:
    """The services an agent may pick for a ticket of ``ticket_type``."""
    return [s for s in services if s.get("isActive") is True
            and s.get("serviceForTicketType") in SERVICE_TYPES[ticket_type]
            and s.get("allowSelection") in AGENT_SELECTION]


def _category(offered: list[dict[str, Any]], default: str | None) -> TicketField:
    if not offered or any(s.get("allowAllCategories") for s in offered):
        return TicketField(name="category", label="Category", default=default)
    names = dict.fromkeys(str(c) for s in offered for c in s.get("categories") or [])
    return TicketField(name="category", label="Category", type="choice", default=default,
                       options=[FieldChoice(id=name, value=name) for name in names])


@kit.action("ticket.fields")
async def ticket_fields(connection: Connection, params: NoParams) -> list[TicketField]:
    """The fields of a new ticket: the subject and description, the category (a choice
    of the services' categories) and the urgency, with the first service's defaults."""
    services = await connection.client.get_json(SERVICES)
    offered = _offered([s for s in services or [] if isinstance(s, dict)],
                       connection.settings.ticket_type)
    first = offered[0] if offered else {}
    return [
        TicketField(name="subject", label="Subject", required=True),
        _category(offered, first.get("defaultCategory")),
        TicketField(name="urgency", label="Urgency", default=first.get("defaultUrgency")),
        TicketField(name="description", label="Description", type="long_text",
                    required=True),
    ]
