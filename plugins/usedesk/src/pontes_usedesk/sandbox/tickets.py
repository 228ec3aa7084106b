"""The sandbox's ticket methods: ``/tickets``, ``/ticket``, ``/create/ticket``,
``/update/ticket`` and ``/create/comment``, as Usedesk's API documentation describes them.

- ``/tickets`` lists 100 tickets a call, newest first unless ``sort``/``order`` say
  otherwise; ``offset`` is the page (0, 1, 2...). Filters: ``fstatus``, ``fchannel``,
  ``fgroup``, ``fassigned`` (``unassigned`` for none), ``fpriority``, ``ftype``,
  ``client_id``, ``tag``, ``query`` (subject, client name or e-mail),
  ``created_after``/``before``, ``updated_after``/``before`` (``2016-11-25 00:00``,
  inclusive);
- ``/create/ticket`` needs ``subject`` (at most 255 characters) and ``message``. The
  client is ``client_id`` (``"new_client"`` for a new one), or else the client with
  ``client_email`` (then ``client_phone``), or a new one from ``client_name``,
  ``client_email`` and ``client_phone``; ``company_name`` is found or created and linked
  to the client. Answers ``{"status": "success", "ticket_id": N}``;
- ``/update/ticket`` writes ``subject``, ``client_id``, ``group_id``, ``assignee_id``,
  ``priority``, ``status``, ``type``, ``tag`` (added) and ``field_id``/``field_value``,
  and posts the change; answers ``{"status": "success"}``;
- ``/create/comment`` adds a ``public`` comment or a ``private`` note, from a ``user``
  (agent), the ``client`` or a ``trigger``; answers ``{"status": "success",
  "comment_id": N}``.
"""

from __future__ import annotations

from typing import Any

from .notify import Notifier
from .params import Refusal, choice, flag, listed, number, text
from .state import API_CHANNEL_ID, UsedeskState
from .views import ticket_answer, ticket_item

PAGE_SIZE = 100
STATUS_IDS = tuple(range(1, 11))
PRIORITIES = ("low", "medium", "urgent", "extreme")
TICKET_TYPES = ("question", "task", "problem", "incident")
AUTHORS = ("user", "client", "trigger")
SORTS = ("id", "status_id", "client_id", "assignee_id", "group", "last_updated_at",
         "published_at")
LONGEST_SUBJECT = 255


