"""What a vendor plugin contributes, as plain data: connectors, actions, triggers, mappers,
streams and sandboxes. Hook implementations return instances of these classes (see
``pontes.hookspecs``), usually collected by a ``pontes.kit.ConnectorKit``; the core
validates and indexes them in ``pontes.registry``.

Handlers receive the live ``pontes.connection.Connection`` as their first argument. This
module sits below it (a connection is built from these declarations), so the handler
types below say ``...`` where that argument goes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from .models import ClientContext, Event, Record

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from .http import VendorClient
    from .oauth import OAuth2


class ConnectionSettings(BaseModel):
    """Base of every connector's settings model: one entry under ``connections:``.

    A connector subclasses it with its credentials and options. Use ``pydantic.SecretStr``
    for secrets: they are then redacted from logs, errors and the admin API. ``base_url``
    overrides the vendor's host (data centres, sandboxes, tests).
    """

    model_config = ConfigDict(extra="forbid")

    plugin: str
    base_url: str | None = None


Role = Literal["helpdesk", "crm", "chat"]


@dataclass(frozen=True)
class Connector:
    """One vendor product that a plugin teaches pontes to talk to.

    - ``name``: the value of ``plugin:`` in a connection's config (``movidesk``);
    - ``title``: the product's name for people (``Movidesk``);
    - ``roles``: what the product is to a recipe (``helpdesk``, ``crm``, ``chat``);
    - ``settings``: the pydantic model of a connection's config entry;
    - ``client``: builds the vendor HTTP client for a connection;
    - ``check``: proves the credentials work (raises ``AuthError`` when they don't);
    - ``webhook_setup(events, url)``: the steps a person takes in the vendor's UI to make
      it call ``url`` for ``events`` (for vendors whose API cannot register webhooks);
    - ``oauth``: how the vendor's OAuth2 works (``pontes.oauth.OAuth2``), for connectors
      whose connections sign in with it; their clients are then given the stored tokens;
    - ``automations``: trigger capabilities the vendor's own automation provides with no
      trigger of the plugin behind it, as ``request.posted`` (its rules can POST a body
      the operator writes, which the server takes at ``/requests/...``).
    """

    name: str
    title: str
    roles: tuple[Role, ...]
    settings: type[ConnectionSettings]
    client: Callable[[str, ConnectionSettings], VendorClient]
    check: Callable[..., Awaitable[None]]
    docs_url: str | None = None
    webhook_setup: Callable[[tuple[str, ...], str], str] | None = None
    oauth: OAuth2 | None = None
    automations: tuple[str, ...] = ()


ActionHandler = Callable[..., Awaitable[Any]]
"""``async handler(connection, params)``."""


@dataclass(frozen=True)
class Action:
    """One thing a connector can do at its vendor, for example ``contact.find_by_email``.

    ``handler(connection, params)`` is awaited with ``params`` already validated against
    the capability's input model, and must return the capability's output. A name that is
    not a canonical capability must be prefixed with the connector's name and declare its
    own ``input`` and ``output`` models.
    """

    connector: str
    name: str
    handler: ActionHandler
    input: type[BaseModel] | None = None
    output: Any = None
    description: str = ""


@dataclass(frozen=True)
class WebhookRequest:
    """An incoming webhook delivery as a trigger sees it.

    ``body`` is the raw bytes; ``data`` the body parsed from JSON or from a form
    (amoCRM posts ``leads[add][0][id]=1``: ``data`` keeps those keys flat as sent).
    ``settings`` are the receiving connection's settings, for triggers that check a
    secret the vendor sends back with each delivery (Ploomes' ``ValidationKey``).
    """

    connection: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    data: Any
    content_type: str
    settings: ConnectionSettings | None = None


@dataclass(frozen=True)
class WebhookAck:
    """The answer a vendor expects for an accepted delivery (Jivo wants ``{"result":"ok"}``)."""

    status: int = 200
    body: Any = None


@dataclass(frozen=True)
class WebhookTrigger:
    """Turns a vendor's webhook deliveries into events.

    - ``parse(request)`` returns the events in a delivery (often one) with stable
      idempotency keys, or raises ``InvalidPayload`` with a reason. It must not call the
      vendor: the delivery is stored first and answered quickly.
    - ``load(connection, event)`` returns the canonical record the event is about,
      re-fetching it from the vendor when the body is only a hint.
    - ``ack`` is the answer for an accepted delivery.
    - ``reply(event, context)``, when given, builds the answer from what the CRM knows
      about the client (a ``ClientContext``), for vendors that show it to an agent; the
      server uses it for recipes that provide context, and falls back to ``ack``.
    - ``secrets(request)``, when given, returns the secrets a delivery carries besides the
      connection's own (other parties' keys the vendor copies into it, a secret sent
      wrong); they are masked, with the connection's, wherever the delivery and its events
      are stored. It must not raise on any body.
    """

    connector: str
    name: str
    events: tuple[str, ...]
    parse: Callable[[WebhookRequest], list[Event]]
    load: Callable[..., Awaitable[Record]]
    ack: WebhookAck = field(default_factory=WebhookAck)
    reply: Callable[[Event, ClientContext], Any] | None = None
    description: str = ""
    secrets: Callable[[WebhookRequest], Iterable[str]] | None = None


@dataclass(frozen=True)
class PollResult:
    """What one poll found: new events and the cursor to start from next time."""

    events: list[Event]
    cursor: str | None


@dataclass(frozen=True)
class PollingTrigger:
    """Finds changes by asking the vendor periodically (reconciles missed webhooks).

    ``poll(connection, cursor)`` returns events changed since ``cursor`` (``None`` on the
    first run) and the next cursor; the core stores the cursor only after the events are.
    """

    connector: str
    name: str
    events: tuple[str, ...]
    poll: Callable[..., Awaitable[PollResult]]
    load: Callable[..., Awaitable[Record]]
    interval_seconds: float = 300.0
    description: str = ""


@dataclass(frozen=True)
class Mapper:
    """Translates one vendor object to a canonical record and back.

    ``to_canonical(raw, connection_name)`` keeps ``raw`` in ``remote_data`` and the vendor
    id in ``refs[connection_name]``; ``from_canonical(record, connection_name)`` builds the
    vendor payload for a create or update.
    """

    connector: str
    entity: str
    model: type[Record]
    to_canonical: Callable[[dict[str, Any], str], Record]
    from_canonical: Callable[[Record, str], dict[str, Any]]


ColumnType = Literal["text", "integer", "float", "boolean", "timestamp", "date", "json"]
"""The column types a stream may declare (see ``pontes.export`` for how each is stored)."""


@dataclass(frozen=True)
class Column:
    """One column of an exported table: its type and where its value is in a vendor record.

    ``source`` is the key of the value in the raw record, dotted for nested objects
    (``owner.id``); by default the column's own name. Values are converted to ``type``
    when exported (a list or object becomes JSON text in a ``text`` column).
    """

    type: ColumnType = "text"
    source: str | None = None
    description: str = ""


@dataclass(frozen=True)
class ChildTable:
    """A nested list of a vendor record that becomes a table of its own.

    - ``name``: the table is ``<parent table>__<name>`` (``tickets__actions``);
    - ``path``: the key of the list in the raw parent record (default: ``name``); a single
      nested object there is one child row, a missing or null value none;
    - ``parent_key``: child column -> parent column whose value each child row repeats
      (``{"ticket_id": "id"}``), next to the loader's own link to the parent row;
    - ``columns``, ``children``: as on ``Stream``;
    - ``table``: load the rows into this top-level table instead of nesting them under
      the parent's; they are then linked by ``parent_key`` alone, and replaced, for each
      parent that is exported again, by the rows that parent has now.
    """

    name: str
    path: str | None = None
    parent_key: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, Column | ColumnType] = field(default_factory=dict)
    children: tuple[ChildTable, ...] = ()
    table: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Stream:
    """A table of vendor records for warehouse export.

    ``read(connection, cursor)`` yields raw records changed since ``cursor`` (all of them
    when ``None``), paging within the vendor's limits. With a ``cursor_field`` the records
    must come in ascending order of that column, so that the export can commit its
    progress as it goes. ``children`` names the nested lists that become child tables
    (``actions`` of a ticket becomes ``tickets__actions``), as names or ``ChildTable``.

    ``columns`` declares the table's columns (name -> type, or ``Column``); when it is
    empty, records are exported as they come. ``table`` names the destination table
    (default: ``name``). ``lag`` widens every incremental read backwards from the last
    exported cursor value (seconds for timestamps, days for dates, units for numbers), for
    vendors whose searches show changes late; the records read again are merged on the
    primary key.
    """

    connector: str
    name: str
    primary_key: tuple[str, ...]
    read: Callable[..., AsyncIterator[dict[str, Any]]]
    cursor_field: str | None = None
    children: tuple[str | ChildTable, ...] = ()
    columns: Mapping[str, str | Column] = field(default_factory=dict)
    description: str = ""
    table: str | None = None
    lag: float = 0.0


@dataclass(frozen=True)
class Sandbox:
    """An emulator of a vendor's API for demos and tests.

    ``app(**options)`` builds a fresh Starlette app with the sandbox's default data;
    ``settings(base_url, **options)`` returns the config entry of a connection that works
    against a sandbox served at ``base_url`` (its credentials are the sandbox's own).
    ``options`` are the sandbox's own keyword options (a rate limit, say), given the same
    to both so that the connection matches the sandbox.
    """

    connector: str
    app: Callable[..., ASGIApp]
    settings: Callable[..., dict[str, Any]]
    description: str = ""
