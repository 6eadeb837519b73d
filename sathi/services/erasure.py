"""A worker's erase (/forget) and the erasing of a case: rows deleted, keys destroyed.

What goes: the member row, every case's messages, notes, rating and comment, the outbox rows of
their cases and to their chat, the ids of the volunteers' messages in their chat (case_reply),
their stored updates, the record of the bot's messages to them; then the case keys and the
worker's key are destroyed in the key store, so any copy of those rows -- WAL, free pages, an
old backup -- stays unreadable. What stays, for the volunteers and
the statistics: each case row with its reference, language, topic, times and audit trail,
marked erased (no member, no content).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sathi.crypto import KeyDestroyed, current_vault
from sathi.db import utcnow
from sathi.enums import CaseEventKind
from sathi.models import (
    Case,
    CaseMessage,
    CaseNote,
    CaseReply,
    InboundUpdate,
    Member,
    OutboxItem,
)
from sathi.models_privacy import BotMessage
from sathi.sealing import case_key_name, member_key_name
from sathi.services import case_state

log = logging.getLogger(__name__)


@dataclass
class Erased:
    """What an erase removed, and the keys to destroy once it has committed."""

    cases: int = 0
    updates: int = 0
    keys: list[str] = field(default_factory=list)
    bot_messages: list[tuple[int, int, datetime]] = field(default_factory=list)

    def destroy_keys(self) -> int:
        """Call after the commit: the rows are gone, now their keys go too."""
        return current_vault().forget_keys(self.keys)


async def erase_case_content(
    session: AsyncSession, case: Case, *, kind: CaseEventKind, now: datetime | None = None
) -> str:
    """Deletes a case's words and leaves an empty, closed, erased case; returns its key name."""
    now = now or utcnow()
    await session.execute(delete(CaseMessage).where(CaseMessage.case_id == case.id))
    await session.execute(delete(CaseNote).where(CaseNote.case_id == case.id))
    await session.execute(delete(OutboxItem).where(OutboxItem.case_id == case.id))
    await session.execute(delete(CaseReply).where(CaseReply.case_id == case.id))
    case_state.mark_erased(session, case, kind=kind, now=now)
    return case_key_name(case.id)


def _sender(payload: str) -> int | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    for kind in ("message", "edited_message", "callback_query"):
        found = data.get(kind) if isinstance(data, dict) else None
        if isinstance(found, dict) and isinstance(found.get("from"), dict):
            sender = found["from"].get("id")
            return sender if isinstance(sender, int) else None
    return None


async def erase_member(
    session: AsyncSession, *, member: Member, telegram_user_id: int | None,
    kind: CaseEventKind = CaseEventKind.erased_by_worker,
) -> Erased:
    """Deletes everything Sathi holds about a worker (see the module docstring).

    telegram_user_id: known when the worker asks (their stored updates are found by it); the
    retention schedule does not know it, and stored updates are purged within days anyway.
    """
    erased = Erased()
    now = utcnow()
    found = list(await session.scalars(select(Case).where(Case.member_id == member.id)))
    for case in found:
        erased.keys.append(
            await erase_case_content(session, case, kind=kind, now=now)
        )
        case.member_id = None
    erased.cases = len(found)
    chat_id = member.chat_id
    loose = select(OutboxItem).where(OutboxItem.case_id.is_(None))
    for item in list(await session.scalars(loose)):
        try:
            if item.chat_id == chat_id:
                await session.delete(item)
        except KeyDestroyed:
            continue
    stored = [] if telegram_user_id is None else await session.scalars(select(InboundUpdate))
    for row in list(stored):
        try:
            sender = _sender(row.payload)
        except KeyDestroyed:
            continue
        if sender == telegram_user_id:
            await session.delete(row)
            erased.updates += 1
    for sent in list(await session.scalars(
        select(BotMessage).where(BotMessage.telegram_key == member.telegram_key)
    )):
        try:
            chat, message_id = (int(part) for part in sent.message_ref.split(":", 1))
            erased.bot_messages.append((chat, message_id, sent.sent_at))
        except (KeyDestroyed, ValueError):
            pass
        await session.delete(sent)
    erased.keys.append(member_key_name(member.telegram_key))
    await session.flush()
    await session.delete(member)
    await session.flush()
    log.info("a worker erased their data: %d cases emptied, %d stored updates deleted",
             erased.cases, erased.updates)
    return erased
