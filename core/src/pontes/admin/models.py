"""The admin API's queries and answers as pydantic models.

The same models validate a request's query string, shape the JSON answer and the data the
admin pages render, and make the OpenAPI document (``pontes.admin.openapi``), so the three
cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..store import EVENT_STATUSES

MAX_ID = 2**62
"""The largest id the API accepts in a query or a path (ids are 64-bit in the store)."""

EventStatus = Literal[EVENT_STATUSES]  # type: ignore[valid-type]


class Query(BaseModel):
    """A query string: unknown parameters are ignored, known ones validated."""

    model_config = ConfigDict(extra="ignore")


class Answer(BaseModel):
    """A JSON answer."""

    model_config = ConfigDict(from_attributes=True)


# --- queries ------------------------------------------------------------------------------


class EventQuery(Query):
    """Filters of the events list; ``before`` pages backwards (the last page's smallest id)."""

    status: EventStatus | None = None
    integration: str | None = None
    entity_key: str | None = Field(None, description="Only events about this record")
    search: str | None = Field(None, max_length=500,
                               description="An event id or an idempotency key")
    since: AwareDatetime | None = Field(None, description="Received at or after (ISO 8601 "
                                                          "with zone)")
    until: AwareDatetime | None = Field(None, description="Received before (ISO 8601 with "
                                                          "zone)")
    before: int | None = Field(None, ge=1, le=MAX_ID, description="Only ids below this one "
                                                                  "(paging)")
    limit: int = Field(100, ge=1, le=1000)


class DeadQuery(Query):
    """Which dead events: of one integration, and (optionally) of one error."""

    integration: str | None = None
    reason: str | None = Field(None, description="Only events whose last error is this text")


class LinkQuery(Query):
    """Filters of the link lookup."""

    kind: str | None = None
    connection: str | None = None
    remote_id: str | None = None
    id: str | None = Field(None, description="The group's canonical id")
    limit: int = Field(100, ge=1, le=1000)


# --- answers ------------------------------------------------------------------------------


class ErrorAnswer(Answer):
    """What went wrong; ``field`` names the query parameter or input field at fault,
    ``status`` the state of an event that refused a replay, ``allowed`` what a wrong field
    could have been."""

    error: str
    field: str | None = None
    status: str | None = None
    allowed: list[str] | None = None


class PluginEntry(Answer):
    """An installed or locally loaded plugin, and why it failed to load (if it did)."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    enabled: bool
    error: str | None


class RecipeFit(Answer):
    """A recipe's roles and, per role, the installed connectors and the configured
    connections that can play it."""

    name: str
    description: str
    roles: dict[str, list[str]]
    connections: dict[str, list[str]]


class RecipePair(Answer):
    """One assignment of installed connectors to a recipe's roles: whether it works and,
    if not, what each connector lacks (``pontes.recipes.pairs``)."""

    recipe: str
    roles: dict[str, str]
    supported: bool
    missing: list[str]


class PluginsAnswer(Answer):
    """Plugins, the capabilities of each installed connector, who can play each recipe's
    roles, and every recipe x pair of installed connectors."""

    plugins: list[PluginEntry]
    capabilities: dict[str, list[str]]
    recipes: list[RecipeFit]
    pairs: list[RecipePair]


class LoginState(Answer):
    """Where a connection stands with OAuth."""

    state: Literal["logged_in", "needs_login", "not_oauth"]
    reason: str | None = None
    expires_at: datetime | None = None


class BudgetUse(Answer):
    """A connection's rate limit, the calls taken in the current window, and the seconds
    left of a pause the vendor asked for (a 429)."""

    limit: int
    per_seconds: float
    used: int
    paused_for: float

    @property
    def limited(self) -> bool:
        """Whether no call can start now."""
        return self.paused_for > 0 or self.used >= self.limit


class ConnectionEntry(Answer):
    """A configured connection: connector, roles and capabilities, never its secrets."""

    name: str
    plugin: str
    title: str
    roles: list[str]
    capabilities: list[str]
    base_url: str | None
    action_url: str
    login: LoginState
    budget: BudgetUse | None = None


class CheckAnswer(Answer):
    """The outcome of checking a connection's credentials against the vendor."""

    connection: str
    ok: bool
    message: str


class ActionTokenAnswer(Answer):
    """The token of ``POST /actions/<connection>/<action>``, and how to send it."""

    connection: str
    token: str
    header: str
    url: str


class WebhookEntry(Answer):
    """A webhook URL to paste into a vendor."""

    role: str
    connection: str
    trigger: str
    events: list[str]
    url: str


class RequestEntry(Answer):
    """A URL a helpdesk automation posts requests to (a rule's "POST request")."""

    role: str
    connection: str
    url: str


class PollingEntry(Answer):
    """A trigger the integration polls."""

    role: str
    connection: str
    trigger: str
    events: list[str]
    interval_seconds: float


class IntegrationEntry(Answer):
    """An integration with its roles, webhook URLs and pollers; ``active`` is whether it
    was last activated (``True``) or deactivated (``False``), ``None`` when never."""

    name: str
    recipe: str
    enabled: bool
    active: bool | None = None
    max_attempts: int
    roles: dict[str, str]
    webhooks: list[WebhookEntry]
    requests: list[RequestEntry]
    polling: list[PollingEntry]
    tab: str | None = None
    user_tabs: dict[str, str] = Field(default_factory=dict)


class SetupStepEntry(Answer):
    """One activation step, done or left to a person."""

    title: str
    done: bool
    detail: str | None = None


class ActivationAnswer(Answer):
    """What activating an integration did, and what is left to do."""

    integration: str
    steps: list[SetupStepEntry]


class EventEntry(Answer):
    """An event as listed."""

    id: int
    integration: str
    role: str
    connection: str
    source: Literal["webhook", "poll"]
    trigger: str | None
    type: str | None
    idempotency_key: str | None
    entity_key: str | None
    status: EventStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    received_at: datetime
    finished_at: datetime | None


class AttemptEntry(Answer):
    """One run of an event."""

    number: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error: str | None
    duration_ms: int | None


class EventDetailAnswer(EventEntry):
    """One event: what was received (secrets masked), what it parsed to, its result and
    every attempt; ``notes`` and ``links`` come from the run's result."""

    content_type: str | None
    headers: dict[str, Any] | None
    body: str | None
    body_bytes: int | None
    event: dict[str, Any] | None
    result: Any = None
    attempt_log: list[AttemptEntry]


class ReplayAnswer(Answer):
    """A replay was queued; ``was`` is the event's status before it."""

    id: int
    queued: bool
    was: str


class ReplayDeadAnswer(Answer):
    """How many dead events were queued again."""

    queued: int


class DeadGroup(Answer):
    """Dead events that died of one error."""

    integration: str
    reason: str
    count: int
    newest_id: int
    newest_at: datetime


class IntegrationHealth(Answer):
    """An integration's last 24 hours, its queue and its connections' state."""

    integration: str
    received_24h: int
    succeeded_24h: int
    dead_24h: int
    last_success_at: datetime | None
    waiting: int
    oldest_waiting_at: datetime | None
    connections: dict[str, str]


class CursorEntry(Answer):
    """A polling cursor: position, last success and last error."""

    integration: str
    connection: str
    trigger: str
    value: str | None
    updated_at: datetime
    last_success_at: datetime | None
    last_error: str | None


class LinkGroupEntry(Answer):
    """Remote ids in several connections that stand for one thing."""

    kind: str
    id: str
    refs: dict[str, str]


class MappingVersionEntry(Answer):
    """A saved version of a mapping (``mapping`` null: the config file's is in force)."""

    version: int
    mapping: dict[str, Any] | None
    note: str
    created_at: datetime


class MappingSlotEntry(Answer):
    """One mapping slot of an integration: the rules in force, where they come from, the
    fields it may write, and its saved versions."""

    integration: str
    slot: str
    description: str
    source_model: str
    target_model: str
    rules: dict[str, Any]
    config_rules: dict[str, Any]
    version: int | None
    target_fields: list[str]
    versions: list[MappingVersionEntry]


class MappingEdit(BaseModel):
    """An edited mapping: target field -> rule (a path, or ``{from: ..., transform: ...}``)."""

    model_config = ConfigDict(extra="forbid")

    rules: dict[str, Any]


class MappingCheck(Answer):
    """Whether an edited mapping is valid and, when it is, what it makes of a sample."""

    ok: bool
    error: str | None = None
    field: str | None = None
    allowed: list[str] = []
    sample_event: int | None = None
    preview: dict[str, Any] | None = None


class RollbackEdit(BaseModel):
    """Which saved version to put back in force (0: the config file's mapping)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0, le=MAX_ID)
