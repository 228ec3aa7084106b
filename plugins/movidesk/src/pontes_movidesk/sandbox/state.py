"""What the sandbox remembers: one Movidesk account's configuration and records.

The account configuration (statuses, categories, urgencies, teams, custom fields) is
what a Movidesk administrator sets up in the UI; the API checks writes against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .listing import TicketTable
from .timefmt import SandboxClock, parse_instant

RECENT = timedelta(days=90)
"""Tickets changed longer ago than this are served only by ``/tickets/past``."""


@dataclass(frozen=True)
class StatusDef:
    """A status of the account: its name, base status and the justifications it needs."""

    name: str
    base: str
    justifications: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomFieldDef:
    """A ticket or person custom field: ``kind`` is text, number, date or list."""

    id: int
    label: str
    kind: str
    options: tuple[str, ...] = ()


DEFAULT_STATUSES = (
    StatusDef("Novo", "New"),
    StatusDef("Em atendimento", "InAttendance"),
    StatusDef("Aguardando", "Stopped", ("Retorno do cliente", "Terceiros")),
    StatusDef("Resolvido", "Resolved"),
    StatusDef("Fechado", "Closed"),
    StatusDef("Cancelado", "Canceled", ("Duplicado", "Desistência do cliente")),
)

DEFAULT_CUSTOM_FIELDS = (
    CustomFieldDef(5001, "CNPJ do cliente", "text"),
    CustomFieldDef(5002, "Plano", "list", ("Plano Bronze", "Plano Prata", "Plano Ouro")),
    CustomFieldDef(5003, "Valor do negócio", "number"),
    CustomFieldDef(5004, "Data de vencimento", "date"),
    CustomFieldDef(5005, "Id do negócio no CRM", "text"),
)


@dataclass
class Tenant:
    """The account configuration the API validates writes against."""

    statuses: tuple[StatusDef, ...] = DEFAULT_STATUSES
    categories: tuple[str, ...] = ("Dúvida", "Problema", "Solicitação", "Comercial")
    urgencies: tuple[str, ...] = ("Baixa", "Média", "Alta", "Urgente")
    teams: tuple[str, ...] = ("Suporte", "Financeiro", "Comercial")
    custom_fields: dict[int, CustomFieldDef] = field(
        default_factory=lambda: {f.id: f for f in DEFAULT_CUSTOM_FIELDS})
    rules: frozenset[int] = frozenset({7001})

    def status(self, name: str) -> StatusDef | None:
        """The status called ``name`` (without regard to case)."""
        return next((s for s in self.statuses if s.name.casefold() == name.casefold()), None)

    def initial_status(self) -> StatusDef:
        """The status of a new ticket when none is given."""
        return next(s for s in self.statuses if s.base == "New")


def pick(options: Iterable[str], name: Any) -> str | None:
    """The option spelled like ``name`` without regard to case, as the account spells it."""
    if not isinstance(name, str):
        return None
    return next((o for o in options if o.casefold() == name.casefold()), None)


@dataclass
class Automation:
    """A trigger with a "call webhook" action.

    It fires when a ticket's status changes to ``status_changed_to``; without one, on
    every ticket created or changed. ``body`` is ``full`` (the ticket, PascalCase) or
    ``id`` (``{"Id": n}``).
    """

    id: int
    url: str
    status_changed_to: str | None = None
    body: str = "full"


class MovideskState:
    """The records of one sandbox account and the time they live in."""

    def __init__(self, clock: SandboxClock, tenant: Tenant | None = None):
        self.clock = clock
        self.tenant = tenant or Tenant()
        self.clear()

    def clear(self) -> None:
        """Forget every record, survey answer and automation."""
        self.persons: dict[str, dict[str, Any]] = {}
        self.tickets: dict[int, dict[str, Any]] = TicketTable()
        self.automations: list[Automation] = []
        self.survey_questions: dict[str, dict[str, Any]] = {}
        self.survey_responses: dict[str, dict[str, Any]] = {}
        self._next_ticket = 1
        self._next_person = 100000001

    def new_ticket_id(self) -> int:
        """The next ticket number: one after the highest ever given, as Movidesk numbers
        tickets in sequence."""
        number = max(self._next_ticket, max(self.tickets, default=0) + 1)
        self._next_ticket = number + 1
        return number

    def new_person_id(self) -> str:
        """A fresh Cód. Ref. for a person created without one."""
        while str(self._next_person) in self.persons:
            self._next_person += 1
        person_id = str(self._next_person)
        self._next_person += 1
        return person_id

    def is_recent(self, ticket: dict[str, Any]) -> bool:
        """Whether ``/tickets`` serves the ticket (changed within the last 90 days)."""
        updated = ticket.get("lastUpdate")
        if not updated:
            return True
        return parse_instant(updated) >= self.clock.now() - RECENT

    def organization_of(self, person: dict[str, Any]) -> dict[str, Any] | None:
        """The company or department a person belongs to, if any."""
        for relation in person.get("relationships") or []:
            organization = self.persons.get(str(relation.get("id")))
            if organization is not None:
                return organization
        return None
