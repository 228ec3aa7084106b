"""How Movidesk creates and changes tickets.

- POST needs ``type`` (1 internal, 2 public); names (category, urgency, status, team)
  must exist in the account; ``createdBy`` and clients must be existing persons.
- PATCH changes the scalar fields it names; a list it names replaces the ticket's list
  whole (tags, clients, custom field values). Actions are matched by id: one with an
  existing id is updated, one without id (or id 0) is appended, and existing actions
  left out of the list stay as they are.
- An action's ``description`` is written as HTML. Reads give it back as plain text, with
  ``htmlDescription`` null: the HTML is served by ``/tickets/htmldescription``.
- Changing ``owner`` needs ``ownerTeam``; a status with justifications needs one of them.
- ``baseStatus`` and the other read-only fields are ignored on write.
"""

from __future__ import annotations

import copy
import html
import re
from datetime import datetime
from typing import Any

from .answers import ApiError, Problems
from .schema import action_as_read, blank_ticket, embedded
from .state import MovideskState, StatusDef, pick
from .timefmt import format_instant, parse_instant

API_ORIGIN = 9
DATE_FIELDS = ("createdDate", "lastUpdate", "resolvedIn", "reopenedIn", "closedIn",
               "canceledIn", "lastActionDate", "slaSolutionDate", "slaResponseDate",
               "slaRealResponseDate")
TYPES = (1, 2)
AGENT_PROFILES = (1, 3)
_BR_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DATE_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div)\s*/?>", re.IGNORECASE)


def create(state: MovideskState, body: Any) -> dict[str, Any]:
    """A new ticket from a POST body (``ApiError`` 400 listing every problem)."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request is invalid.", {"ticket": ["A JSON object is required."]})
    now = format_instant(state.clock.now())
    problems = Problems("ticket")
    ticket = blank_ticket()
    ticket.update(origin=API_ORIGIN, createdDate=now, actionCount=0)
    if body.get("type") not in TYPES:
        problems.add("type", "The type is required: 1 (internal) or 2 (public).")
    ticket["type"] = body.get("type")
    author = _person_ref(state, body.get("createdBy"), "createdBy", problems, required=True)
    ticket["createdBy"] = author
    if "createdDate" in body and body["createdDate"]:
        ticket["createdDate"] = _instant(body["createdDate"], "createdDate", problems) or now
    status = state.tenant.initial_status()
    if body.get("status"):
        status = _status(state, body, problems) or status
    _write_status(ticket, status, body.get("justification") if body.get("status") else None,
                  author, now)
    _apply(state, ticket, body, problems, now, author)
    problems.raise_if_any()
    ticket["id"] = state.new_ticket_id()
    ticket["lastUpdate"] = now
    return ticket


def update(state: MovideskState, current: dict[str, Any], body: Any,
           agent: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ticket after a PATCH body (a new dict; ``current`` is left as it was)."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request is invalid.", {"ticket": ["A JSON object is required."]})
    now = format_instant(state.clock.now())
    problems = Problems("ticket")
    ticket = copy.deepcopy(current)
    author = agent or ticket.get("createdBy")
    if "status" in body or "justification" in body:
        if not body.get("status"):
            problems.add("status", "Send the status together with its justification.")
        else:
            status = _status(state, body, problems)
            if status is not None:
                _write_status(ticket, status, body.get("justification"), author, now)
    if "owner" in body and "ownerTeam" not in body:
        problems.add("ownerTeam", "The owner's team is required when the owner changes.")
    _apply(state, ticket, body, problems, now, author)
    problems.raise_if_any()
    if ticket != current:
        ticket["lastUpdate"] = now
    return ticket


def view(ticket: dict[str, Any], include_deleted: bool = False) -> dict[str, Any]:
    """The ticket as the API returns it (deleted actions and clients hidden by default,
    actions without their HTML)."""
    shown = copy.deepcopy(ticket)
    if not include_deleted:
        for name in ("actions", "clients"):
            shown[name] = [item for item in shown[name] if not item.get("isDeleted")]
    shown["actions"] = [action_as_read(a) for a in shown["actions"]]
    return shown


def seed(state: MovideskState, data: dict[str, Any]) -> dict[str, Any]:
    """A ticket stored as given (dates, status, clients by id), for tests and demos."""
    now = format_instant(state.clock.now())
    ticket = blank_ticket()
    ticket.update({k: copy.deepcopy(v) for k, v in data.items() if k in ticket})
    for name in DATE_FIELDS:
        ticket[name] = _seed_instant(ticket[name], name)
    ticket["createdDate"] = ticket["createdDate"] or now
    ticket["lastUpdate"] = ticket["lastUpdate"] or ticket["createdDate"]
    ticket["type"] = ticket["type"] or 2
    ticket["origin"] = ticket["origin"] or API_ORIGIN
    status = state.tenant.status(ticket["status"] or "") or state.tenant.initial_status()
    ticket["status"], ticket["baseStatus"] = status.name, status.base
    for name in ("owner", "createdBy"):
        ticket[name] = _seed_person(state, ticket[name])
    ticket["clients"] = [_seed_person(state, c) for c in ticket["clients"]]
    actions = []
    for number, action in enumerate(ticket["actions"], start=1):
        author = _seed_person(state, action.get("createdBy")) or ticket["createdBy"]
        when = _seed_instant(action.get("createdDate"), "actions.createdDate")
        actions.append(_new_action(action, number, author, ticket, when or ticket["createdDate"]))
    ticket["actions"] = actions
    ticket["actionCount"] = len(actions)
    ticket["customFieldValues"] = [_stored_value(v) for v in ticket["customFieldValues"]]
    ticket["id"] = int(ticket["id"]) if ticket["id"] else state.new_ticket_id()
    return ticket


def _seed_instant(value: Any, name: str) -> str | None:
    """A seeded date-time (a ``datetime`` or any ISO text) in Movidesk's spelling."""
    if value in (None, ""):
        return None
    try:
        moment = value if isinstance(value, datetime) else parse_instant(str(value))
    except ValueError:
        raise ApiError(400, f"{name}: {value!r} is not a date-time.") from None
    return format_instant(moment)


