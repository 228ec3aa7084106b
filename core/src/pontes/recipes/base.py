"""What a recipe is, and what it gets when it runs.

A recipe is an integration written against canonical capabilities only: it names roles
(``helpdesk``, ``crm``, ``chat``), what each role must be able to do, which trigger
events it reacts to, its options and its mapping slots. When an event arrives, the
engine calls ``recipe.handle(ctx, event)`` with a ``RunContext``.

Runs are at-least-once: after a crash an event runs again. ``RunContext.create`` makes a
record's creation idempotent: the links store records that the step began and, once the
vendor answers, the new record's id; a re-run reuses that id, and when the first attempt
stopped before the id was written down, it looks for the record by its marker
(``pontes.markers``) before creating it again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from ..connection import Connection
from ..errors import CapabilityError, ConfigError, PermanentFailure
from ..keys import tokens_equal
from ..markers import marker_for
from ..models import ClientContext, Event, Record

if TYPE_CHECKING:
    from ..config import IntegrationConfig
    from ..connector import PollingTrigger, WebhookTrigger
    from .requests import RequestSpec


R = TypeVar("R", bound=Record)

log = logging.getLogger("pontes.recipes")

RESULT = "result"
"""The key under which a step's link group keeps the id of the record it created."""


class NoOptions(BaseModel):
    """Options of a recipe that has none."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class RoleSpec:
    """One role of a recipe: what its connection must do and which events it sends.

    ``requires`` are capabilities the connection must have (actions, or an automation of
    its vendor such as ``request.posted``); ``triggers`` are the trigger events the recipe
    handles from this role (the role needs at least one of them when any are listed);
    ``optional`` capabilities are used when present.
    """

    requires: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class MappingSlot:
    """A field mapping a recipe applies: from a ``source`` model to a ``target`` model.

    ``default`` is the mapping used when the operator's config leaves the slot out; the
    operator's entries are added on top of it (and override the same targets).
    """

    source: type[Record]
    target: type[Record]
    description: str = ""
    default: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetupStep:
    """One step of activating an integration: done by pontes, or to be done by a person."""

    title: str
    done: bool
    detail: str = ""


class Links(Protocol):
    """Who is who across systems: groups of remote ids that stand for one thing.

    This is the links store as a recipe sees it (``RunContext.links``); the engine gives
    it ``pontes.store.StoreLinks``. ``kind`` scopes a group ("contact", "company",
    "deal-ticket", "step:<name>"...).
    """

    async def lookup(self, kind: str, connection: str, remote_id: str) -> dict[str, str] | None:
        """The group containing ``remote_id`` at ``connection``: ``{connection: remote_id}``
        plus the group's canonical id under the key ``"id"``, or ``None``."""
        ...

    async def link(self, kind: str, refs: dict[str, str], canonical_id: str | None = None) -> str:
        """Record that ``refs`` (connection -> remote id) are one thing; returns its id."""
        ...

    async def unlink(self, kind: str, connection: str, remote_id: str) -> None:
        """Take ``remote_id`` at ``connection`` out of its group."""
        ...

    async def synced(self, integration: str, link_id: str, connection: str) -> dict[str, Any]:
        """``{field: value}`` that ``connection``'s side of group ``link_id`` last agreed
        on with the other side, for ``integration`` (see ``pontes.store.synced``)."""
        ...

    async def remember(self, integration: str, link_id: str, connection: str,
                       values: dict[str, Any]) -> None:
        """Record ``values`` as agreed for ``connection``'s side of group ``link_id``."""
        ...

    async def forget(self, integration: str, link_id: str) -> None:
        """Drop the values agreed for group ``link_id``."""
        ...


