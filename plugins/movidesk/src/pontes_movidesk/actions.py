"""What pontes can do at Movidesk: find, read and create people, companies and tickets.

Movidesk replaces a list sent in a PATCH whole (clients, custom fields, tags), so a write
that touches such a list reads the ticket first and sends the full list back. Actions
are the exception: one sent without an id is appended, so a reply sends only itself.

What pontes creates carries its marker (``pontes.plugin.marker_token``), so that
``*.find_created`` finds it after a run that was cut short: a person in
``codeReferenceAdditional`` (Movidesk's field for an outside reference), a ticket in an
internal note after its first action.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pontes.plugin import (
    ByEmail,
    ById,
    ByName,
    ByPhone,
    Company,
    Connection,
    Contact,
    NotFoundError,
    PermanentFailure,
    Ticket,
    TicketReply,
    UpdateCompany,
    UpdateContact,
    VendorError,
    has_marker,
    marker_token,
    quote_literal,
)
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
)
from .connector import MovideskSettings, kit
from .custom_fields import merge_values, values_of
from .mappers.people import (
    COMPANY,
    PERSON,
    company_from_canonical,
    company_to_canonical,
    contact_from_canonical,
    contact_to_canonical,
)
from .mappers.tickets import (
    INTERNAL,
    PUBLIC,
    READ_ONLY,
    client_ref,
    ticket_from_canonical,
    ticket_to_canonical,
)
from .phones import spellings

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


def _settings(connection: Connection) -> MovideskSettings:
    return connection.settings  # type: ignore[return-value]


@contextmanager
def _mapping_errors(what: str) -> Iterator[None]:
    """Turn a record that cannot be written to Movidesk into a permanent failure."""
    try:
        yield
    except ValueError as error:
        raise PermanentFailure(f"{what}: {error}") from None


# --- people and companies ---------------------------------------------------------------


async def _find_person(connection: Connection, person_type: int,
                       condition: str) -> dict | None:
    rows = await list_rows(connection.client, PERSONS, select=PERSON_FIELDS,
                           expand=PERSON_EXPAND,
                           filter=f"personType eq {person_type} and {condition}", top=1)
    return rows[0] if rows else None


def _email_condition(email: str) -> str:
    return f"emails/any(e: e/email eq {quote_literal(email)})"


async def _create_person(connection: Connection, payload: dict[str, Any], marker: str,
                         what: str) -> dict[str, Any]:
    if not payload.get("businessName"):
        raise PermanentFailure(f"{what}: Movidesk needs a name (businessName) or an e-mail")
    payload["codeReferenceAdditional"] = marker
    answer = await connection.client.post_json(PERSONS, json=payload)
    if isinstance(answer, dict) and answer.get("businessName"):
        return answer
    person_id = created_id(answer) or payload.get("id")
    return {**payload, "id": str(person_id)}


@kit.action("contact.find_by_email")
async def contact_find_by_email(connection: Connection, params: ByEmail) -> Contact | None:
    """The person (type 1) with this e-mail, or ``None``."""
    raw = await _find_person(connection, PERSON, _email_condition(params.email))
    return contact_to_canonical(raw, connection.name) if raw else None


PHONE_MATCHES = 10
"""How many persons sharing a phone's spelling ``contact.find_by_phone`` reads."""


@kit.action("contact.find_by_phone")
async def contact_find_by_phone(connection: Connection, params: ByPhone) -> Contact | None:
    """The person (type 1) with a phone equal to ``params.phone`` once both are in
    E.164, or ``None``.

    Movidesk matches text exactly, so the phone is looked for in the spellings people
    type (``phones.spellings``) and each hit is compared again in E.164.
    """
    typed = " or ".join(f"c/contact eq {quote_literal(text)}"
                        for text in spellings(params.phone))
    rows = await list_rows(connection.client, PERSONS, select=PERSON_FIELDS,
                           expand=PERSON_EXPAND, top=PHONE_MATCHES,
                           filter=f"personType eq {PERSON} and contacts/any(c: {typed})")
    found = (contact_to_canonical(row, connection.name) for row in rows)
    return next((contact for contact in found if params.phone in contact.phones), None)