def set_status_as_agent(state: MovideskState, current: dict[str, Any], status: str,
                        justification: str | None, agent_id: str | None) -> dict[str, Any]:
    """The ticket after an agent changes its status in the Movidesk UI."""
    agent = None
    if agent_id:
        person = state.persons.get(agent_id)
        if person is None:
            raise ApiError(400, f"Agent {agent_id!r} not found.")
        agent = embedded(person)
    body: dict[str, Any] = {"status": status}
    if justification is not None:
        body["justification"] = justification
    return update(state, current, body, agent)


# --- fields ---------------------------------------------------------------------------


def _apply(state: MovideskState, ticket: dict[str, Any], body: dict[str, Any],
           problems: Problems, now: str, author: dict[str, Any] | None) -> None:
    tenant = state.tenant
    if "subject" in body:
        subject = body["subject"]
        if subject is not None and (not isinstance(subject, str) or len(subject) > 350):
            problems.add("subject", "The subject is text of at most 350 characters.")
        ticket["subject"] = subject
    for name, options in (("category", tenant.categories), ("urgency", tenant.urgencies),
                          ("ownerTeam", tenant.teams)):
        if name in body:
            ticket[name] = _named(body[name], options, name, problems)
    if "owner" in body:
        owner = _person_ref(state, body["owner"], "owner", problems, required=False)
        if owner is not None and owner["profileType"] not in AGENT_PROFILES:
            problems.add("owner", f"Person {owner['id']!r} is not an agent.")
        ticket["owner"] = owner
    if "serviceFirstLevelId" in body:
        ticket["serviceFirstLevelId"] = body["serviceFirstLevelId"]
    if "slaSolutionDate" in body:
        ticket["slaSolutionDate"] = _instant(body["slaSolutionDate"], "slaSolutionDate",
                                             problems)
    if "tags" in body:
        tags = body["tags"] or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.add("tags", "Tags are a list of texts.")
        else:
            ticket["tags"] = list(dict.fromkeys(tags))
    if "clients" in body:
        _apply_clients(state, ticket, body["clients"], problems)
    if "actions" in body:
        _apply_actions(state, ticket, body["actions"], problems, now, author)
    if "customFieldValues" in body:
        ticket["customFieldValues"] = _custom_values(state, body["customFieldValues"], problems)


def _named(value: Any, options: tuple[str, ...], name: str, problems: Problems) -> str | None:
    if value in (None, ""):
        return None
    found = pick(options, value)
    if found is None:
        problems.add(name, f"{value!r} does not exist; the account has: {', '.join(options)}.")
    return found


