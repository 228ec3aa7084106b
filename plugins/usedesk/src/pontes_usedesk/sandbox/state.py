"""What the Usedesk sandbox remembers: one account's channels, agents, clients, tickets
with their comments, changes and ratings, and how the account is set up (where its API
channel posts webhooks, its dynamic blocks).

Records are kept in the shapes ``/client`` and ``/ticket`` answer (see ``views`` for the
other shapes); times are Usedesk's ``YYYY-MM-DD HH:MM:SS``, in UTC.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .rules import Rule

ACCOUNT_ID = 153561
"""The account (Usedesk's ``company_id`` on every ticket, change and rating)."""

API_CHANNEL_ID = 64326
EMAIL_CHANNEL_ID = 64327
AGENT_ID = 1

_PHONE_TEXT = re.compile(r"[\d\s()+.-]*\d[\d\s()+.-]*")

WEBHOOK_KINDS = ("ticket", "comment", "trigger", "csi")
"""The events an API channel can post: new ticket, new comment, ticket changed, rating."""


def now_text() -> str:
    """The current time as Usedesk writes it."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def digits(value: str) -> str:
    """The digits of a phone number."""
    return re.sub(r"\D", "", value)


@dataclass
class ChannelHooks:
    """The API channel's webhook set-up: the "Redirect URL", whether "JSON request" is
    ticked (a form is posted otherwise) and which events are sent."""

    url: str | None = None
    json: bool = True
    kinds: set[str] = field(default_factory=lambda: set(WEBHOOK_KINDS))


@dataclass
class Block:
    """A dynamic block: where Usedesk posts when a ticket opens, with its parameters."""

    name: str
    url: str
    title: str = ""
    enabled: bool = True
    secret_key: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class UsedeskState:
    """One sandbox account. ``seed`` fills it with a client and a ticket to open."""

    seed: bool = True
    clock: Callable[[], str] = now_text
    channels: dict[int, dict[str, Any]] = field(default_factory=dict)
    agents: dict[int, dict[str, Any]] = field(default_factory=dict)
    clients: dict[int, dict[str, Any]] = field(default_factory=dict)
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    changes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    tags: dict[int, list[str]] = field(default_factory=dict)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    ticket_fields: list[dict[str, Any]] = field(default_factory=list)
    field_values: dict[tuple[int, int], str] = field(default_factory=dict)
    hooks: ChannelHooks = field(default_factory=ChannelHooks)
    blocks: dict[str, Block] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    block_timeout: float = 60.0
    run_block_scripts: bool = False
    card_log: list[dict[str, Any]] = field(default_factory=list)
    _ids: dict[str, Iterator[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to a fresh account: its channels and agent, and the seed data if asked."""
        for table in (self.channels, self.agents, self.clients, self.companies, self.tickets,
                      self.comments, self.changes, self.tags, self.blocks, self.rules):
            table.clear()
        self.ratings.clear()
        self.ticket_fields.clear()
        self.field_values.clear()
        self.card_log.clear()
        self.hooks = ChannelHooks()
        self.block_timeout = 60.0
        self.run_block_scripts = False
        self._ids = {"client": itertools.count(242630), "ticket": itertools.count(153341111),
                     "comment": itertools.count(402118001), "change": itertools.count(7100001),
                     "csi": itertools.count(5001), "item": itertools.count(1),
                     "field": itertools.count(54), "company": itertools.count(9001)}
        self.channels[API_CHANNEL_ID] = {"channel_id": API_CHANNEL_ID, "channel_name": "API",
                                         "channel_type": "api"}
        self.channels[EMAIL_CHANNEL_ID] = {"channel_id": EMAIL_CHANNEL_ID,
                                           "channel_name": "support@shop.example.org",
                                           "channel_type": "email"}
        self.agents[AGENT_ID] = {"id": AGENT_ID, "name": "Olga Smirnova",
                                 "email": "olga@shop.example.org"}
        if self.seed:
            self._seed()

    def _seed(self) -> None:
        client = self.add_client(name="Ivan Petrov", emails=["ivan@example.org"],
                                 phones=[("+79990001122", "mobile")])
        ticket = self.add_ticket(subject="Order question", client=client,
                                 channel_id=EMAIL_CHANNEL_ID, status_id=1)
        self.add_comment(ticket, "<p>Hello, where is my order #1042?</p>", origin="client")

    def next_id(self, kind: str) -> int:
        """A new id for a record of ``kind``."""
        return next(self._ids[kind])

    # --- clients ---------------------------------------------------------------------------

    def add_client(self, *, name: str, emails: list[str] = (),  # type: ignore[assignment]
                   phones: list[tuple[str, str]] = (),  # type: ignore[assignment]
                   note: str = "", position: str = "", company: dict[str, Any] | None = None,
                   address: dict[str, str] | None = None, status: str | None = None,
                   ) -> dict[str, Any]:
        """Store a new client and return it."""
        at = self.clock()
        client_id = self.next_id("client")
        client = {
            "id": client_id, "name": name, "avatar": None, "position": position,
            "note": note, "company_id": ACCOUNT_ID, "spammer": int(status == "spammer"),
            "vip": int(status == "vip"), "client_company_id": company["id"] if company else None,
            "created_at": at, "updated_at": at, "lang": "ru", "tickets": [],
            "emails": [], "phones": [], "social_networks": [], "messengers": [],
            "addresses": [], "sites": [], "client_company": company,
        }
        self.clients[client_id] = client
        for email in emails:
            self.add_email(client, email)
        for number, kind in phones:
            self.add_phone(client, number, kind)
        if address:
            self.add_address(client, address)
        return client

    def add_email(self, client: dict[str, Any], email: str) -> None:
        """Give ``client`` one more e-mail address (none twice)."""
        if any(e["email"].lower() == email.lower() for e in client["emails"]):
            return
        at = self.clock()
        client["emails"].append({"id": self.next_id("item"), "email": email,
                                 "client_id": client["id"], "fullcontact": 0, "status": "",
                                 "created_at": at, "updated_at": at})

    def add_phone(self, client: dict[str, Any], number: str, kind: str = "other") -> None:
        """Give ``client`` one more phone number (none twice, by its digits)."""
        if any(digits(p["phone"]) == digits(number) for p in client["phones"]):
            return
        at = self.clock()
        client["phones"].append({"id": self.next_id("item"), "phone": number, "type": kind,
                                 "client_id": client["id"], "created_at": at,
                                 "updated_at": at})

    def add_address(self, client: dict[str, Any], parts: dict[str, str]) -> None:
        """Give ``client`` an address (``country``, ``city``, ``address``)."""
        at = self.clock()
        client["addresses"].append({"id": self.next_id("item"), "type": "home",
                                    "client_id": client["id"], "created_at": at,
                                    "updated_at": at, **parts})

    def find_clients(self, query: str, *, whole: bool) -> list[dict[str, Any]]:
        """The clients whose name, an e-mail or a phone matches ``query``: equals it
        (letter case aside; phones by their digits) when ``whole``, contains it otherwise."""
        wanted = query.strip().lower()
        number = digits(wanted) if _PHONE_TEXT.fullmatch(wanted) else ""
        found = []
        for client in self.clients.values():
            texts = [client["name"].lower(), *(e["email"].lower() for e in client["emails"])]
            numbers = [digits(p["phone"]) for p in client["phones"]]
            if whole:
                hit = wanted in texts or (bool(number) and number in numbers)
            else:
                hit = (any(wanted in t for t in texts)
                       or (bool(number) and any(number in n for n in numbers)))
            if wanted and hit:
                found.append(client)
        return found

    def company_named(self, name: str) -> dict[str, Any]:
        """The client company called ``name`` (letter case aside), created if new."""
        key = name.strip().lower()
        if key not in self.companies:
            at = self.clock()
            self.companies[key] = {"id": self.next_id("company"), "name": name.strip(),
                                   "note": "", "domains": "", "phone": "", "address": "",
                                   "vip": 0, "company_id": ACCOUNT_ID, "avatar": "",
                                   "created_at": at, "updated_at": at}
        return self.companies[key]

    def add_ticket_field(self, name: str) -> dict[str, Any]:
        """Give the account an additional ticket field (a text field) and return it."""
        ticket_field = {"id": self.next_id("field"), "name": name, "type": 1}
        self.ticket_fields.append(ticket_field)
        return ticket_field

    # --- tickets ---------------------------------------------------------------------------

    def add_ticket(self, *, subject: str, client: dict[str, Any], channel_id: int,
                   status_id: int, priority: str = "medium", kind: str = "question",
                   assignee_id: int | None = None, group: int | None = None,
                   additional_id: str = "", tags: list[str] = (),  # type: ignore[assignment]
                   ) -> dict[str, Any]:
        """Store a new ticket of ``client`` and return it."""
        at = self.clock()
        ticket_id = self.next_id("ticket")
        first_email = client["emails"][0]["email"] if client["emails"] else None
        ticket = {
            "id": ticket_id, "subject": subject, "priority": priority,
            "client_id": client["id"], "client_name": client["name"],
            "assignee_id": assignee_id, "channel_id": channel_id, "group": group,
            "last_updated_at": at, "type": kind, "status_id": status_id,
            "email": first_email, "published_at": at, "company_id": ACCOUNT_ID,
            "additional_id": additional_id,
        }
        self.tickets[ticket_id] = ticket
        self.comments[ticket_id] = []
        self.changes[ticket_id] = []
        self.tags[ticket_id] = list(dict.fromkeys(tags))
        client["tickets"].append(ticket_id)
        return ticket

    def add_comment(self, ticket: dict[str, Any], message: str, *, origin: str = "user",
                    kind: str = "public", user_id: int | None = None) -> dict[str, Any]:
        """Add a comment (``origin``: client, user or trigger; ``kind``: public or
        private) to ``ticket`` and return it."""
        at = self.clock()
        client = self.clients.get(ticket["client_id"])
        comment = {
            "id": self.next_id("comment"), "message": message, "from": origin, "type": kind,
            "user_id": user_id if origin == "user" else None,
            "client_id": ticket["client_id"] if origin == "client" else None,
            "client_name": client["name"] if client and origin == "client" else None,
            "ticket_id": ticket["id"], "is_first": int(not self.comments[ticket["id"]]),
            "delivered": 1, "readed": 0, "published_at": at, "file": None, "bcc": [],
            "cc": [], "files": [],
        }
        self.comments[ticket["id"]].append(comment)
        ticket["last_updated_at"] = at
        return comment

    def change_ticket(self, ticket: dict[str, Any], values: dict[str, Any], *,
                      user_id: int | None) -> dict[str, Any] | None:
        """Write ``values`` (ticket fields, with ``tags`` as a list) to ``ticket`` and
        record the change as Usedesk reports it (``data[{target, value, old_value}]``);
        ``None`` when nothing changed."""
        data = []
        old_status = ticket["status_id"]
        for name, value in values.items():
            if name == "tags":
                added = [t for t in value if t not in self.tags[ticket["id"]]]
                if added:
                    self.tags[ticket["id"]].extend(added)
                    data.append({"target": "new_tags", "value": ", ".join(added)})
                continue
            target = "status_id" if name == "status_id" else name
            if ticket.get(name) != value:
                data.append({"target": target, "value": value, "old_value": ticket.get(name)})
                ticket[name] = value
        if not data:
            return None
        at = self.clock()
        ticket["last_updated_at"] = at
        change = {"id": self.next_id("change"), "trigger_id": None, "user_id": user_id,
                  "ticket_id": ticket["id"], "data": data, "changed_at": at,
                  "old_status": old_status, "new_status": ticket["status_id"],
                  "company_id": ACCOUNT_ID}
        self.changes[ticket["id"]].append(change)
        return change

    def add_rating(self, ticket: dict[str, Any], rating: int, comment: str) -> dict[str, Any]:
        """Record the client's rating of ``ticket`` and return it."""
        at = self.clock()
        comments = self.comments[ticket["id"]]
        csi = {"id": self.next_id("csi"), "user_id": ticket["assignee_id"],
               "client_id": ticket["client_id"], "ticket_id": ticket["id"], "rating": rating,
               "company_id": ACCOUNT_ID,
               "ticket_comment_id": comments[-1]["id"] if comments else None,
               "comment": comment, "created_at": at, "updated_at": at}
        self.ratings.append(csi)
        return csi