@kit.action("contact.get")
async def contact_get(connection: Connection, params: ById) -> Contact:
    """The person with this id; ``NotFoundError`` if it is missing or not a person."""
    raw = await get_person(connection.client, params.id)
    if raw.get("personType") not in (None, PERSON):
        raise NotFoundError(f"Movidesk person {params.id!r} is not a person "
                            f"(personType {raw.get('personType')})")
    return contact_to_canonical(raw, connection.name)


@kit.action("contact.create")
async def contact_create(connection: Connection, params: Contact) -> Contact:
    """Create a client person, linked to its company when the company has a Movidesk id.

    The record returned is built from what was sent and the id Movidesk answered with
    (Movidesk answers a create with the id only). The person's marker goes in
    ``codeReferenceAdditional``.
    """
    with _mapping_errors("contact.create"):
        payload = contact_from_canonical(params, connection.name,
                                         _settings(connection).custom_field_rule_id)
    raw = await _create_person(connection, payload, params.id, "contact.create")
    return contact_to_canonical(raw, connection.name)


def _marker_condition(record: Contact | Company) -> str:
    return f"codeReferenceAdditional eq {quote_literal(record.id)}"


@kit.action("contact.find_created")
async def contact_find_created(connection: Connection, params: Contact) -> Contact | None:
    """The person created from this draft (its marker in ``codeReferenceAdditional``), or
    ``None``."""
    raw = await _find_person(connection, PERSON, _marker_condition(params))
    return contact_to_canonical(raw, connection.name) if raw else None


@kit.action("company.find_by_email")
async def company_find_by_email(connection: Connection, params: ByEmail) -> Company | None:
    """The company (type 2) with this e-mail, or ``None``."""
    raw = await _find_person(connection, COMPANY, _email_condition(params.email))
    return company_to_canonical(raw, connection.name) if raw else None


@kit.action("company.find_by_name")
async def company_find_by_name(connection: Connection, params: ByName) -> Company | None:
    """The company whose trade or legal name is exactly ``name``, or ``None``."""
    name = quote_literal(params.name)
    raw = await _find_person(connection, COMPANY,
                             f"(businessName eq {name} or corporateName eq {name})")
    return company_to_canonical(raw, connection.name) if raw else None


@kit.action("company.get")
async def company_get(connection: Connection, params: ById) -> Company:
    """The company or department with this id; ``NotFoundError`` otherwise."""
    raw = await get_person(connection.client, params.id)
    if raw.get("personType") == PERSON:
        raise NotFoundError(f"Movidesk person {params.id!r} is a person, not a company")
    return company_to_canonical(raw, connection.name)


@kit.action("company.create")
async def company_create(connection: Connection, params: Company) -> Company:
    """Create a client company.

    The record returned is built as ``contact_create`` builds it: from what was sent and
    the id Movidesk answered with; its marker goes in ``codeReferenceAdditional``.
    """
    with _mapping_errors("company.create"):
        payload = company_from_canonical(params, connection.name,
                                         _settings(connection).custom_field_rule_id)
    raw = await _create_person(connection, payload, params.id, "company.create")
    return company_to_canonical(raw, connection.name)


@kit.action("company.find_created")
async def company_find_created(connection: Connection, params: Company) -> Company | None:
    """The company created from this draft (its marker in ``codeReferenceAdditional``), or
    ``None``."""
    raw = await _find_person(connection, COMPANY, _marker_condition(params))
    return company_to_canonical(raw, connection.name) if raw else None


_PERSON_KEYS = {
    "name": ("businessName",), "first_name": ("businessName",), "last_name": ("businessName",),
    "legal_name": ("corporateName",), "tax_id": ("cpfCnpj",), "emails": ("emails",),
    "phones": ("contacts",), "addresses": ("addresses",), "company": ("relationships",),
    "custom": ("customFieldValues",),
}
"""The ``/persons`` fields each canonical field is written to."""


async def _update_person(connection: Connection, person_id: str, changes: Contact | Company,
                         payload: dict[str, Any]) -> dict[str, Any]:
    """PATCH only the fields set in ``changes``, then read the person back.

    A list sent replaces the person's list whole, so custom field values are merged into
    the ones the person has (``merge_values``) rather than sent alone. A company without a
    Movidesk id is not written; ``company=None`` unlinks the person.
    """
    keys = {key for field in changes.model_fields_set for key in _PERSON_KEYS.get(field, ())}
    body = {key: payload[key] for key in keys if key in payload}
    if isinstance(changes, Contact) and "company" in changes.model_fields_set \
            and changes.company is None:
        body["relationships"] = []
    if "customFieldValues" in body:
        current = await get_person(connection.client, person_id)
        body["customFieldValues"] = merge_values(current.get("customFieldValues") or [],
                                                 body["customFieldValues"])
    if body:
        await connection.client.patch_json(PERSONS, params={"id": person_id}, json=body)
    return await get_person(connection.client, person_id)


