"""The case list at scale: composite indexes in the list's order (urgency, created_at, id).

With 100,000 cases the list sorted every match for each page and counted them in the table;
these indexes give its segments (one per urgency) in index order, overall, per status and per
language and status, and cover the filters. They make the single-column indexes on lang and
status redundant (each is the first column of one of them), so those go.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_case_queue": ["urgency", "created_at", "id"],
    "ix_case_status_queue": ["status", "urgency", "created_at", "id"],
    "ix_case_lang_status_queue": ["lang", "status", "urgency", "created_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "case", columns)
    op.drop_index("ix_case_lang", table_name="case")
    op.drop_index("ix_case_status", table_name="case")


def downgrade() -> None:
    op.create_index("ix_case_status", "case", ["status"])
    op.create_index("ix_case_lang", "case", ["lang"])
    for name in INDEXES:
        op.drop_index(name, table_name="case")