def list_tickets(state: UsedeskState, params: dict[str, Any]) -> list[dict[str, Any]]:
    """``/tickets``."""
    page = number(params, "offset", default=0)
    if page is None or page < 0:
        raise Refusal("The offset must be at least 0.")
    found = [t for t in state.tickets.values() if _matches(state, t, params)]
    sort = choice(params, "sort", SORTS, default="id")
    order = choice(params, "order", ("asc", "desc"), default="desc")
    key = "status_id" if sort == "status_id" else sort
    found.sort(key=lambda t: (t.get(key) is None, t.get(key) or 0, t["id"]),
               reverse=order == "desc")
    chosen = found[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    return [ticket_item(state, t) for t in chosen]


def _matches(state: UsedeskState, ticket: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether ``ticket`` passes every filter in ``params``."""
    checks = [("fstatus", "status_id"), ("fchannel", "channel_id"), ("fgroup", "group"),
              ("fassigned", "assignee_id"), ("fpriority", "priority"), ("ftype", "type"),
              ("client_id", "client_id")]
    for name, field in checks:
        wanted = listed(params, name)
        value = ticket.get(field)
        unassigned = name == "fassigned" and value is None and "unassigned" in wanted
        if wanted and str(value) not in wanted and not unassigned:
            return False
    tags = listed(params, "tag")
    if tags and not set(tags) & set(state.tags[ticket["id"]]):
        return False
    query = (text(params, "query") or "").lower()
    if query:
        client = state.clients.get(ticket["client_id"], {})
        haystack = [ticket["subject"].lower(), (client.get("name") or "").lower(),
                    *(e["email"].lower() for e in client.get("emails", []))]
        if not any(query in item for item in haystack):
            return False
    for name, field, after in (("created_after", "published_at", True),
                               ("created_before", "published_at", False),
                               ("updated_after", "last_updated_at", True),
                               ("updated_before", "last_updated_at", False)):
        bound = text(params, name)
        if bound is None:
            continue
        moment = ticket[field][:len(bound)]
        if (after and moment < bound) or (not after and moment > bound):
            return False
    return True


def get_ticket(state: UsedeskState, params: dict[str, Any]) -> dict[str, Any]:
    """``/ticket``."""
    return ticket_answer(state, _ticket(state, params))


def _ticket(state: UsedeskState, params: dict[str, Any]) -> dict[str, Any]:
    ticket_id = number(params, "ticket_id", required=True)
    ticket = state.tickets.get(ticket_id)  # type: ignore[arg-type]
    if ticket is None:
        raise Refusal("Ticket not found", 404)
    return ticket


def create_ticket(state: UsedeskState, notifier: Notifier,
                  params: dict[str, Any]) -> dict[str, Any]:
    """``/create/ticket``."""
    subject = text(params, "subject", required=True, longest=LONGEST_SUBJECT)
    message = text(params, "message", required=True)
    channel_id = number(params, "channel_id", default=API_CHANNEL_ID)
    if channel_id not in state.channels:
        raise Refusal("The selected channel_id is invalid.")
    origin = choice(params, "from", AUTHORS, default="client")
    status = number(params, "status", default=1 if origin == "user" else 8)
    if status not in STATUS_IDS:
        raise Refusal("The selected status is invalid.")
    assignee_id = _agent(state, params, "assignee_id")
    user_id = _agent(state, params, "user_id")
    priority = choice(params, "priority", PRIORITIES, default="medium")
    kind = choice(params, "type", TICKET_TYPES, default="question")
    field_value = _field_value(state, params)
    client = _client_of(state, params)
    ticket = state.add_ticket(
        subject=subject, client=client, channel_id=channel_id,  # type: ignore[arg-type]
        status_id=status, priority=priority, kind=kind,  # type: ignore[arg-type]
        assignee_id=assignee_id, group=number(params, "group_id"),
        additional_id=text(params, "additional_id") or "", tags=listed(params, "tag"))
    if field_value is not None:
        state.field_values[(ticket["id"], field_value[0])] = field_value[1]
    state.add_comment(ticket, message, origin=origin,  # type: ignore[arg-type]
                      kind="private" if flag(params, "private_comment") else "public",
                      user_id=user_id)
    notifier.ticket_created(ticket, message)  # type: ignore[arg-type]
    return {"status": "success", "ticket_id": ticket["id"]}


def _agent(state: UsedeskState, params: dict[str, Any], name: str) -> int | None:
    agent_id = number(params, name)
    if agent_id is not None and agent_id not in state.agents:
        raise Refusal(f"The selected {name} is invalid.")
    return agent_id


def _field_value(state: UsedeskState, params: dict[str, Any]) -> tuple[int, str] | None:
    field_id = number(params, "field_id")
    if field_id is None:
        return None
    if field_id not in {f["id"] for f in state.ticket_fields}:
        raise Refusal("The selected field_id is invalid.")
    return field_id, text(params, "field_value") or ""


def _client_of(state: UsedeskState, params: dict[str, Any]) -> dict[str, Any]:
    """The client of a new ticket (see the module docstring)."""
    email = text(params, "client_email")
    phone = text(params, "client_phone")
    name = text(params, "client_name")
    chosen = params.get("client_id")
    client = None
    if chosen not in (None, "", "new_client"):
        client = state.clients.get(number(params, "client_id"))  # type: ignore[arg-type]
        if client is None:
            raise Refusal("The selected client_id is invalid.")
    elif chosen != "new_client":
        found = (state.find_clients(email, whole=True) if email else []) or (
            state.find_clients(phone, whole=True) if phone else [])
        client = found[0] if found else None
    if client is None:
        client = state.add_client(name=name or email or phone or "Client",
                                  emails=[email] if email else [],
                                  phones=[(phone, "other")] if phone else [])
    company_name = text(params, "company_name")
    if company_name:
        company = state.company_named(company_name)
        client["client_company"] = dict(company)
        client["client_company_id"] = company["id"]
    return client


def update_ticket(state: UsedeskState, notifier: Notifier,
                  params: dict[str, Any]) -> dict[str, Any]:
    """``/update/ticket``."""
    ticket = _ticket(state, params)
    values: dict[str, Any] = {}
    if (subject := text(params, "subject", longest=LONGEST_SUBJECT)) is not None:
        values["subject"] = subject
    if (client_id := number(params, "client_id")) is not None:
        if client_id not in state.clients:
            raise Refusal("The selected client_id is invalid.")
        values["client_id"] = client_id
    if (group := number(params, "group_id")) is not None:
        values["group"] = group
    if (assignee := _agent(state, params, "assignee_id")) is not None:
        values["assignee_id"] = assignee
    if (priority := choice(params, "priority", PRIORITIES)) is not None:
        values["priority"] = priority
    if (kind := choice(params, "type", TICKET_TYPES)) is not None:
        values["type"] = kind
    if (status := number(params, "status")) is not None:
        if status not in STATUS_IDS:
            raise Refusal("The selected status is invalid.")
        values["status_id"] = status
    if tags := listed(params, "tag"):
        values["tags"] = tags
    field_value = _field_value(state, params)
    user_id = _agent(state, params, "user_id")
    change = state.change_ticket(ticket, values, user_id=user_id)
    if field_value is not None:
        state.field_values[(ticket["id"], field_value[0])] = field_value[1]
    if change is not None:
        notifier.ticket_changed(ticket, change)
    return {"status": "success"}


def create_comment(state: UsedeskState, notifier: Notifier,
                   params: dict[str, Any]) -> dict[str, Any]:
    """``/create/comment``."""
    ticket = _ticket(state, params)
    message = text(params, "message", required=True)
    kind = choice(params, "type", ("public", "private"), default="public")
    origin = choice(params, "from", AUTHORS, default="user")
    comment = state.add_comment(ticket, message, origin=origin,  # type: ignore[arg-type]
                                kind=kind, user_id=_agent(state, params, "user_id"))  # type: ignore[arg-type]
    notifier.comment_added(ticket, comment)
    return {"status": "success", "comment_id": comment["id"]}