@kit.action("contact.update")
async def contact_update(connection: Connection, params: UpdateContact) -> Contact:
    """Write the fields set in ``changes`` (``PATCH /persons?id=``); the others keep their
    values. The person is read back and returned. Movidesk keeps one whole name: a first
    or last name changed alone is joined with the person's other part
    (``changes_with_whole_names``)."""
    changes = await params.changes_with_whole_names(connection)
    with _mapping_errors("contact.update"):
        payload = contact_from_canonical(changes, connection.name,
                                         _settings(connection).custom_field_rule_id)
    raw = await _update_person(connection, params.id, changes, payload)
    return contact_to_canonical(raw, connection.name)


@kit.action("company.update")
async def company_update(connection: Connection, params: UpdateCompany) -> Company:
    """Write the fields set in ``changes`` (``PATCH /persons?id=``); the others keep their
    values. The company is read back and returned."""
    with _mapping_errors("company.update"):
        payload = company_from_canonical(params.changes, connection.name,
                                         _settings(connection).custom_field_rule_id)
    raw = await _update_person(connection, params.id, params.changes, payload)
    return company_to_canonical(raw, connection.name)


# --- tickets ----------------------------------------------------------------------------


@kit.action("ticket.create")
async def ticket_create(connection: Connection, params: Ticket) -> Ticket:
    """Open a ticket for the requester (or company) whose Movidesk id is in ``refs``, or
    for the client person with one of the requester's e-mails.

    The description (or the messages) becomes the first action, followed by an internal
    note with the ticket's marker; ``createdBy`` is the integration agent (``agent_id``),
    else the client. Custom fields are written under their known rule or
    ``custom_field_rule_id``. The ticket is taken from the create's own answer, and read
    back only when that answer lacks it.
    """
    settings = _settings(connection)
    params = await _with_known_requester(connection, params)
    client = client_ref(params, connection.name)
    if not client:
        raise PermanentFailure(
            f"ticket.create: requester.refs[{connection.name!r}] (or company.refs) must hold "
            f"the Movidesk person id, or the requester an e-mail of a Movidesk client; "
            f"find or create the client first"
        )
    with _mapping_errors("ticket.create"):
        payload = ticket_from_canonical(params, connection.name, settings.custom_field_rule_id)
    for key in READ_ONLY:
        payload.pop(key, None)
    _check_custom_rules(payload.get("customFieldValues", []), "ticket.create")
    if "owner" in payload and "ownerTeam" not in payload:
        if not settings.default_team:
            raise PermanentFailure("ticket.create: Movidesk needs the owner's team; set "
                                   "Ticket.team or the connection's default_team")
        payload["ownerTeam"] = settings.default_team
    if not payload["actions"]:
        payload["actions"] = [{"type": PUBLIC, "description": params.subject or ""}]
    payload["actions"].append({"type": INTERNAL, "description": _marker_note(params)})
    for action in payload["actions"]:
        action.setdefault("origin", API_ORIGIN)
    payload["type"] = settings.ticket_type
    payload["createdBy"] = {"id": settings.agent_id or client}
    answer = await connection.client.post_json(TICKETS,
                                               params={"returnAllProperties": "true"},
                                               json=payload)
    if isinstance(answer, dict) and "subject" in answer:
        return ticket_to_canonical(answer, connection.name)
    try:
        raw = await get_ticket(connection.client, created_id(answer))
    except VendorError:
        raw = {**payload, "id": created_id(answer)}
    return ticket_to_canonical(raw, connection.name)


async def _with_known_requester(connection: Connection, ticket: Ticket) -> Ticket:
    """``ticket`` with its requester's Movidesk id, found by e-mail when neither the
    requester nor the company carries one."""
    requester = ticket.requester
    if client_ref(ticket, connection.name) or requester is None:
        return ticket
    for email in requester.emails:
        raw = await _find_person(connection, PERSON, _email_condition(email))
        if raw:
            known = requester.model_copy(
                update={"refs": {**requester.refs, connection.name: str(raw["id"])}})
            return ticket.model_copy(update={"requester": known})
    return ticket


