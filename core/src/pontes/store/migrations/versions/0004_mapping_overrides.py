"""Mappings saved from the admin pages: versioned overrides of the config file's mappings.

One row per saved version of one integration's mapping slot; the newest is in force.
``mapping`` is null for a version that puts the config file's mapping back in force.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mapping_overrides",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("integration", sa.String(200), nullable=False),
        sa.Column("slot", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("mapping", sa.JSON),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mapping_overrides"),
        sa.UniqueConstraint("integration", "slot", "version",
                            name="uq_mapping_overrides_integration_slot_version"),
    )


def downgrade() -> None:
    op.drop_table("mapping_overrides")