@dataclass
class RunContext:
    """What a recipe's ``handle`` gets: the integration, its connections and helpers."""

    integration: Integration
    event: Event
    source_role: str
    links: Links
    notes: list[str] = field(default_factory=list)

    @property
    def options(self) -> Any:
        """The integration's options, validated against the recipe's options model."""
        return self.integration.options

    def role(self, name: str) -> Connection:
        """The connection playing role ``name``."""
        return self.integration.connections[name]

    @property
    def source(self) -> Connection:
        """The connection the event came from."""
        return self.role(self.source_role)

    def mapping(self, slot: str):
        """The compiled mapping of a slot (``CompiledMapping.apply(record) -> dict``)."""
        return self.integration.mappings[slot]

    def note(self, text: str) -> None:
        """Record what the run did, for the admin API and the demo's story."""
        self.notes.append(text)

    async def load(self, expected: type[R]) -> R:
        """The canonical record this event is about (re-fetched by the trigger's plugin).

        ``expected`` is the model the recipe works with; another kind of record is a
        permanent failure naming both.
        """
        record = await self.integration.load(self.source_role, self.event)
        if not isinstance(record, expected):
            raise PermanentFailure(
                f"{self.event.type} from {self.source.name} gave a {type(record).__name__}, "
                f"expected a {expected.__name__}"
            )
        return record

    async def create(self, step: str, connection: Connection, capability: str,
                     draft: Record) -> str:
        """Create ``draft`` at ``connection`` through ``capability`` (``ticket.create``...)
        once per event and step; returns the new record's remote id.

        The draft gets the step's marker as its pontes ``id`` (the plugin writes it at the
        vendor). The links store records that the step began before the vendor is called,
        and the new id once it answers. A later run of the same event (a retry, a replay,
        a run after a crash) reuses the recorded id; if an earlier attempt began but never
        recorded an id, the record is looked for (``created``) before it is made again.
        """
        made = await self.created(step, connection, capability, draft)
        if made is not None:
            return made
        kind, scope, key = self._step(step)
        await self.links.link(kind, {scope: key})
        record = await connection.call(capability, self._marked(step, draft))
        remote_id = record.ref(connection.name) or _remote_id(record)
        await self.links.link(kind, {scope: key, RESULT: remote_id})
        return remote_id

    async def created(self, step: str, connection: Connection, capability: str,
                      draft: Record) -> str | None:
        """The remote id of the record ``step`` of this event created from ``draft`` with
        ``capability``, or ``None`` when it created none.

        Known from the links store when the step finished; when an earlier attempt began
        the step and stopped without recording an id (killed, or the vendor's answer was
        lost), the record is looked for by its marker through the connection's
        ``<entity>.find_created``, and linked when found. A connection that cannot look
        gets ``None``, with a warning: the record may then be created twice.
        """
        kind, scope, key = self._step(step)
        group = await self.links.lookup(kind, scope, key)
        if group is None:
            return None
        if RESULT in group:
            return group[RESULT]
        finder = capability.rsplit(".", 1)[0] + ".find_created"
        try:
            found = await connection.call(finder, self._marked(step, draft))
        except CapabilityError as error:
            log.warning("an earlier attempt of %s for event %s may have created a record at "
                        "%s; it cannot be looked for (%s), so it may be created twice",
                        step, key, connection.name, error)
            return None
        if found is None:
            return None
        remote_id = found.ref(connection.name) or _remote_id(found)
        await self.links.link(kind, {scope: key, RESULT: remote_id})
        self.note(f"found {remote_id} at {connection.name}, created by an earlier attempt")
        return remote_id

    def marker(self, step: str) -> str:
        """The marker (pontes id) of the record ``step`` of this event creates."""
        return marker_for(self.integration.name, self.event.idempotency_key, step)

    def _step(self, step: str) -> tuple[str, str, str]:
        return f"step:{step}", self.integration.name, self.event.idempotency_key

    def _marked(self, step: str, draft: R) -> R:
        return draft.model_copy(update={"id": self.marker(step)})


def _remote_id(record: Record) -> str:
    if not record.refs:
        raise ValueError(f"{type(record).__name__} came back without a remote id in refs")
    return next(iter(record.refs.values()))


Handler = Callable[[RunContext, Event], Awaitable[Any]]
ContextProvider = Callable[[RunContext], Awaitable[ClientContext | None]]
Activator = Callable[["Integration", dict[str, str]], Awaitable[list[SetupStep]]]
CatchUp = Callable[["Integration", list[tuple[str, dict[str, str]]]], list[tuple[str, Event]]]
InitialSync = Callable[..., Awaitable[int]]


