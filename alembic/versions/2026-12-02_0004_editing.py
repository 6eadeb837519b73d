"""Editing the guide: article revisions and their history, named facts with dated values,
and the counts of what workers asked and did not find.

The articles already in the database become the first published revision of each language.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fact",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_fact")),
    )
    op.create_table(
        "guide_gap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guide_gap")),
        sa.UniqueConstraint("week", "lang", "kind", "slug", name=op.f("uq_guide_gap_week")),
    )
    op.create_table(
        "missed_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missed_query")),
    )
    with op.batch_alter_table("missed_query", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_missed_query_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_missed_query_text_hash"), ["text_hash"], unique=False)

    op.create_table(
        "article_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=False),
        sa.Column("review", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("source_revision_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["staff.id"],
            name=op.f("fk_article_revision_approved_by_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff.id"],
            name=op.f("fk_article_revision_author_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_revision_id"],
            ["article_revision.id"],
            name=op.f("fk_article_revision_source_revision_id_article_revision"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revision")),
        sa.UniqueConstraint("slug", "lang", "number", name=op.f("uq_article_revision_slug")),
    )
    with op.batch_alter_table("article_revision", schema=None) as batch_op:
        batch_op.create_index("ix_article_revision_slug_lang", ["slug", "lang"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_revision_state"), ["state"], unique=False)

    op.create_table(
        "fact_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fact_name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff.id"],
            name=op.f("fk_fact_value_created_by_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["fact_name"],
            ["fact.name"],
            name=op.f("fk_fact_value_fact_name_fact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_value")),
        sa.UniqueConstraint("fact_name", "valid_from", name=op.f("uq_fact_value_fact_name")),
    )
    op.create_table(
        "article_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff.id"],
            name=op.f("fk_article_event_actor_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["article_revision.id"],
            name=op.f("fk_article_event_revision_id_article_revision"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_event")),
    )
    with op.batch_alter_table("article_event", schema=None) as batch_op:
        batch_op.create_index("ix_article_event_slug_lang", ["slug", "lang"], unique=False)

    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("stale", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_article_revision_id_article_revision"),
            "article_revision",
            ["revision_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.execute(
        "INSERT INTO article_revision (slug, lang, number, state, category, title, keywords,"
        " sources, last_reviewed, review, body, content_hash, change,"
        " created_at, updated_at, published_at)"
        " SELECT slug, lang, 1, 'published', category, title, keywords, sources,"
        " last_reviewed, review, body, content_hash, 'substantive', updated_at, updated_at,"
        " updated_at FROM article"
    )
    op.execute(
        "UPDATE article SET revision_id = (SELECT r.id FROM article_revision r"
        " WHERE r.slug = article.slug AND r.lang = article.lang)"
    )


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_article_revision_id_article_revision"), type_="foreignkey"
        )
        batch_op.drop_column("stale")
        batch_op.drop_column("revision_id")

    with op.batch_alter_table("article_event", schema=None) as batch_op:
        batch_op.drop_index("ix_article_event_slug_lang")

    op.drop_table("article_event")
    op.drop_table("fact_value")
    with op.batch_alter_table("article_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_revision_state"))
        batch_op.drop_index("ix_article_revision_slug_lang")

    op.drop_table("article_revision")
    with op.batch_alter_table("missed_query", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_missed_query_text_hash"))
        batch_op.drop_index(batch_op.f("ix_missed_query_created_at"))

    op.drop_table("missed_query")
    op.drop_table("guide_gap")
    op.drop_table("fact")
