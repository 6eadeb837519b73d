"""The article just shown to a worker, until the bot knows whether they left after it.

Kept on the member row (encrypted, like every other thing of the worker's) only until the
worker's next step or until it is counted as "left" in the guide-gap counts, which hold no
identity.

Revision ID: 0010
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("shown_article", sa.Text(), nullable=True))
        batch.add_column(sa.Column("shown_article_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("shown_article_at")
        batch.drop_column("shown_article")
