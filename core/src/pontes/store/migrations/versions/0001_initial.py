"""The first schema: events, attempts, links, cursors, secrets, oauth_tokens.

Revision ID: 0001
Revises:
Create Date: 2025-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("integration", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("trigger", sa.String(200)),
        sa.Column("type", sa.String(200)),
        sa.Column("idempotency_key", sa.String(500)),
        sa.Column("entity_key", sa.String(500)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("attempts_base", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", Timestamp),
        sa.Column("lease_until", Timestamp),
        sa.Column("claimed_by", sa.BigInteger),
        sa.Column("last_error", sa.Text),
        sa.Column("result", sa.JSON),
        sa.Column("body", sa.LargeBinary),
        sa.Column("content_type", sa.String(200)),
        sa.Column("headers", sa.JSON),
        sa.Column("event", sa.JSON),
        sa.Column("received_at", Timestamp, nullable=False),
        sa.Column("finished_at", Timestamp),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.UniqueConstraint("integration", "idempotency_key",
                            name="uq_events_integration_idempotency_key"),
    )
    op.create_index("ix_events_status_next_attempt_at_id", "events",
                    ["status", "next_attempt_at", "id"])
    op.create_index("ix_events_integration_entity_key_id", "events",
                    ["integration", "entity_key", "id"])
    op.create_index("ix_events_received_at", "events", ["received_at"])

    op.create_table(
        "attempts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("event_id", Id, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("started_at", Timestamp, nullable=False),
        sa.Column("finished_at", Timestamp),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("duration_ms", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name="fk_attempts_event_id_events"),
        sa.UniqueConstraint("event_id", "number", name="uq_attempts_event_id_number"),
    )

    op.create_table(
        "links",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(200), nullable=False),
        sa.Column("canonical_id", sa.String(64), nullable=False),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("remote_id", sa.String(500), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
        sa.UniqueConstraint("kind", "connection", "remote_id",
                            name="uq_links_kind_connection_remote_id"),
    )
    op.create_index("ix_links_kind_canonical_id", "links", ["kind", "canonical_id"])

    op.create_table(
        "cursors",
        sa.Column("integration", sa.String(200), nullable=False),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("trigger", sa.String(200), nullable=False),
        sa.Column("value", sa.Text),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("last_success_at", Timestamp),
        sa.Column("last_error", sa.Text),
        sa.PrimaryKeyConstraint("integration", "connection", "trigger", name="pk_cursors"),
    )

    op.create_table(
        "secrets",
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("blob", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("connection", name="pk_secrets"),
    )

    op.create_table(
        "oauth_tokens",
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("blob", sa.LargeBinary, nullable=False),
        sa.Column("expires_at", Timestamp),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("connection", name="pk_oauth_tokens"),
    )


def downgrade() -> None:
    for table in ("oauth_tokens", "secrets", "cursors", "links", "attempts", "events"):
        op.drop_table(table)
