"""The web console: a staff member's interface language, and idle timeouts of console sessions.

A console session is a staff token with `idle_until` set: it ends after a quiet spell as well as
at `expires_at`. API bearer tokens leave it NULL.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("interface_lang", sa.String(length=16), nullable=True))
    with op.batch_alter_table("staff_token") as batch:
        batch.add_column(sa.Column("idle_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_token") as batch:
        batch.drop_column("idle_until")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("interface_lang")
