"""Privacy: erased cases, the bot's recent messages, case reads, login throttling, lockdown.

Case keys are NOT in the database (they live in the case-key store next to the data key), so
this migration re-encrypts nothing: rows written before it stay under the column key and are
still read; new case content is written under each case's own key from the first write on.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def _staff_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["staff.id"], name=op.f(f"fk_{table}_{column}_staff"), ondelete="SET NULL"
    )


def upgrade() -> None:
    # Volunteers' chat ids become encrypted, and must now be proven: the clear ones are dropped
    # (a migration has no key to encrypt them with); each volunteer sets theirs again.
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("telegram_chat_id")
        batch.add_column(sa.Column("telegram_chat_id", sa.Text(), nullable=True))
    op.create_table(
        "chat_proof",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name=op.f("fk_chat_proof_staff_id_staff"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_chat_proof")),
    )
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("member_id", existing_type=sa.Integer(), nullable=True)
    op.create_table(
        "bot_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_key", sa.String(length=64), nullable=False),
        sa.Column("message_ref", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_message")),
    )
    op.create_index(op.f("ix_bot_message_telegram_key"), "bot_message", ["telegram_key"])
    op.create_index(op.f("ix_bot_message_sent_at"), "bot_message", ["sent_at"])
    op.create_table(
        "case_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _staff_fk("staff_id", "case_access"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_access")),
    )
    for column in ("case_id", "staff_id", "at"):
        op.create_index(op.f(f"ix_case_access_{column}"), "case_access", [column])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "lockdown",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        _staff_fk("started_by_id", "lockdown"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lockdown")),
    )


def downgrade() -> None:
    op.drop_table("chat_proof")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("telegram_chat_id")
        batch.add_column(sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True))
    op.drop_table("lockdown")
    op.drop_table("login_throttle")
    for column in ("at", "staff_id", "case_id"):
        op.drop_index(op.f(f"ix_case_access_{column}"), table_name="case_access")
    op.drop_table("case_access")
    op.drop_index(op.f("ix_bot_message_sent_at"), table_name="bot_message")
    op.drop_index(op.f("ix_bot_message_telegram_key"), table_name="bot_message")
    op.drop_table("bot_message")
    op.execute('DELETE FROM "case" WHERE member_id IS NULL')
    with op.batch_alter_table("case") as batch:
        batch.alter_column("member_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("erased_at")
