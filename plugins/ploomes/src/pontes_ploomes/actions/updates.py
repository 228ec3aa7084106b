"""Changing persons and companies: ``PATCH /Contacts(id)`` with only the fields asked for.

Ploomes keeps the fields a PATCH leaves out; a field set to nothing in ``changes`` is
sent as ``null`` so that it is cleared. The record is read again after the write.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import ById, Company, Connection, Contact, UpdateCompany, UpdateContact

from ..client import key_path, record_id
from ..connector import kit
from ..mappers import ADDRESS_COLUMNS, company_from_canonical, contact_from_canonical
from .clients import company_get, contact_get

_CLIENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("Name",), "first_name": ("Name",), "last_name": ("Name",),
    "legal_name": ("LegalName",), "website": ("Website",), "emails": ("Email",),
    "phones": ("Phones",), "addresses": ADDRESS_COLUMNS, "owner": ("OwnerId",),
    "company": ("CompanyId",), "custom": ("OtherProperties",),
}
"""The ``Contacts`` columns each canonical field is written to (``tax_id`` differs by type)."""


def _body(changes: Contact | Company, payload: dict[str, Any], tax_column: str) -> dict[str, Any]:
    """The PATCH body: the columns of the fields set in ``changes``, ``None`` for those the
    payload left out because they are empty. A company without a Ploomes id is not
    written (the link is kept); ``company=None`` unlinks the person."""
    columns = {"tax_id": (tax_column,), **_CLIENT_COLUMNS}
    wanted = {column for field in changes.model_fields_set for column in columns.get(field, ())}
    body = {column: payload.get(column) for column in wanted}
    if body.get("Phones") is None and "Phones" in body:
        body["Phones"] = []
    if "OtherProperties" in body and body["OtherProperties"] is None:
        del body["OtherProperties"]
    if isinstance(changes, Contact) and changes.company is not None and body.get(
            "CompanyId") is None:
        body.pop("CompanyId", None)
    return body


async def _patch(connection: Connection, client_id: str, body: dict[str, Any]) -> None:
    if body:
        await connection.client.patch_json(
            key_path("Contacts", record_id(client_id, "id")), json=body, retry_safe=True)


@kit.action("contact.update")
async def contact_update(connection: Connection, params: UpdateContact) -> Contact:
    """Write the fields set in ``params.changes`` of the person ``params.id``; the others
    keep their values. Returns the person as Ploomes then has it. Ploomes keeps one whole
    ``Name``: a first or last name changed alone is joined with the person's other part
    (``changes_with_whole_names``)."""
    changes = await params.changes_with_whole_names(connection)
    payload = contact_from_canonical(changes, connection.name)
    await _patch(connection, params.id, _body(changes, payload, "CPF"))
    return await contact_get(connection, ById(id=params.id))


@kit.action("company.update")
async def company_update(connection: Connection, params: UpdateCompany) -> Company:
    """Write the fields set in ``params.changes`` of the company ``params.id``; the others
    keep their values. Returns the company as Ploomes then has it."""
    payload = company_from_canonical(params.changes, connection.name)
    await _patch(connection, params.id, _body(params.changes, payload, "CNPJ"))
    return await company_get(connection, ById(id=params.id))