def _marker_note(ticket: Ticket) -> str:
    return f"Opened by pontes ({marker_token(ticket)})"


MARKER_SEARCH_DEPTH = 100
"""How many of a client's latest tickets ``ticket.find_created`` reads for a marker."""


@kit.action("ticket.find_created")
async def ticket_find_created(connection: Connection, params: Ticket) -> Ticket | None:
    """The ticket opened from this draft: among its client's latest tickets, the one whose
    actions carry the draft's marker; ``None`` when there is none (or no client)."""
    client = client_ref(params, connection.name)
    if not client:
        return None
    rows = await list_rows(connection.client, TICKETS, select=("id",),
                           filter=f"clients/any(c: c/id eq {quote_literal(client)})",
                           orderby="id desc", top=MARKER_SEARCH_DEPTH,
                           expand=("actions($select=id,description)",))
    for row in rows:
        if any(has_marker(a.get("description"), params) for a in row.get("actions") or []):
            return await ticket_get(connection, ById(id=str(row["id"])))
    return None


def _check_custom_rules(values: list[dict[str, Any]], what: str) -> None:
    missing = [str(v["customFieldId"]) for v in values if "customFieldRuleId" not in v]
    if missing:
        raise PermanentFailure(
            f"{what}: no customFieldRuleId for custom field(s) {', '.join(missing)}; set the "
            f"connection's custom_field_rule_id"
        )


@kit.action("ticket.get")
async def ticket_get(connection: Connection, params: ById) -> Ticket:
    """The ticket with its clients, actions and custom fields."""
    return ticket_to_canonical(await get_ticket(connection.client, params.id), connection.name)


@kit.action("ticket.reply")
async def ticket_reply(connection: Connection, params: TicketReply) -> Ticket:
    """Add an action to a ticket: public reply, or internal note when ``public`` is false.

    The PATCH carries the new action alone, without an id: Movidesk appends an action
    sent without id and leaves the others as they are, while sending an existing one
    back would rewrite it (its ``description`` is read as HTML). The action's author
    (``createdBy``) is ``agent`` when given, else the connection's ``agent_id``.
    """
    if not (params.html or params.text):
        raise PermanentFailure("ticket.reply: give text or html")
    description = params.html or html.escape(params.text or "").replace("\n", "<br>")
    action: dict[str, Any] = {"type": PUBLIC if params.public else INTERNAL,
                              "origin": API_ORIGIN, "description": description}
    agent = params.agent or _settings(connection).agent_id
    if agent:
        action["createdBy"] = {"id": agent}
    await connection.client.patch_json(TICKETS, params={"id": params.id},
                                       json={"actions": [action]})
    return await ticket_get(connection, ById(id=params.id))


@kit.action("movidesk.ticket.set_status", input=SetStatus, output=Ticket)
async def ticket_set_status(connection: Connection, params: SetStatus) -> Ticket:
    """Change a ticket's status through the API.

    The justification is sent too, when the status needs one.
    """
    body: dict[str, Any] = {"status": params.status}
    if params.justification is not None:
        body["justification"] = params.justification
    await connection.client.patch_json(TICKETS, params={"id": params.id}, json=body,
                                       retry_safe=True)
    return await ticket_get(connection, ById(id=params.id))


@kit.action("movidesk.ticket.set_custom_fields", input=SetCustomFields, output=Ticket)
async def ticket_set_custom_fields(connection: Connection, params: SetCustomFields) -> Ticket:
    """Write some custom fields of a ticket, keeping the others.

    Every other value the ticket has is sent back unchanged, since Movidesk takes the
    list sent as the whole list.
    """
    raw = await get_ticket(connection.client, params.id)
    current = raw.get("customFieldValues") or []
    with _mapping_errors("movidesk.ticket.set_custom_fields"):
        changed = values_of(params.values, None,
                            params.rule_id or _settings(connection).custom_field_rule_id)
    merged = merge_values(current, changed)
    _check_custom_rules(merged, "movidesk.ticket.set_custom_fields")
    await connection.client.patch_json(TICKETS, params={"id": params.id},
                                       json={"customFieldValues": merged}, retry_safe=True)
    return await ticket_get(connection, ById(id=params.id))

