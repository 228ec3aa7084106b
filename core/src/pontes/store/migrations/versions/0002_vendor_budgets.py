"""Vendor rate budgets shared by every process: one row per vendor account.

``account`` is a keyed hash of the vendor account (never a credential), ``connection`` the
connection that first used the budget, ``calls`` the log of the times calls were let
through and ``paused_until`` the end of the last pause, in seconds since the epoch on the
database's clock (see ``pontes.store.budgets``).

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vendor_budgets",
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("calls", sa.JSON, nullable=False),
        sa.Column("paused_until", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("account", name="pk_vendor_budgets"),
    )


def downgrade() -> None:
    op.drop_table("vendor_budgets")
