"""Usedesk tickets: get, list, open, reply or note, move to a status, and find the one a
draft opened.

Every action that changes a ticket answers with the ticket read again (``/ticket``), so
the canonical record shows what Usedesk holds. A ticket opened through pontes carries the
draft's pontes id (its marker, when a recipe opens it) in ``additional_id``, the field
Usedesk keeps for another system's id; ``ticket.find_created`` looks for it there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pontes.plugin import (
    ById,
    Connection,
    PermanentFailure,
    SetTicketStatus,
    Ticket,
    TicketReply,
    TicketsOf,
    text_to_html,
)
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..client import (
    CREATE_COMMENT,
    CREATE_TICKET,
    TICKETS,
    UPDATE_TICKET,
    call,
    get_ticket,
    list_pages,
)
from ..connector import UsedeskSettings, kit
from ..mappers import ticket_from_canonical, ticket_to_canonical
from ..statuses import FROM_CANONICAL, OPEN_STATUS_IDS, STATUS_NAMES
from ..values import id_text, whole_number
from .clients import find_by_email, region_of

MOST_TICKETS_OF_A_CLIENT = 1000
"""How many of a client's tickets ``ticket.list_for_client`` reads at most (ten pages)."""

TIME_FORMAT = "%Y-%m-%d %H:%M"
"""How Usedesk's list filters write a moment (``2016-11-25 00:00``)."""


class TicketQuery(BaseModel):
    """The filters of Usedesk's ticket list (``usedesk.ticket.list``).

    ``statuses`` are Usedesk status ids (1 open ... 10 merged); times are sent to the
    minute; ``most`` caps how many tickets are read, 100 a call.
    """

    model_config = ConfigDict(extra="forbid")

    statuses: list[int] = Field(default_factory=list)
    client_id: str | None = None
    channel_ids: list[int] = Field(default_factory=list)
    group_ids: list[int] = Field(default_factory=list)
    assignee_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    query: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    sort: Literal["id", "status_id", "client_id", "assignee_id", "group",
                  "last_updated_at", "published_at"] | None = None
    order: Literal["asc", "desc"] | None = None
    most: int = Field(100, ge=1, le=10_000)

    @field_validator("statuses")
    @classmethod
    def _known_statuses(cls, value: list[int]) -> list[int]:
        unknown = sorted(set(value) - set(STATUS_NAMES))
        if unknown:
            raise ValueError(f"{unknown} are not Usedesk status ids (1 to {max(STATUS_NAMES)})")
        return value

    def params(self) -> dict[str, Any]:
        """The query as ``/tickets`` parameters (empty filters left out)."""

        def joined(values: list[Any]) -> str | None:
            """Values as Usedesk's comma-separated filter."""
            return ",".join(str(v) for v in values) or None

        def moment(value: datetime | None) -> str | None:
            """A moment as Usedesk's filters write it."""
            return value.strftime(TIME_FORMAT) if value else None

        return {
            "fstatus": joined(self.statuses), "client_id": self.client_id,
            "fchannel": joined(self.channel_ids), "fgroup": joined(self.group_ids),
            "fassigned": self.assignee_id, "tag": ", ".join(self.tags) or None,
            "query": self.query, "created_after": moment(self.created_after),
            "created_before": moment(self.created_before),
            "updated_after": moment(self.updated_after),
            "updated_before": moment(self.updated_before),
            "sort": self.sort, "order": self.order,
        }


def settings_of(connection: Connection) -> UsedeskSettings:
    """The connection's Usedesk settings."""
    return connection.settings  # type: ignore[return-value]


async def read_ticket(connection: Connection, ticket_id: Any) -> Ticket:
    """The ticket ``ticket_id``, with its comments, as a canonical ticket."""
    answer = await get_ticket(connection, ticket_id)
    return ticket_to_canonical(answer, connection.name, region=region_of(connection))


async def list_tickets(connection: Connection, params: dict[str, Any],
                       most: int) -> list[Ticket]:
    """The tickets ``/tickets`` lists for ``params``, at most ``most`` of them."""
    region = region_of(connection)
    items = await list_pages(connection, TICKETS, params, most=most)
    return [ticket_to_canonical(item, connection.name, region=region) for item in items]


def _agent_id(connection: Connection, agent: str | None = None) -> int | None:
    """The Usedesk agent (user id) a write is made as: the one the call names, else the
    connection's ``agent_id``, else none (Usedesk's default)."""
    if agent is None:
        return settings_of(connection).agent_id
    number = whole_number(agent)
    if number is None:
        raise ValueError(f"a Usedesk agent is named by its user id, a whole number, "
                         f"not {agent!r}")
    return number


