"""Telegram updates stored before they are acknowledged, so none is lost and none handled twice.

The bot, for each getUpdates batch (or webhook update): `store_updates` and commit, then
acknowledge it to Telegram (advance the getUpdates offset, or answer the webhook with 200).
The intake (bot/intake.py) takes `pending` updates and counts their attempt (`count_attempts`,
committed: the attempt counts even if processing crashes), and handles each update in its own
transaction that also runs `mark_processed`, so the effects and the "done" mark commit
together. A redelivered update_id
is ignored by store_updates.
"""

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.models import InboundUpdate
from sathi.sealing import seal_update

MAX_ATTEMPTS = 5
STORE_CHUNK = 500  # updates per INSERT (4 parameters each: far below SQLite's limit)
# Statements on the table itself (SQLAlchemy Core): the ORM's bulk UPDATE machinery costs more
# CPU than the statement, and nothing here needs the identity map.
_TABLE = InboundUpdate.__table__


async def store_update(
    session: AsyncSession, *, update_id: int, payload: str, now: datetime | None = None
) -> bool:
    """Stores the update's JSON (encrypted); False when this update_id was stored before."""
    return bool(await store_updates(session, [(update_id, payload)], now=now))


async def store_updates(
    session: AsyncSession, updates: Sequence[tuple[int, str]], *, now: datetime | None = None,
    taken: Collection[int] = (),
) -> list[int]:
    """Stores (update_id, JSON) pairs, encrypted; returns the ids not stored before.

    One INSERT per STORE_CHUNK updates (a getUpdates batch is one statement), not one each.
    `taken`: ids the caller processes at once, their first attempt counted as a take would.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    received_at = now or utcnow()
    payloads: dict[int, str] = {}
    for update_id, payload in updates:
        payloads.setdefault(update_id, payload)  # the first copy, as if stored one by one
    rows = [{"update_id": update_id, "payload": seal_update(payload),  # the sender's key
             "received_at": received_at, "attempts": 1 if update_id in taken else 0}
            for update_id, payload in payloads.items()]
    new: list[int] = []
    for start in range(0, len(rows), STORE_CHUNK):
        statement = (
            insert(_TABLE).values(rows[start:start + STORE_CHUNK])
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(_TABLE.c.update_id)
        )
        new.extend(await session.scalars(statement))
    return new


async def pending(
    session: AsyncSession,
    *,
    limit: int = 200,
    max_attempts: int = MAX_ATTEMPTS,
    after: int | None = None,
) -> list[Row[tuple[int, str, int]]]:
    """The oldest updates not processed yet (update_id, payload, attempts), in update_id order.

    One query; nothing counted. An update that failed max_attempts times is left alone (kept
    for inspection, not retried). `after` skips update ids up to it (those the caller holds
    already).
    """
    table = _TABLE.c
    conditions = [table.processed_at.is_(None), table.attempts < max_attempts]
    if after is not None:
        conditions.append(table.update_id > after)
    query = (
        select(table.update_id, table.payload, table.attempts)
        .where(*conditions)
        .order_by(table.update_id)
        .limit(limit)
    )
    return list(await session.execute(query))


async def begin_taking(session: AsyncSession) -> None:
    """Begins a take as a writer on SQLite (a write that changes nothing).

    A take reads, then counts attempts; on SQLite a transaction that read first cannot write
    once another writer committed in between, so it takes the write lock before reading.
    """
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(
            update(_TABLE).where(_TABLE.c.update_id == -1).values(attempts=_TABLE.c.attempts)
        )


async def count_attempts(session: AsyncSession, *, update_ids: list[int], by: int = 1) -> None:
    """Counts one more attempt for each update about to be tried (-1: one given back)."""
    if update_ids:
        await session.execute(
            update(_TABLE)
            .where(_TABLE.c.update_id.in_(update_ids), _TABLE.c.processed_at.is_(None))
            .values(attempts=_TABLE.c.attempts + by)
        )


_MARK_PROCESSED = (  # built once: it runs for every update
    update(_TABLE)
    .where(_TABLE.c.update_id == bindparam("id"), _TABLE.c.processed_at.is_(None))
    .values(processed_at=bindparam("at"))
)


async def mark_processed(
    session: AsyncSession, *, update_id: int, now: datetime | None = None
) -> bool:
    """Marks the update done, in the handler's transaction; False if it was done already."""
    result = await session.execute(_MARK_PROCESSED, {"id": update_id, "at": now or utcnow()})
    return result.rowcount == 1  # type: ignore[attr-defined]


async def set_aside(
    session: AsyncSession, *, update_id: int, max_attempts: int = MAX_ATTEMPTS
) -> None:
    """Gives up on an update at once (it cannot be parsed): kept for inspection, not retried."""
    await session.execute(
        update(InboundUpdate)
        .where(InboundUpdate.update_id == update_id, InboundUpdate.processed_at.is_(None))
        .values(attempts=max_attempts)
    )


async def is_processed(session: AsyncSession, *, update_id: int) -> bool:
    """True when the update was handled (a handler can check before acting)."""
    processed = await session.scalar(
        select(InboundUpdate.processed_at).where(InboundUpdate.update_id == update_id)
    )
    return processed is not None


async def purge_processed(session: AsyncSession, *, before: datetime) -> int:
    """Deletes processed updates older than a date: they hold workers' words."""
    result = await session.execute(
        delete(InboundUpdate).where(
            InboundUpdate.processed_at.is_not(None), InboundUpdate.processed_at < before
        )
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


async def purge_abandoned(
    session: AsyncSession, *, before: datetime, max_attempts: int = MAX_ATTEMPTS
) -> int:
    """Deletes updates given up on (kept for inspection) once they are older than a date."""
    result = await session.execute(
        delete(InboundUpdate).where(
            InboundUpdate.processed_at.is_(None),
            InboundUpdate.attempts >= max_attempts,
            InboundUpdate.received_at < before,
        )
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
