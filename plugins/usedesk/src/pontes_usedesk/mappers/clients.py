"""Usedesk clients <-> canonical contacts.

A client, as ``/client`` answers it, is ``{id, name, note, position, emails: [{email}],
phones: [{phone, type}], addresses: [{country, city, address, type}], client_company:
{id, name}, created_at, updated_at, ...}``. The other places Usedesk writes a client are
read too: ``/clients`` search results carry ``phone`` and ``emails`` as text (e-mails
comma-separated), webhooks carry ``emails``/``phones`` lists of objects with numbers as
strings.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Address, Company, Contact

from ..values import id_text, moment, phone, text

DEFAULT_REGION = "RU"
"""The region of phone numbers without a country code, unless a connection says otherwise."""


def client_to_canonical(raw: dict[str, Any], connection_name: str, *,
                        region: str = DEFAULT_REGION) -> Contact:
    """The canonical contact of one Usedesk client, kept whole in ``remote_data``."""
    client_id = id_text(raw.get("id"))
    return Contact(
        refs={connection_name: client_id} if client_id else {},
        name=text(raw.get("name")),
        emails=client_emails(raw),
        phones=client_phones(raw, region),
        company=_company(raw.get("client_company"), connection_name),
        addresses=[a for a in map(_address, _items(raw.get("addresses"))) if a],
        remote_data=raw,
        remote_updated_at=moment(raw.get("updated_at")),
    )


def client_emails(raw: dict[str, Any]) -> list[str]:
    """A client's e-mail addresses, whichever way Usedesk wrote them."""
    found = []
    for item in _listed(raw.get("emails")):
        value = item.get("email") if isinstance(item, dict) else item
        if text(value):
            found.append(text(value))
    return list(dict.fromkeys(found))


def client_phones(raw: dict[str, Any], region: str) -> list[str]:
    """A client's phone numbers in E.164 where they can be read, whichever way Usedesk
    wrote them (a list of ``{phone, type}`` or one ``phone``)."""
    values = [item.get("phone") if isinstance(item, dict) else item
              for item in _listed(raw.get("phones"))]
    values += _listed(raw.get("phone"))
    found = [phone(value, region) for value in values]
    return list(dict.fromkeys(p for p in found if p))


def client_from_canonical(record: Contact, connection_name: str) -> dict[str, Any]:
    """The parameters of ``/create/client`` (or ``/update/client``, with ``client_id``)
    for a canonical contact: its name, every e-mail, its first phone and first address.
    Fields the contact leaves empty are left out."""
    params: dict[str, Any] = {"name": record.display_name()}
    if record.emails:
        params["emails"] = list(record.emails)
    if record.phones:
        params["phone"] = record.phones[0]
    if record.addresses:
        address = record.addresses[0]
        params["client_country"] = address.country
        params["client_city"] = address.city
        params["client_address"] = address.street
    client_id = record.ref(connection_name)
    if client_id:
        params["client_id"] = client_id
    return {key: value for key, value in params.items() if value not in (None, "", [])}


def _listed(value: Any) -> list[Any]:
    """A list of values from a list, or from text with commas, or from one value."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def _items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _company(raw: Any, connection_name: str) -> Company | None:
    if not isinstance(raw, dict) or not (text(raw.get("name")) or id_text(raw.get("id"))):
        return None
    company_id = id_text(raw.get("id"))
    return Company(refs={connection_name: company_id} if company_id else {},
                   name=text(raw.get("name")), remote_data=raw)


def _address(raw: dict[str, Any]) -> Address | None:
    parts = {"country": text(raw.get("country")), "city": text(raw.get("city")),
             "street": text(raw.get("address"))}
    return Address(**parts) if any(parts.values()) else None
