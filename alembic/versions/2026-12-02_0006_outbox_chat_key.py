"""A pseudonymous key for each outbox item's chat, so a chat's items are sent in order.

The chat id itself is stored encrypted (a different ciphertext each time), so the delivery loop
could not tell which items go to the same chat. The key is a keyed hash (the vault's pseudonym):
equal for one chat, and revealing nothing about it. Rows from before have none and are simply
not ordered against each other.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("chat_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_outbox_chat_key", ["chat_key"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_chat_key")
        batch.drop_column("chat_key")
