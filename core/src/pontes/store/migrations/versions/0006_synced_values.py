"""Synced values: per integration, linked record, connection and field, the value both
sides agreed on at the last sync.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "synced_values",
        sa.Column("integration", sa.String(200), nullable=False),
        sa.Column("link_id", sa.String(64), nullable=False),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("field", sa.String(200), nullable=False),
        sa.Column("value", sa.JSON),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("integration", "link_id", "connection", "field",
                                name="pk_synced_values"),
    )


def downgrade() -> None:
    op.drop_table("synced_values")