def _person_ref(state: MovideskState, ref: Any, name: str, problems: Problems,
                required: bool) -> dict[str, Any] | None:
    if ref is None:
        if required:
            problems.add(name, "The person (id) is required.")
        return None
    person_id = ref.get("id") if isinstance(ref, dict) else None
    person = state.persons.get(str(person_id)) if person_id not in (None, "") else None
    if person is None:
        problems.add(name, f"Person {person_id!r} not found.")
        return None
    return embedded(person, state.organization_of(person))


def _seed_person(state: MovideskState, ref: Any) -> dict[str, Any] | None:
    if not isinstance(ref, dict) or not ref.get("id"):
        return None
    person = state.persons.get(str(ref["id"]))
    return embedded(person, state.organization_of(person)) if person else dict(ref)


def _status(state: MovideskState, body: dict[str, Any], problems: Problems) -> StatusDef | None:
    status = state.tenant.status(str(body["status"]))
    if status is None:
        names = ", ".join(s.name for s in state.tenant.statuses)
        problems.add("status", f"Status {body['status']!r} does not exist; the account has: {names}.")
        return None
    justification = body.get("justification")
    if status.justifications and pick(status.justifications, justification) is None:
        problems.add("justification", f"Status {status.name!r} needs a justification: "
                                      f"{', '.join(status.justifications)}.")
        return None
    return status


def _write_status(ticket: dict[str, Any], status: StatusDef, justification: str | None,
                  author: dict[str, Any] | None, now: str) -> None:
    previous_base = ticket.get("baseStatus")
    if ticket.get("status") == status.name and ticket.get("justification") == justification:
        return
    ticket["status"] = status.name
    ticket["baseStatus"] = status.base
    ticket["justification"] = pick(status.justifications, justification)
    ticket["statusHistories"].append({
        "status": status.name, "justification": ticket["justification"],
        "permanencyTimeFullTime": 0, "permanencyTimeWorkingTime": 0,
        "changedBy": author, "changedDate": now,
    })
    if status.base == "Resolved":
        ticket["resolvedIn"] = now
    elif status.base == "Closed":
        ticket["closedIn"] = now
    elif status.base == "Canceled":
        ticket["canceledIn"] = now
    elif previous_base in ("Resolved", "Closed"):
        ticket["reopenedIn"] = now


def _instant(value: Any, name: str, problems: Problems) -> str | None:
    if value in (None, ""):
        return None
    try:
        return format_instant(parse_instant(str(value)))
    except ValueError:
        problems.add(name, f"{value!r} is not a date-time.")
        return None


def _apply_clients(state: MovideskState, ticket: dict[str, Any], clients: Any,
                   problems: Problems) -> None:
    if not isinstance(clients, list):
        problems.add("clients", "Clients are a list of persons.")
        return
    chosen = []
    for i, ref in enumerate(clients):
        person = _person_ref(state, ref, f"clients[{i}]", problems, required=True)
        if person is not None:
            chosen.append(person)
    chosen_ids = {p["id"] for p in chosen}
    removed = [dict(c, isDeleted=True) for c in ticket["clients"]
               if c["id"] not in chosen_ids and not c.get("isDeleted")]
    ticket["clients"] = chosen + removed


def _apply_actions(state: MovideskState, ticket: dict[str, Any], actions: Any,
                   problems: Problems, now: str, author: dict[str, Any] | None) -> None:
    if not isinstance(actions, list):
        problems.add("actions", "Actions are a list.")
        return
    existing = {a["id"]: a for a in ticket["actions"] if not a.get("isDeleted")}
    next_id = max((a["id"] for a in ticket["actions"]), default=0) + 1
    kept: dict[int, dict[str, Any]] = {}
    added = []
    for i, item in enumerate(actions):
        if not isinstance(item, dict):
            problems.add(f"actions[{i}]", "An action is an object.")
            continue
        if item.get("type", 2) not in TYPES:
            problems.add(f"actions[{i}].type", "The type is 1 (internal) or 2 (public).")
        if "description" in item and not isinstance(item["description"], str | None):
            problems.add(f"actions[{i}].description", "The description is text (HTML).")
            continue
        writer = author
        if item.get("createdBy") is not None:
            writer = _person_ref(state, item["createdBy"], f"actions[{i}].createdBy",
                                 problems, required=True)
        action_id = item.get("id") or 0
        if action_id:
            if action_id not in existing:
                problems.add(f"actions[{i}].id", f"Action {action_id} does not exist.")
                continue
            kept[action_id] = _updated_action(existing[action_id], item)
        else:
            added.append(_new_action(item, next_id, writer, ticket, now))
            next_id += 1
    result = [kept.get(action["id"], action) for action in ticket["actions"]]
    ticket["actions"] = result + added
    ticket["actionCount"] = sum(1 for a in ticket["actions"] if not a.get("isDeleted"))
    if added:
        ticket["lastActionDate"] = now


