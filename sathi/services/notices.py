"""Notices to the volunteers' Telegram group: reference, language, topic, urgency, never words."""

from sqlalchemy.ext.asyncio import AsyncSession

from sathi import outbox
from sathi.enums import OutboxKind
from sathi.models import Case, OutboxItem


async def notify_volunteers(
    session: AsyncSession, *, case: Case, reason: str, chat_id: int | None
) -> OutboxItem | None:
    """Queues a notice about a new or newly urgent case; nothing when no group is configured."""
    if chat_id is None:
        return None
    payload = {
        "reason": reason, "reference": case.reference, "lang": case.lang, "topic": case.topic,
        "urgency": str(case.urgency),
    }
    return await outbox.enqueue(
        session, kind=OutboxKind.notice, chat_id=chat_id, payload=payload, case_id=case.id
    )
