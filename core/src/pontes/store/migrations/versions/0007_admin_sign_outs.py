"""Admin sessions ended by signing out, so that every server process refuses them.

One row per session id, until the session would have expired anyway.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_sign_outs",
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name="pk_admin_sign_outs"),
    )


def downgrade() -> None:
    op.drop_table("admin_sign_outs")
