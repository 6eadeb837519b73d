"""Escalation to volunteers: staff and tokens, cases with their thread, canned replies, the
outbox of messages to send and the inbound update log.

Enum-like columns are plain VARCHARs (the values live in sathi/enums.py), so adding a status needs
no migration; encrypted columns are TEXT holding Fernet tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _staff_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["staff.id"], name=op.f(f"fk_{table}_{column}_staff"), ondelete="SET NULL"
    )


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["case_id"], ["case.id"], name=op.f(f"fk_{table}_case_id_case"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("public_name", sa.String(length=64), nullable=True),
        sa.Column("telegram_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _time("last_login_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_username")),
    )
    op.create_table(
        "staff_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _time("created_at"),
        _time("expires_at"),
        _time("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_token_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_token_token_hash")),
    )
    op.create_index(op.f("ix_staff_token_staff_id"), "staff_token", ["staff_id"])

    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=8), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        _time("consent_at"),
        _time("created_at"),
        _time("updated_at"),
        _time("last_worker_message_at", nullable=True),
        _time("resolved_at", nullable=True),
        _time("closed_at", nullable=True),
        _time("worker_blocked_at", nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _staff_fk("assignee_id", "case"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_case_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case")),
        sa.UniqueConstraint("reference", name=op.f("uq_case_reference")),
    )
    for column in ("assignee_id", "lang", "member_id", "status"):
        op.create_index(op.f(f"ix_case_{column}"), "case", [column])

    op.create_table(
        "case_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_id", sa.Text(), nullable=True),
        sa.Column("article_slug", sa.String(length=64), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        _time("created_at"),
        _staff_fk("author_id", "case_message"),
        _case_fk("case_message"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_message")),
    )
    op.create_index(op.f("ix_case_message_case_id"), "case_message", ["case_id"])

    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        _time("created_at"),
        _staff_fk("author_id", "case_note"),
        _case_fk("case_note"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    op.create_index(op.f("ix_case_note_case_id"), "case_note", ["case_id"])

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=64), nullable=True),
        _time("created_at"),
        _staff_fk("actor_id", "case_event"),
        _case_fk("case_event"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    op.create_index(op.f("ix_case_event_case_id"), "case_event", ["case_id"])

    op.create_table(
        "canned_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _staff_fk("created_by_id", "canned_reply"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_reply")),
    )
    op.create_index(op.f("ix_canned_reply_lang"), "canned_reply", ["lang"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("not_before"),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        _time("lease_until", nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _time("delivered_at", nullable=True),
        _case_fk("outbox"),
        sa.ForeignKeyConstraint(
            ["message_id"], ["case_message.id"], name=op.f("fk_outbox_message_id_case_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    op.create_index(op.f("ix_outbox_case_id"), "outbox", ["case_id"])
    op.create_index("ix_outbox_due", "outbox", ["status", "not_before"])

    op.create_table(
        "inbound_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        _time("received_at"),
        _time("processed_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_inbound_update")),
    )


def downgrade() -> None:
    op.drop_table("inbound_update")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index(op.f("ix_outbox_case_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_canned_reply_lang"), table_name="canned_reply")
    op.drop_table("canned_reply")
    op.drop_index(op.f("ix_case_event_case_id"), table_name="case_event")
    op.drop_table("case_event")
    op.drop_index(op.f("ix_case_note_case_id"), table_name="case_note")
    op.drop_table("case_note")
    op.drop_index(op.f("ix_case_message_case_id"), table_name="case_message")
    op.drop_table("case_message")
    for column in ("assignee_id", "lang", "member_id", "status"):
        op.drop_index(op.f(f"ix_case_{column}"), table_name="case")
    op.drop_table("case")
    op.drop_index(op.f("ix_staff_token_staff_id"), table_name="staff_token")
    op.drop_table("staff_token")
    op.drop_table("staff")
