"""Runs migrations on the async engine; the URL comes from Sathi's settings or the caller."""

import asyncio

from sqlalchemy.engine import Connection

from alembic import context
from sathi.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from sathi.settings import get_settings

    return get_settings().database


def _run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        # Batch mode rebuilds a table by dropping it: with foreign keys on, that drop would
        # cascade (deleting every case of a rebuilt member table, every token of a rebuilt
        # staff table). Off here, before the first write opens SQLite's transaction; Sathi's
        # migrations.upgrade() then drops these pooled connections (new ones have them on).
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
