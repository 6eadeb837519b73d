"""The migrations build exactly the schema the models describe, and can be undone and redone."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from sathi import migrations
from sathi.db import Base

ESCALATION_TABLES = {
    "staff", "staff_token", "case", "case_message", "case_note", "case_event", "canned_reply",
    "outbox", "inbound_update",
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
    for name, down in (("*_0002_escalation.py", "0001"), ("*_0003_pending_case.py", "0002")):
        [migration] = versions.glob(name)
        source = migration.read_text(encoding="utf-8")
        assert "import sathi" not in source and "from sathi" not in source
        assert f'down_revision = "{down}"' in source
