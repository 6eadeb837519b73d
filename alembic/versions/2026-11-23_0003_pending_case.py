"""A worker who agreed to talk to a volunteer and has not described the problem yet.

Kept on the member row, not in process memory, so that any instance (and a restarted one)
knows that the worker's next message opens a case.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("pending_case_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pending_case_topic", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("pending_case_topic")
        batch.drop_column("pending_case_at")