@dataclass(frozen=True)
class Recipe:
    """An integration pattern, usable with any connections that have the capabilities.

    - ``roles``: role name -> ``RoleSpec``;
    - ``options``: pydantic model of ``options:`` in the config;
    - ``mappings``: slot name -> ``MappingSlot``;
    - ``handle(ctx, event)``: does the work for one event and returns a short summary;
    - ``activate(integration, hook_urls)``: optional vendor-side set-up (registering
      webhooks at the URLs given per role, creating the integration user), returning the
      steps done and those left to a person;
    - ``context(ctx)``: optional; for events of the types in ``context_events``, the
      server asks it what the CRM knows about the client while answering the delivery
      (the event is stored first), and the trigger's ``reply`` turns that into the answer;
    - ``request``: optional; the JSON requests a helpdesk automation POSTs to the
      integration's request URL (``pontes.recipes.requests``);
    - ``catch_up(integration, groups)``: optional; given the link groups (``(kind,
      {connection: remote id})``) of the integration's connections, the ``(role, event)``
      pairs that ``pontes activate`` stores so that what changed while the integration was
      deactivated is handled;
    - ``initial_sync(integration, store, progress=...)``: optional; what ``pontes
      activate`` runs after ``activate`` to bring what the vendors already hold into the
      integration (it stores events and resumes from store cursors), returning how many
      events it stored.
    """

    name: str
    description: str
    roles: dict[str, RoleSpec]
    handle: Handler
    options: type[BaseModel] = NoOptions
    mappings: dict[str, MappingSlot] = field(default_factory=dict)
    activate: Activator | None = None
    context: ContextProvider | None = None
    context_events: tuple[str, ...] = ()
    request: RequestSpec | None = None
    catch_up: CatchUp | None = None
    initial_sync: InitialSync | None = None


@dataclass
class Integration:
    """A configured recipe with its connections, options, compiled mappings, the token
    of each role's webhook URL and, for a recipe that takes requests, the token of its
    request URL."""

    name: str
    recipe: Recipe
    config: IntegrationConfig
    connections: dict[str, Connection]
    options: BaseModel
    mappings: dict[str, Any]
    webhook_tokens: dict[str, str] = field(default_factory=dict)
    request_token: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    """The installation's public URL, for the links a recipe hands out (panels)."""

    @property
    def max_attempts(self) -> int:
        return self.config.max_attempts

    def trigger_roles(self) -> list[str]:
        """Roles whose events this integration handles."""
        return [role for role, spec in self.recipe.roles.items() if spec.triggers]

    def webhook_triggers(self, role: str) -> list[WebhookTrigger]:
        """The webhook triggers of ``role``'s connection that emit events the recipe wants."""
        connection = self.connections[role]
        wanted = set(self.recipe.roles[role].triggers)
        return [t for t in connection.webhook_triggers() if wanted & set(t.events)]

    def polling_triggers(self, role: str) -> list[PollingTrigger]:
        """The polling triggers of ``role``'s connection that emit events the recipe wants
        (none unless the integration turned polling on)."""
        if not self.config.poll:
            return []
        connection = self.connections[role]
        wanted = set(self.recipe.roles[role].triggers)
        return [t for t in connection.polling_triggers() if wanted & set(t.events)]

    def poll_interval(self, trigger: PollingTrigger) -> float:
        """Seconds between two polls of ``trigger``: the integration's choice, else the
        trigger's own."""
        return self.config.poll_interval or trigger.interval_seconds

    def role_for_token(self, token: str) -> str | None:
        """The role whose webhook URL token is ``token`` (compared in constant time)."""
        found = None
        for role, expected in self.webhook_tokens.items():
            if tokens_equal(token, expected):
                found = role
        return found

    async def load(self, role: str, event: Event) -> Record:
        """The canonical record of ``event``, loaded by the trigger that produced it."""
        connection = self.connections[role]
        for trigger in connection.triggers:
            if event.trigger in (None, trigger.name) and event.type in trigger.events:
                return await trigger.load(connection, event)
        raise ConfigError(
            f"integration {self.name!r}: no trigger of {connection.name!r} loads {event.type!r}"
        )
