"""The migrations build exactly the schema the models describe, and can be undone and redone."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from sathi import migrations
from sathi.db import Base

ESCALATION_TABLES = {
    "staff", "staff_token", "case", "case_message", "case_note", "case_event", "canned_reply",
    "outbox", "inbound_update", "article_revision", "article_event", "fact", "fact_value",
}


def _differences(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def _tables(connection):
    return set(inspect(connection).get_table_names())


async def test_upgrade_downgrade_upgrade_and_no_drift(runtime):
    engine = runtime.engine
    await migrations.downgrade(engine, "base")
    async with engine.connect() as connection:
        assert not ESCALATION_TABLES & await connection.run_sync(_tables)
    await migrations.upgrade(engine, "0001")
    await migrations.upgrade(engine, "head")
    await migrations.downgrade(engine, "0001")
    async with engine.connect() as connection:
        remaining = await connection.run_sync(_tables)
    assert not ESCALATION_TABLES & remaining and {"member", "article"} <= remaining
    await migrations.upgrade(engine, "head")
    assert await migrations.is_current(engine)
    async with engine.connect() as connection:
        assert ESCALATION_TABLES <= await connection.run_sync(_tables)
        assert await connection.run_sync(_differences) == []


def test_migrations_are_self_contained():
    from sathi import paths

    versions = paths.REPO_ROOT / "alembic" / "versions"
    for name, down in (("*_0002_escalation.py", "0001"), ("*_0003_pending_case.py", "0002"),
                       ("*_0004_editing.py", "0003")):
        [migration] = versions.glob(name)
        source = migration.read_text(encoding="utf-8")
        assert "import sathi" not in source and "from sathi" not in source
        assert f'down_revision = "{down}"' in source


def test_alembic_check_on_a_database_at_head_finds_nothing_to_do(tmp_path):
    """`alembic check` in a fresh interpreter: env.py must register every model by itself."""
    import os
    import subprocess
    import sys

    from sathi import paths

    env = {k: v for k, v in os.environ.items() if not k.startswith("SATHI_")}
    env["SATHI_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'check.db'}"
    alembic = [sys.executable, "-m", "alembic", "-c", str(paths.ALEMBIC_INI)]
    for command in (["upgrade", "head"], ["check"]):
        result = subprocess.run([*alembic, *command], capture_output=True, text=True,
                                timeout=120, cwd=paths.REPO_ROOT, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr


async def test_0004_makes_the_existing_articles_their_first_published_revision(runtime):
    from sqlalchemy import text

    engine = runtime.engine
    await migrations.downgrade(engine, "0003")
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO article (slug, lang, category, title, keywords, sources, alert_words,"
            " last_reviewed, review, body, content_hash, updated_at) VALUES ('unpaid-wages',"
            " 'en', 'at-work', 'Wages', '[\"wages\"]', '[\"https://example.org\"]', '[]',"
            " '2026-11-23', 'draft', 'Body.', 'abc', '2026-11-23 00:00:00+00:00')"
        ))
    await migrations.upgrade(engine, "head")
    async with engine.connect() as connection:
        revision = (await connection.execute(text(
            "SELECT r.number, r.state, r.title, r.body, a.revision_id = r.id, a.stale"
            " FROM article a JOIN article_revision r ON r.slug = a.slug AND r.lang = a.lang"
        ))).one()
    assert tuple(revision) == (1, "published", "Wages", "Body.", True, False)
