"""Telegram updates stored before they are acknowledged, so none is lost and none handled twice.

The bot, for each update: `store_update` and commit, then acknowledge it to Telegram (advance
the getUpdates offset, or answer the webhook with 200). A processing loop takes
`next_unprocessed` (commit: the attempt counts even if processing crashes), and handles each
update in its own transaction that also runs `mark_processed`, so the effects and the "done"
mark commit together. A redelivered update_id is ignored by store_update.
"""

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.db import utcnow
from sathi.models import InboundUpdate
from sathi.sealing import seal_update

MAX_ATTEMPTS = 5


async def store_update(
    session: AsyncSession, *, update_id: int, payload: str, now: datetime | None = None
) -> bool:
    """Stores the update's JSON (encrypted); False when this update_id was stored before."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    payload = seal_update(payload)  # under the sender's key: erased with them
    statement = (
        insert(InboundUpdate)
        .values(update_id=update_id, payload=payload, received_at=now or utcnow(), attempts=0)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    result = await session.execute(statement)
    return result.rowcount == 1  # type: ignore[attr-defined]


async def next_unprocessed(
    session: AsyncSession,
    *,
    limit: int = 50,
    max_attempts: int = MAX_ATTEMPTS,
    after: int | None = None,
) -> list[InboundUpdate]:
    """The oldest updates not processed yet, each counted as one more attempt.

    An update that failed max_attempts times is left alone (kept for inspection, not retried).
    `after` skips update ids up to it: a processing pass walks forward one update at a time, so
    an attempt is counted only for the update about to be tried, and a failed one waits for the
    next pass.
    """
    conditions = [InboundUpdate.processed_at.is_(None), InboundUpdate.attempts < max_attempts]
    if after is not None:
        conditions.append(InboundUpdate.update_id > after)
    query = (
        select(InboundUpdate)
        .where(*conditions)
        .order_by(InboundUpdate.update_id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    updates = list(await session.scalars(query))
    for row in updates:
        row.attempts += 1
    return updates


async def mark_processed(
    session: AsyncSession, *, update_id: int, now: datetime | None = None
) -> bool:
    """Marks the update done, in the handler's transaction; False if it was done already."""
    result = await session.execute(
        update(InboundUpdate)
        .where(InboundUpdate.update_id == update_id, InboundUpdate.processed_at.is_(None))
        .values(processed_at=now or utcnow())
    )
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