def _author(connection: Connection, agent: str | None = None) -> dict[str, Any]:
    """Who writes what pontes adds: the agent the call names, the configured agent, or
    Usedesk's default."""
    agent_id = _agent_id(connection, agent)
    return {"from": "user", "user_id": agent_id} if agent_id else {"from": "user"}


@kit.action("ticket.get")
async def ticket_get(connection: Connection, params: ById) -> Ticket:
    """The ticket with Usedesk id ``params.id``, with its comments and notes."""
    return await read_ticket(connection, params.id)


@kit.action("ticket.create")
async def ticket_create(connection: Connection, params: Ticket) -> Ticket:
    """Open a ticket for the requester (by id, or found or created by Usedesk from the
    name, e-mail and phone), with the draft's first message (or description, or subject)
    and the draft's id as ``additional_id``."""
    body = ticket_from_canonical(params.model_copy(update={"refs": {}}), connection.name)
    body.setdefault("message", text_to_html(params.description or params.subject or ""))
    first = params.messages[0] if params.messages else None
    body.update(additional_id=params.id, channel_id=settings_of(connection).channel_id,
                private_comment=True if first is not None and not first.public else None)
    if settings_of(connection).agent_id:
        body.update(_author(connection))
    answer = await call(connection, CREATE_TICKET, body)
    ticket_id = id_text(answer.get("ticket_id")) if isinstance(answer, dict) else None
    if ticket_id is None:
        raise PermanentFailure(f"Usedesk answered /create/ticket without a ticket_id "
                               f"({answer!r}); look for the ticket before opening it again")
    return await read_ticket(connection, ticket_id)


@kit.action("ticket.find_created")
async def ticket_find_created(connection: Connection, params: Ticket) -> Ticket | None:
    """The ticket opened from this draft: among the requester's tickets with the draft's
    subject, the one whose ``additional_id`` is the draft's id. A draft whose requester
    has neither a Usedesk id nor an e-mail cannot be looked for (``None``)."""
    requester = params.requester
    client_id = requester.ref(connection.name) if requester else None
    if client_id is None and requester is not None and requester.email:
        found = await find_by_email(connection, requester.email)
        client_id = found.ref(connection.name) if found else None
    if client_id is None:
        return None
    items = await list_pages(connection, TICKETS, {"client_id": client_id, "sort": "id",
                                                   "order": "desc"}, most=100)
    for item in items:
        if params.subject is not None and (item.get("subject") or "").strip() != params.subject:
            continue
        answer = await get_ticket(connection, item["id"])
        if str(answer["ticket"].get("additional_id") or "") == params.id:
            return ticket_to_canonical(answer, connection.name, region=region_of(connection))
    return None


@kit.action("ticket.reply")
async def ticket_reply(connection: Connection, params: TicketReply) -> Ticket:
    """Add a comment the client sees, or an internal note when ``public`` is false,
    written by ``params.agent`` when it names one (Usedesk's ``user_id``)."""
    message = params.html or text_to_html(params.text or "")
    if not message.strip():
        raise PermanentFailure("a reply needs text or html")
    await call(connection, CREATE_COMMENT, {
        "ticket_id": params.id, "message": message,
        "type": "public" if params.public else "private",
        **_author(connection, params.agent)})
    return await read_ticket(connection, params.id)


@kit.action("ticket.set_status")
async def ticket_set_status(connection: Connection, params: SetTicketStatus) -> Ticket:
    """Move the ticket to the Usedesk status of ``params.status`` (canceled: deleted), as
    ``params.agent`` when it names one."""
    await call(connection, UPDATE_TICKET, {
        "ticket_id": params.id, "status": FROM_CANONICAL[params.status],
        "user_id": _agent_id(connection, params.agent)})
    return await read_ticket(connection, params.id)


@kit.action("ticket.list_for_client")
async def ticket_list_for_client(connection: Connection, params: TicketsOf) -> list[Ticket]:
    """The tickets of the client ``params.contact_id``, newest first (only those still
    being worked with ``only_open``)."""
    query = {"client_id": params.contact_id, "sort": "id", "order": "desc",
             "fstatus": ",".join(map(str, OPEN_STATUS_IDS)) if params.only_open else None}
    return await list_tickets(connection, query, MOST_TICKETS_OF_A_CLIENT)


@kit.action("usedesk.ticket.list", input=TicketQuery, output=list[Ticket])
async def usedesk_ticket_list(connection: Connection, params: TicketQuery) -> list[Ticket]:
    """Tickets that match Usedesk's list filters (status ids, client, channel, group,
    assignee, tags, text, dates), in Usedesk's order or the one asked for."""
    return await list_tickets(connection, params.params(), params.most)
