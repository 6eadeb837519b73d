"""The declarative base, the engine and the session factory.

Entry points build the engine; nothing is built at import time.
"""

import asyncio
import contextlib
import weakref
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every ORM class."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which forgets the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        """Refuses naive datetimes; stores UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use sathi.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        """Always returns an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


# PostgreSQL connections kept open: the admin API's requests in flight at a busy moment plus the
# bot's. With SQLAlchemy's default of 5, a burst of requests opened and closed extra connections
# one by one: a new one costs ~14 ms and ~3 ms of CPU here, and starts with an empty
# prepared-statement cache, so a backlog fed itself. SQLite keeps SQLAlchemy's default: a new
# connection costs ~1 ms, and more of them (each a thread of aiosqlite) cost more CPU under load.
POOL_SIZE = 20
MAX_OVERFLOW = 20


def make_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys and a busy timeout so two doors can share it."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    # No pool_pre_ping: it is a round trip on every checkout, i.e. every request. After a
    # restart of the database the first statement on a stale connection fails as a disconnect;
    # SQLAlchemy then drops every pooled connection made before it, and that one request is
    # answered 503 (admin_api/errors.py, nothing was changed) and retried by the client.
    return create_async_engine(url, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (handlers render after committing)."""
    return async_sessionmaker(engine, expire_on_commit=False)


_write_turns: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Lock] = weakref.WeakKeyDictionary()


def write_turn(engine: AsyncEngine) -> AbstractAsyncContextManager[object]:
    """Held around a write transaction of the bot's busy paths (intake, sent log) on SQLite.

    SQLite has one writer at a time, and a transaction that read before it writes fails when
    another writer committed meanwhile. So the bot's concurrent writers in this process take
    turns here, in the event loop, instead of in SQLite's busy wait; their reads and delivery
    stay concurrent. PostgreSQL locks rows itself: nothing to wait for.
    """
    if engine.dialect.name != "sqlite":
        return contextlib.nullcontext()
    turn = _write_turns.get(engine)
    if turn is None:
        turn = _write_turns[engine] = asyncio.Lock()
    return turn
