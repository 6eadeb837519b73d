"""What the bot remembers of a worker between messages: it asked for the language once, and a
voice note offered to a volunteer before the worker agreed.

The voice note is kept as its Telegram file id only, encrypted like every other file id.

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
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("language_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pending_voice_file_id", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("pending_voice_file_id")
        batch.drop_column("language_asked_at")
