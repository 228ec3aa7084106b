"""What pontes can do at Movidesk: find, read and create people, companies and tickets.

Movidesk replaces a list sent in a PATCH whole (actions, clients, custom fields, tags),
so every write that touches a list reads the ticket first and sends the full list back.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pontes.capabilities import ByEmail, ById, ByName, TicketReply
from pontes.connection import Connection
from pontes.connector import Action
from pontes.errors import NotFoundError, PermanentFailure
from pontes.models import Company, Contact, Ticket
from pydantic import BaseModel, ConfigDict

from .client import (
    PERSON_EXPAND,
    PERSON_FIELDS,
    PERSONS,
    TICKETS,
    created_id,
    get_person,
    get_ticket,
    list_rows,
    odata_quote,
)
from .custom_fields import merge_values, values_of
from .people import (
    COMPANY,
    PERSON,
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
)
from .settings import MovideskSettings
from .tickets import (
    INTERNAL,
    PUBLIC,
    READ_ONLY,
    client_ref,
    ticket_from_canonical,
    ticket_to_canonical,
)

CONNECTOR = "movidesk"
API_ORIGIN = 9
"""Action origin "via web API"."""


class SetStatus(BaseModel):
    """Change a ticket's status (the account's status name, e.g. "Resolvido")."""

    model_config = ConfigDict(extra="forbid")

    id: str
    status: str
    justification: str | None = None


class SetCustomFields(BaseModel):
    """Write some custom field values of a ticket, keeping all the others.

    ``values`` is keyed like ``Ticket.custom`` (``"5001"``, ``"5001:2"``); ``rule_id`` is
    the display rule for fields the ticket does not have yet.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    values: dict[str, str | int | list[str] | None]
    rule_id: int | None = None


def _settings(conn: Connection) -> MovideskSettings:
    return conn.settings  # type: ignore[return-value]


@contextmanager
def _mapping_errors(what: str) -> Iterator[None]:
    """Turn a record that cannot be written to Movidesk into a permanent failure."""
    try:
        yield
    except ValueError as error:
        raise PermanentFailure(f"{what}: {error}") from None


# --- people and companies ---------------------------------------------------------------


async def _find_person(conn: Connection, person_type: int, condition: str) -> dict | None:
    rows = await list_rows(conn.client, PERSONS, select=PERSON_FIELDS, expand=PERSON_EXPAND,
                           filter=f"personType eq {person_type} and {condition}", top=1)
    return rows[0] if rows else None


def _email_condition(email: str) -> str:
    return f"emails/any(e: e/email eq {odata_quote(email)})"


async def find_contact_by_email(conn: Connection, params: ByEmail) -> Contact | None:
    """The person (type 1) with this e-mail, or ``None``."""
    raw = await _find_person(conn, PERSON, _email_condition(params.email))
    return contact_to_canonical(raw, conn.name) if raw else None


async def find_company_by_email(conn: Connection, params: ByEmail) -> Company | None:
    """The company (type 2) with this e-mail, or ``None``."""
    raw = await _find_person(conn, COMPANY, _email_condition(params.email))
    return company_to_canonical(raw, conn.name) if raw else None


async def find_company_by_name(conn: Connection, params: ByName) -> Company | None:
    """The company whose trade or legal name is exactly ``name``, or ``None``."""
    name = odata_quote(params.name)
    raw = await _find_person(conn, COMPANY, f"(businessName eq {name} or corporateName eq {name})")
    return company_to_canonical(raw, conn.name) if raw else None


async def get_contact(conn: Connection, params: ById) -> Contact:
    """The person with this id; ``NotFoundError`` if it is missing or not a person."""
    raw = await get_person(conn.client, params.id)
    if raw.get("personType") not in (None, PERSON):
        raise NotFoundError(f"Movidesk person {params.id!r} is not a person "
                            f"(personType {raw.get('personType')})")
    return contact_to_canonical(raw, conn.name)


async def get_company(conn: Connection, params: ById) -> Company:
    """The company or department with this id; ``NotFoundError`` otherwise."""
    raw = await get_person(conn.client, params.id)
    if raw.get("personType") == PERSON:
        raise NotFoundError(f"Movidesk person {params.id!r} is a person, not a company")
    return company_to_canonical(raw, conn.name)


async def _create_person(conn: Connection, payload: dict[str, Any], what: str) -> dict[str, Any]:
    if not payload.get("businessName"):
        raise PermanentFailure(f"{what}: Movidesk needs a name (businessName) or an e-mail")
    answer = await conn.client.post_json(PERSONS, json=payload)
    if isinstance(answer, dict) and answer.get("businessName"):
        return answer
    person_id = created_id(answer) or payload.get("id")
    return {**payload, "id": str(person_id)}


async def create_contact(conn: Connection, contact: Contact) -> Contact:
    """Create a client person, linked to its company when the company has a Movidesk id.

    The record returned is built from what was sent and the id Movidesk answered with
    (Movidesk answers a create with the id only).
    """
    with _mapping_errors("contact.create"):
        payload = contact_from_canonical(contact, conn.name, _settings(conn).custom_field_rule_id)
    raw = await _create_person(conn, payload, "contact.create")
    return contact_to_canonical(raw, conn.name)


async def create_company(conn: Connection, company: Company) -> Company:
    """Create a client company (see ``create_contact`` for the record returned)."""
    with _mapping_errors("company.create"):
        payload = company_from_canonical(company, conn.name, _settings(conn).custom_field_rule_id)
    raw = await _create_person(conn, payload, "company.create")
    return company_to_canonical(raw, conn.name)


# --- tickets ----------------------------------------------------------------------------


