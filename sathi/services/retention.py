"""The retention schedule: what Sathi deletes by itself, and when (README, "Retention").

- a closed case's words (messages, notes, rating comment, outbox rows) SATHI_RETENTION_CASE_DAYS
  (90) after it was closed: the case row stays, empty, marked erased; its key is destroyed;
- a worker who has not written for SATHI_RETENTION_MEMBER_DAYS (180) and has no open case:
  deleted like a /forget (pseudonym, chat id, language, their cases emptied);
- outbox rows that are done with (delivered, failed, dismissed, ...) and their delivery errors
  SATHI_RETENTION_OUTBOX_DAYS (7) after they were last touched;
- the record of the bot's messages after 48 hours (Telegram no longer lets it delete them);
- the article last shown to a worker, once gaps.LEFT_AFTER (30 minutes) has passed with nothing
  after it: counted as "left" in the guide-gap counts (no identity) and cleared from the member.

Processed updates are purged by the intake a day after processing (bot/intake.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sathi.crypto import current_vault
from sathi.db import utcnow
from sathi.enums import OPEN_STATUSES, CaseEventKind, CaseStatus, OutboxStatus
from sathi.models import Case, Member, OutboxItem
from sathi.models_privacy import BotMessage
from sathi.services import erasure, gaps
from sathi.settings import Settings

log = logging.getLogger(__name__)

BOT_MESSAGES_FOR = timedelta(hours=48)
_DONE = (OutboxStatus.delivered, OutboxStatus.failed, OutboxStatus.uncertain,
         OutboxStatus.blocked, OutboxStatus.dismissed)


@dataclass
class RetentionRun:
    """What one run deleted."""

    cases: int = 0
    members: int = 0
    outbox: int = 0
    bot_messages: int = 0
    left_articles: int = 0
    keys: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the log and the CLI (counts only)."""
        return (f"retention: {self.cases} closed cases emptied, {self.members} inactive "
                f"workers deleted, {self.outbox} outbox rows and {self.bot_messages} "
                f"message records deleted, {self.left_articles} articles left counted")


async def apply(session: AsyncSession, settings: Settings, *, now: datetime | None = None
                ) -> RetentionRun:
    """Deletes what is due, in the caller's transaction; destroy `keys` after the commit."""
    now = now or utcnow()
    run = RetentionRun()
    inactive_before = now - timedelta(days=settings.retention_member_days)
    open_case = exists().where(Case.member_id == Member.id, Case.status.in_(OPEN_STATUSES))
    for member in list(await session.scalars(
        select(Member).where(Member.last_seen_at < inactive_before, ~open_case)
    )):
        erased = await erasure.erase_member(session, member=member, telegram_user_id=None,
                                            kind=CaseEventKind.erased_by_retention)
        run.keys += erased.keys
        run.members += 1
    closed_before = now - timedelta(days=settings.retention_case_days)
    for case in list(await session.scalars(
        select(Case).where(Case.status == CaseStatus.closed, Case.closed_at < closed_before,
                           Case.erased_at.is_(None))
    )):
        run.keys.append(await erasure.erase_case_content(
            session, case, kind=CaseEventKind.erased_by_retention, now=now))
        run.cases += 1
    outbox_before = now - timedelta(days=settings.retention_outbox_days)
    result = await session.execute(delete(OutboxItem).where(
        OutboxItem.status.in_(_DONE), OutboxItem.updated_at < outbox_before))
    run.outbox = result.rowcount  # type: ignore[attr-defined]
    result = await session.execute(delete(BotMessage).where(
        BotMessage.sent_at < now - BOT_MESSAGES_FOR))
    run.bot_messages = result.rowcount  # type: ignore[attr-defined]
    run.left_articles = await gaps.count_left(session, now=now)
    return run


async def run_once(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
                   *, now: datetime | None = None) -> RetentionRun:
    """One run in its own transaction; the keys go once the deletions have committed."""
    async with sessionmaker.begin() as session:
        run = await apply(session, settings, now=now)
    current_vault().forget_keys(run.keys)
    log.info(run.summary())
    return run
