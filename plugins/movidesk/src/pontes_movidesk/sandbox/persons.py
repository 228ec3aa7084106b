"""How Movidesk creates and changes persons (people, companies, departments).

A POST needs ``isActive``, ``personType`` (1 person, 2 company, 4 department),
``profileType`` (1 agent, 2 client, 3 both) and ``businessName``; agents need an
``accessProfile``; a password has at least 8 characters; ``cpfCnpj`` is 11 digits for a
person and 14 for a company. ``id`` (the Cód. Ref.) is chosen by the caller or by
Movidesk and cannot change afterwards. A PATCH replaces the lists it names whole.
"""

from __future__ import annotations

import copy
from typing import Any

from .answers import ApiError, Problems
from .schema import PERSON_LISTS, PERSON_SCALARS, PERSON_WRITE_ONLY, blank_person
from .state import MovideskState
from .timefmt import format_instant

PERSON_TYPES = (1, 2, 4)
PROFILE_TYPES = (1, 2, 3)
AGENT_PROFILES = (1, 3)
ORGANIZATION_TYPES = (2, 4)
READ_ONLY = ("createdDate", "createdBy", "changedDate", "changedBy")
_LIST_ITEM_KEYS = {
    "emails": ("emailType", "email", "isDefault"),
    "contacts": ("contactType", "contact", "isDefault"),
    "addresses": ("addressType", "country", "postalCode", "state", "city", "district",
                  "street", "number", "complement", "reference", "isDefault"),
}


def create(state: MovideskState, body: Any) -> dict[str, Any]:
    """A new person from a POST body (``ApiError`` 400 listing every problem)."""
    _require_object(body)
    problems = Problems("person")
    for name in ("isActive", "personType", "profileType", "businessName"):
        if body.get(name) in (None, ""):
            problems.add(name, f"The {name} is required.")
    person_id = body.get("id")
    if person_id not in (None, ""):
        if not isinstance(person_id, str) or len(person_id) > 64:
            problems.add("id", "The id is text of at most 64 characters.")
        elif person_id in state.persons:
            problems.add("id", f"There is already a person with id {person_id!r}.")
    person = blank_person()
    _apply(state, person, body, problems)
    problems.raise_if_any()
    now = format_instant(state.clock.now())
    person["id"] = person_id or state.new_person_id()
    person["createdDate"] = person["changedDate"] = now
    return person


def update(state: MovideskState, current: dict[str, Any], body: Any) -> dict[str, Any]:
    """The person after a PATCH body (a new dict; ``current`` is left as it was)."""
    _require_object(body)
    problems = Problems("person")
    if body.get("id") not in (None, current["id"]):
        problems.add("id", "The id cannot change after the person is created.")
    person = copy.deepcopy(current)
    _apply(state, person, body, problems)
    problems.raise_if_any()
    if person != current:
        person["changedDate"] = format_instant(state.clock.now())
    return person


def seed(state: MovideskState, data: dict[str, Any]) -> dict[str, Any]:
    """A person stored as given, for tests and demos (it still has to be valid)."""
    person = create(state, {"isActive": True, "profileType": 2, **data})
    for name in ("createdDate", "changedDate"):
        if data.get(name):
            person[name] = data[name]
    return person


def _require_object(body: Any) -> None:
    if not isinstance(body, dict):
        raise ApiError(400, "The request is invalid.", {"person": ["A JSON object is required."]})


def _apply(state: MovideskState, person: dict[str, Any], body: dict[str, Any],
           problems: Problems) -> None:
    for name in PERSON_SCALARS:
        if name in body and name not in READ_ONLY and name != "id":
            person[name] = body[name]
    for name in PERSON_LISTS:
        if name in body:
            person[name] = _list(body[name], name, problems)
    if "password" in body:
        password = body["password"]
        if not isinstance(password, str) or len(password) < 8:
            problems.add("password", "The password has at least 8 characters.")
    for name in PERSON_WRITE_ONLY:
        person.pop(name, None)
    _check(state, person, problems)


def _list(value: Any, name: str, problems: Problems) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.add(name, f"{name} is a list of objects.")
        return []
    keys = _LIST_ITEM_KEYS.get(name)
    if keys is None:
        return copy.deepcopy(value)
    return [{key: item.get(key) for key in keys} for item in value]


def _check(state: MovideskState, person: dict[str, Any], problems: Problems) -> None:
    kind, profile = person.get("personType"), person.get("profileType")
    if kind is not None and kind not in PERSON_TYPES:
        problems.add("personType", "The personType is 1 (person), 2 (company) or 4 (department).")
    if profile is not None and profile not in PROFILE_TYPES:
        problems.add("profileType", "The profileType is 1 (agent), 2 (client) or 3 (both).")
    if profile in AGENT_PROFILES and not person.get("accessProfile"):
        problems.add("accessProfile", "Agents need an access profile.")
    name = person.get("businessName")
    if name is not None and (not isinstance(name, str) or len(name) > 128):
        problems.add("businessName", "The businessName is text of at most 128 characters.")
    document = person.get("cpfCnpj")
    if document not in (None, ""):
        size = 11 if kind == 1 else 14
        if kind == 4:
            problems.add("cpfCnpj", "Departments have no CPF/CNPJ.")
        elif not (isinstance(document, str) and document.isdigit() and len(document) == size):
            problems.add("cpfCnpj", f"The cpfCnpj is {size} digits, without punctuation.")
    for i, relation in enumerate(person.get("relationships") or []):
        organization = state.persons.get(str(relation.get("id")))
        if organization is None or organization.get("personType") not in ORGANIZATION_TYPES:
            problems.add(f"relationships[{i}].id",
                         f"{relation.get('id')!r} is not a company or department.")
        else:
            relation["name"] = organization.get("businessName")
    for i, email in enumerate(person.get("emails") or []):
        if not isinstance(email.get("email"), str) or "@" not in email["email"]:
            problems.add(f"emails[{i}].email", f"{email.get('email')!r} is not an e-mail address.")