def _new_action(item: dict[str, Any], number: int, author: dict[str, Any] | None,
                ticket: dict[str, Any], when: str) -> dict[str, Any]:
    markup = item.get("htmlDescription") or item.get("description") or ""
    return {
        "id": number,
        "type": item.get("type") or 2,
        "origin": item.get("origin") or API_ORIGIN,
        "description": html_to_text(markup),
        "htmlDescription": markup,
        "status": ticket.get("status"),
        "justification": ticket.get("justification"),
        "createdDate": when,
        "createdBy": author,
        "isDeleted": False,
        "timeAppointments": [],
        "expenses": [],
        "attachments": [],
        "tags": list(item.get("tags") or []),
    }


def _updated_action(action: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    updated = dict(action)
    if "type" in item:
        updated["type"] = item["type"]
    if "description" in item:
        markup = item["description"] or ""
        updated["description"] = html_to_text(markup)
        updated["htmlDescription"] = markup
    if "tags" in item:
        updated["tags"] = list(item["tags"] or [])
    return updated


def html_to_text(markup: str) -> str:
    """The plain text Movidesk returns as an action's ``description``."""
    text = _BREAK.sub("\n", markup)
    return html.unescape(_TAG.sub("", text)).strip()


def _custom_values(state: MovideskState, values: Any, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(values, list):
        problems.add("customFieldValues", "Custom field values are a list.")
        return []
    stored = []
    for i, value in enumerate(values):
        where = f"customFieldValues[{i}]"
        if not isinstance(value, dict):
            problems.add(where, "A custom field value is an object.")
            continue
        definition = state.tenant.custom_fields.get(value.get("customFieldId"))
        if definition is None:
            problems.add(f"{where}.customFieldId",
                         f"Custom field {value.get('customFieldId')!r} does not exist.")
            continue
        if value.get("customFieldRuleId") not in state.tenant.rules:
            problems.add(f"{where}.customFieldRuleId",
                         f"Rule {value.get('customFieldRuleId')!r} does not exist.")
            continue
        _check_custom_value(definition, value, where, problems)
        stored.append(_stored_value(value))
    return stored


def _check_custom_value(definition: Any, value: dict[str, Any], where: str,
                        problems: Problems) -> None:
    text = value.get("value")
    if definition.kind == "list":
        for item in value.get("items") or []:
            if pick(definition.options, (item or {}).get("customFieldItem")) is None:
                problems.add(f"{where}.items", f"{item!r} is not an option of "
                                               f"{definition.label!r}: {', '.join(definition.options)}.")
        return
    if text is None:
        return
    if not isinstance(text, str):
        problems.add(f"{where}.value", "Values are sent as text.")
    elif definition.kind == "number" and not _BR_NUMBER.match(text):
        problems.add(f"{where}.value",
                     f"{text!r} is not a number written as Movidesk does (1.530,75).")
    elif definition.kind == "date" and not _DATE_VALUE.match(text):
        problems.add(f"{where}.value", f"{text!r} is not a date (YYYY-MM-DDThh:mm:ss.000Z).")


def _stored_value(value: dict[str, Any]) -> dict[str, Any]:
    items = [
        {"personId": i.get("personId"), "clientId": i.get("clientId"), "team": i.get("team"),
         "customFieldItem": i.get("customFieldItem"), "storageFileGuid": None, "fileName": None}
        for i in value.get("items") or [] if isinstance(i, dict)
    ]
    return {"customFieldId": value.get("customFieldId"),
            "customFieldRuleId": value.get("customFieldRuleId"),
            "line": value.get("line") or 1, "value": value.get("value"), "items": items}
