"""Alembic from inside Sathi: upgrade on start, and tell /readyz whether the schema is current."""

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from sathi import paths


def alembic_config(connection: Connection | None = None) -> Config:
    """The project's Alembic config, optionally bound to an open connection."""
    config = Config(str(paths.ALEMBIC_INI))
    config.set_main_option("script_location", str(paths.REPO_ROOT / "alembic"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Brings the schema to the given revision."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
    await engine.dispose()  # the migration turned SQLite's foreign keys off on its connection


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Takes the schema down to the given revision (tests and recovery only)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
    await engine.dispose()  # as in upgrade()


def _current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def is_current(engine: AsyncEngine) -> bool:
    """True when the database is at the newest migration."""
    expected = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    async with engine.connect() as connection:
        return await connection.run_sync(_current_heads) == expected
