"""The tables of the store, as SQLAlchemy Core metadata.

The migrations in ``pontes/store/migrations`` create exactly these tables; a test compares
the two so they cannot drift apart.

- ``events``: the inbox. One row per event (or per rejected delivery), in arrival order
  (``id``); ``idempotency_key`` is unique per integration, which is what makes a repeated
  delivery a no-op. It is the record of every event whichever queue runs it (see
  ``pontes.store.jobs``). ``attempts_base`` is the attempt count at the last replay, and
  ``deferrals`` the attempts since then put off by a vendor budget (not counted against
  ``max_attempts``).
- ``attempts``: one row per run of an event, with its outcome and error.
- ``links``: groups of remote ids that stand for one thing (``kind`` scopes a group).
- ``cursors``: where each polling trigger of each integration left off, and when it is
  next due (``next_poll_at``, kept by the cluster's poll schedule).
- ``secrets`` and ``oauth_tokens``: connection credentials, encrypted at rest.
- ``vendor_budgets``: one rate budget per vendor account, shared by every process
  (``pontes.store.budgets``).
- ``admin_sign_outs``: admin sessions ended by signing out, kept until the session would
  have expired, so that no server process accepts them again.
- ``mapping_overrides``: mappings saved from the admin pages, versioned per integration
  and slot; the newest version is in force over the config file (``mapping`` null: the
  config file's mapping is back in force).
- ``panel_preferences``: what an operator chose in a panel, per integration and name (the
  fields a CRM panel's deal list shows, say), as JSON.
- ``synced_values``: per integration, linked record, connection and field, the value both
  sides agreed on at the last sync (``contact_sync`` compares changes against it).
- ``integration_states``: whether each integration is active (``pontes activate``) or
  was deactivated (``pontes deactivate``), and since when.

On PostgreSQL the database also holds Procrastinate's tables (``procrastinate_*``), created
by the same migrations but not described here: they are Procrastinate's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import DateTime, TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator):
    """A timestamp that goes in and comes out as an aware UTC ``datetime``.

    SQLite keeps no time zone, so values are stored there as naive UTC; PostgreSQL keeps
    them in ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


Id = BigInteger().with_variant(Integer(), "sqlite")
"""Auto-increment ids: BIGINT on PostgreSQL, INTEGER (the rowid) on SQLite."""

EVENT_STATUSES = ("received", "running", "succeeded", "dead", "rejected", "ignored")
"""``received`` waits to run (first time or retry), ``running`` is claimed by a runner,
``succeeded`` and ``dead`` are final until a replay, ``rejected`` never runs, nor does
``ignored`` (a delivery understood, but with no event the recipe uses)."""


events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("integration", String(200), nullable=False),
    Column("role", String(100), nullable=False),
    Column("connection", String(200), nullable=False),
    Column("source", String(20), nullable=False),
    Column("trigger", String(200)),
    Column("type", String(200)),
    Column("idempotency_key", String(500)),
    Column("entity_key", String(500)),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("attempts_base", Integer, nullable=False, default=0),
    Column("deferrals", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime),
    Column("last_error", Text),
    Column("result", JSON),
    Column("body", LargeBinary),
    Column("content_type", String(200)),
    Column("headers", JSON),
    Column("event", JSON),
    Column("received_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    UniqueConstraint("integration", "idempotency_key"),
    Index(None, "status", "next_attempt_at", "id"),
    Index(None, "integration", "entity_key", "id"),
    Index(None, "received_at"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Column("outcome", String(20), nullable=False),
    Column("error", Text),
    Column("duration_ms", Integer),
    UniqueConstraint("event_id", "number"),
)

links = Table(
    "links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(200), nullable=False),
    Column("canonical_id", String(64), nullable=False),
    Column("connection", String(200), nullable=False),
    Column("remote_id", String(500), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("kind", "connection", "remote_id"),
    Index(None, "kind", "canonical_id"),
)

cursors = Table(
    "cursors",
    metadata,
    Column("integration", String(200), primary_key=True),
    Column("connection", String(200), primary_key=True),
    Column("trigger", String(200), primary_key=True),
    Column("value", Text),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_success_at", UtcDateTime),
    Column("last_error", Text),
    Column("next_poll_at", UtcDateTime),
)

secrets = Table(
    "secrets",
    metadata,
    Column("connection", String(200), primary_key=True),
    Column("blob", LargeBinary, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("connection", String(200), primary_key=True),
    Column("blob", LargeBinary, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
)

vendor_budgets = Table(
    "vendor_budgets",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("connection", String(200), nullable=False),
    Column("calls", JSON, nullable=False),
    Column("paused_until", Double, nullable=False),
)

mapping_overrides = Table(
    "mapping_overrides",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("integration", String(200), nullable=False),
    Column("slot", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("mapping", JSON),
    Column("note", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("integration", "slot", "version"),
)

panel_preferences = Table(
    "panel_preferences",
    metadata,
    Column("integration", String(200), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

synced_values = Table(
    "synced_values",
    metadata,
    Column("integration", String(200), primary_key=True),
    Column("link_id", String(64), primary_key=True),
    Column("connection", String(200), primary_key=True),
    Column("field", String(200), primary_key=True),
    Column("value", JSON),
    Column("updated_at", UtcDateTime, nullable=False),
)

admin_sign_outs = Table(
    "admin_sign_outs",
    metadata,
    Column("session_id", String(64), primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False),
)

integration_states = Table(
    "integration_states",
    metadata,
    Column("integration", String(200), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)
