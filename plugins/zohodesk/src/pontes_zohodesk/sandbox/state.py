"""What the sandbox remembers: one Zoho Desk portal (organization), its department, agent
and support address, and its contacts, accounts, tickets, threads, comments, happiness
ratings, webhooks and custom ticket fields, in Zoho Desk's shapes, with a clock a test can move."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ORG_ID = "20090212"
DEPARTMENT_ID = "900000000000007057"
AGENT_ID = "900000000000083001"
AGENT_ZUID = "60012345"
SUPPORT_ADDRESS = "support@acme.zohodesk.com"
PORTAL = "acme"
FIRST_ID = 900000000000100001
"""Ids are 18-digit numbers written as strings, as Zoho Desk writes them."""


def desk_time(moment: float) -> str:
    """A moment as Zoho Desk writes it: ISO 8601 in UTC with milliseconds and ``Z``."""
    stamp = datetime.fromtimestamp(moment, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def parse_desk_time(value: str) -> float:
    """A Zoho Desk moment (``2025-03-04T09:15:00.000Z``) as a POSIX time (``ValueError``
    otherwise)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@dataclass
class DeskState:
    """One portal's records, by id, and the sandbox's clock (real time plus ``offset``,
    which ``advance`` moves forward)."""

    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    ticket_fields: list[dict[str, Any]] = field(default_factory=list)
    offset: float = 0.0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(FIRST_ID),
                                       init=False, repr=False)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(101),
                                           init=False, repr=False)

    def now(self) -> float:
        """The sandbox's time (POSIX seconds)."""
        return time.time() + self.offset

    def stamp(self) -> str:
        """The sandbox's time as Zoho Desk writes it."""
        return desk_time(self.now())

    def new_id(self) -> str:
        """A new record id."""
        return str(next(self._ids))

    def new_ticket_number(self) -> str:
        """The next ticket number (``"101"``, ``"102"``...)."""
        return str(next(self._numbers))

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward."""
        self.offset += seconds

    def organization(self) -> dict[str, Any]:
        """The portal as ``GET /organizations`` lists it."""
        return {"id": ORG_ID, "companyName": "Acme Support", "portalName": PORTAL,
                "portalURL": f"https://desk.zoho.com/portal/{PORTAL}", "edition": "ENTERPRISE",
                "isDefault": True}

    def department(self) -> dict[str, Any]:
        """The portal's one department."""
        return {"id": DEPARTMENT_ID, "name": "Support", "isEnabled": True,
                "isDefault": True, "description": None}

    def agent(self) -> dict[str, Any]:
        """The portal's one agent."""
        return {"id": AGENT_ID, "zuid": AGENT_ZUID, "firstName": "Sam", "lastName": "Agent",
                "name": "Sam Agent", "emailId": "sam@acme.example", "status": "ACTIVE",
                "roleId": "900000000000050001", "isConfirmed": True}

    def support_address(self) -> dict[str, Any]:
        """The department's support e-mail address (a reply's ``fromEmailAddress``)."""
        return {"id": "900000000000060001", "address": SUPPORT_ADDRESS,
                "departmentId": DEPARTMENT_ID, "isVerified": True, "isDefault": True}

    def reset(self) -> None:
        """Forget every record, rating and webhook; the clock goes back to real time."""
        for records in (self.contacts, self.accounts, self.tickets, self.threads,
                        self.comments, self.webhooks):
            records.clear()
        self.ratings.clear()
        self.ticket_fields.clear()
        self.offset = 0.0
        self._ids = itertools.count(FIRST_ID)
        self._numbers = itertools.count(101)