async def create_ticket(conn: Connection, ticket: Ticket) -> Ticket:
    """Open a ticket for the requester (or company) whose Movidesk id is in ``refs``.

    The description (or the messages) becomes the first action; ``createdBy`` is the
    integration agent (``agent_id``), else the client. Custom fields are written under
    their known rule or ``custom_field_rule_id``.
    """
    settings = _settings(conn)
    client = client_ref(ticket, conn.name)
    if not client:
        raise PermanentFailure(
            f"ticket.create: requester.refs[{conn.name!r}] (or company.refs) must hold the "
            f"Movidesk person id; find or create the client first"
        )
    with _mapping_errors("ticket.create"):
        payload = ticket_from_canonical(ticket, conn.name, settings.custom_field_rule_id)
    for key in READ_ONLY:
        payload.pop(key, None)
    _check_custom_rules(payload.get("customFieldValues", []), "ticket.create")
    if "owner" in payload and "ownerTeam" not in payload:
        if not settings.default_team:
            raise PermanentFailure("ticket.create: Movidesk needs the owner's team; set "
                                   "Ticket.team or the connection's default_team")
        payload["ownerTeam"] = settings.default_team
    if not payload["actions"]:
        payload["actions"] = [{"type": PUBLIC, "description": ticket.subject or ""}]
    for action in payload["actions"]:
        action.setdefault("origin", API_ORIGIN)
    payload["type"] = settings.ticket_type
    payload["createdBy"] = {"id": settings.agent_id or client}
    answer = await conn.client.post_json(TICKETS, params={"returnAllProperties": "true"},
                                         json=payload)
    if isinstance(answer, dict) and "subject" in answer:
        raw = answer
    else:
        raw = await get_ticket(conn.client, created_id(answer))
    return ticket_to_canonical(raw, conn.name)


def _check_custom_rules(values: list[dict[str, Any]], what: str) -> None:
    missing = [str(v["customFieldId"]) for v in values if "customFieldRuleId" not in v]
    if missing:
        raise PermanentFailure(
            f"{what}: no customFieldRuleId for custom field(s) {', '.join(missing)}; set the "
            f"connection's custom_field_rule_id"
        )


async def get_ticket_action(conn: Connection, params: ById) -> Ticket:
    """The ticket with its clients, actions and custom fields."""
    return ticket_to_canonical(await get_ticket(conn.client, params.id), conn.name)


async def reply_ticket(conn: Connection, params: TicketReply) -> Ticket:
    """Add an action to a ticket: public reply, or internal note when ``public`` is false.

    The PATCH carries every existing action (by id) and the new one, since Movidesk
    takes the list sent as the whole list.
    """
    if not (params.html or params.text):
        raise PermanentFailure("ticket.reply: give text or html")
    raw = await get_ticket(conn.client, params.id)
    description = params.html or html.escape(params.text or "").replace("\n", "<br>")
    action: dict[str, Any] = {"type": PUBLIC if params.public else INTERNAL,
                              "origin": API_ORIGIN, "description": description}
    agent = _settings(conn).agent_id
    if agent:
        action["createdBy"] = {"id": agent}
    kept = [_kept_action(a) for a in raw.get("actions") or [] if not a.get("isDeleted")]
    await conn.client.patch_json(TICKETS, params={"id": params.id},
                                 json={"actions": [*kept, action]})
    return await get_ticket_action(conn, ById(id=params.id))


def _kept_action(action: dict[str, Any]) -> dict[str, Any]:
    kept = {
        "id": action.get("id"),
        "type": action.get("type"),
        "origin": action.get("origin"),
        "description": action.get("htmlDescription") or action.get("description"),
    }
    return {k: v for k, v in kept.items() if v is not None}


async def set_status(conn: Connection, params: SetStatus) -> Ticket:
    """Change the ticket's status (and justification, when the status needs one)."""
    body: dict[str, Any] = {"status": params.status}
    if params.justification is not None:
        body["justification"] = params.justification
    await conn.client.patch_json(TICKETS, params={"id": params.id}, json=body)
    return await get_ticket_action(conn, ById(id=params.id))


async def set_custom_fields(conn: Connection, params: SetCustomFields) -> Ticket:
    """Write some custom fields, sending every other value the ticket has unchanged."""
    raw = await get_ticket(conn.client, params.id)
    current = raw.get("customFieldValues") or []
    with _mapping_errors("movidesk.ticket.set_custom_fields"):
        changed = values_of(params.values, None,
                            params.rule_id or _settings(conn).custom_field_rule_id)
    merged = merge_values(current, changed)
    _check_custom_rules(merged, "movidesk.ticket.set_custom_fields")
    await conn.client.patch_json(TICKETS, params={"id": params.id},
                                 json={"customFieldValues": merged})
    return await get_ticket_action(conn, ById(id=params.id))


def actions() -> list[Action]:
    """Every action this plugin registers."""
    return [
        Action(CONNECTOR, "contact.find_by_email", find_contact_by_email),
        Action(CONNECTOR, "contact.get", get_contact),
        Action(CONNECTOR, "contact.create", create_contact),
        Action(CONNECTOR, "company.find_by_email", find_company_by_email),
        Action(CONNECTOR, "company.find_by_name", find_company_by_name),
        Action(CONNECTOR, "company.get", get_company),
        Action(CONNECTOR, "company.create", create_company),
        Action(CONNECTOR, "ticket.create", create_ticket),
        Action(CONNECTOR, "ticket.get", get_ticket_action),
        Action(CONNECTOR, "ticket.reply", reply_ticket),
        Action(CONNECTOR, "movidesk.ticket.set_status", set_status, input=SetStatus,
               output=Ticket, description="Change a ticket's status through the API."),
        Action(CONNECTOR, "movidesk.ticket.set_custom_fields", set_custom_fields,
               input=SetCustomFields, output=Ticket,
               description="Write some custom fields of a ticket, keeping the others."),
    ]
