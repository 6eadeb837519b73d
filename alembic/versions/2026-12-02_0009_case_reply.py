"""The Telegram message id of each volunteer reply delivered to a worker, by case: a worker's
Telegram reply to it goes to that case, even when a newer case is open.

No words and no chat id: the case names the worker's chat. Deleted with the case's content.

Revision ID: 0009
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0009"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_case_reply_case_id_case",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_case_reply"),
    )
    op.create_index("ix_case_reply_case_id", "case_reply", ["case_id"])
    op.create_index("ix_case_reply_telegram_message_id", "case_reply", ["telegram_message_id"])


def downgrade() -> None:
    op.drop_index("ix_case_reply_telegram_message_id", table_name="case_reply")
    op.drop_index("ix_case_reply_case_id", table_name="case_reply")
    op.drop_table("case_reply")
